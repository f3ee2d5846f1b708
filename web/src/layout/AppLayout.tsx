import { AppShell, Avatar, Box, Burger, Group, Menu, NavLink, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import type { User } from '../auth/api';
import { useAuth } from '../auth/AuthContext';
import { navigationFor, roleLabel } from '../auth/roles';

function UserMenu({ user }: { user: User }) {
  const { signOut } = useAuth();
  const navigate = useNavigate();
  const displayName = user.name || user.email;

  const handleLogout = async () => {
    await signOut();
    await navigate('/login', { replace: true });
  };

  return (
    <Menu position="bottom-end" width={240} withArrow>
      <Menu.Target>
        <UnstyledButton aria-label={`Account menu for ${displayName}`}>
          <Group gap="xs" wrap="nowrap">
            <Avatar name={displayName} color="initials" size="sm" />
            <Text size="sm" fw={500} visibleFrom="xs">
              {displayName}
            </Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Signed in as</Menu.Label>
        <Box px="sm" pb="xs">
          <Text size="sm" fw={500} truncate>
            {user.email}
          </Text>
          <Text size="xs" c="dimmed">
            {roleLabel(user.role)}
          </Text>
        </Box>
        <Menu.Divider />
        <Menu.Item color="red" onClick={() => void handleLogout()}>
          Log out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** The signed-in frame: header with the account menu, role-dependent navbar, and the page. */
export function AppLayout() {
  const { user } = useAuth();
  const [navbarOpened, { toggle: toggleNavbar, close: closeNavbar }] = useDisclosure(false);
  const { pathname } = useLocation();

  if (!user) {
    return null;
  }

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !navbarOpened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navbarOpened}
              onClick={toggleNavbar}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={1} size="h4">
              PSP Backoffice
            </Title>
          </Group>
          <UserMenu user={user} />
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label="Main navigation">
        {navigationFor(user.role).map((entry) => (
          <NavLink
            key={entry.to}
            component={Link}
            to={entry.to}
            label={entry.label}
            active={pathname === entry.to || pathname.startsWith(`${entry.to}/`)}
            onClick={closeNavbar}
          />
        ))}
      </AppShell.Navbar>

      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
