import { AppShell, Avatar, Badge, Box, Burger, Group, Menu, NavLink, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router-dom';
import type { User } from '../auth/api';
import { useAuth } from '../auth/AuthContext';
import { audienceOf, navigationFor, roleLabel } from '../auth/roles';
import { BrandMark } from '../components/BrandMark';
import { BankIcon, KeyIcon, ListIcon, ReceiptIcon, StoreIcon, UsersIcon } from '../components/icons';
import { useMyMerchant } from '../lib/viewer';

const navIcons: Record<string, ReactNode> = {
  '/merchants': <StoreIcon size={18} />,
  '/orders': <ReceiptIcon size={18} />,
  '/settlements': <BankIcon size={18} />,
  '/reconciliation': <ListIcon size={18} />,
  '/api-keys': <KeyIcon size={18} />,
  '/team': <UsersIcon size={18} />,
  '/users': <UsersIcon size={18} />,
  '/audit': <ListIcon size={18} />,
};

/** The merchant a merchant user works for, shown under the brand. */
function MerchantName() {
  const { merchant } = useMyMerchant();
  return merchant ? (
    <Text size="xs" c="dimmed" truncate maw={200}>
      {merchant.name}
    </Text>
  ) : null;
}

function UserMenu({ user }: { user: User }) {
  const { signOut } = useAuth();
  const navigate = useNavigate();
  const displayName = user.name || user.email;

  const handleLogout = async () => {
    await signOut();
    await navigate('/login', { replace: true });
  };

  return (
    <Menu position="bottom-end" width={260} withArrow shadow="md">
      <Menu.Target>
        <UnstyledButton aria-label={`Account menu for ${displayName}`} px={6} py={4} style={{ borderRadius: 8 }}>
          <Group gap="xs" wrap="nowrap">
            <Avatar name={displayName} color="initials" size={30} />
            <Box visibleFrom="xs">
              <Text size="sm" fw={600} lh={1.2}>
                {displayName}
              </Text>
              <Text size="xs" c="dimmed" lh={1.2}>
                {roleLabel(user.role)}
              </Text>
            </Box>
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
        <Menu.Item onClick={() => void navigate('/security')}>Security</Menu.Item>
        <Menu.Item color="red" onClick={() => void handleLogout()}>
          Log out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function Brand({ merchant }: { merchant: boolean }) {
  return (
    <Group gap={10} wrap="nowrap">
      <BrandMark />
      <Stack gap={0}>
        <Text component="h1" m={0} fz={16} fw={700} lh={1.2}>
          PSP Backoffice
        </Text>
        {merchant && <MerchantName />}
      </Stack>
    </Group>
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
  // The PSP or merchant requires a second factor: only the Security page works until it is enrolled.
  if (user.mfaEnrolmentRequired && pathname !== '/security') {
    return <Navigate to="/security" replace />;
  }
  const audience = audienceOf(user.role);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 232, breakpoint: 'sm', collapsed: { mobile: !navbarOpened } }}
      padding="lg"
      bg="var(--mantine-color-gray-0)"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={navbarOpened} onClick={toggleNavbar} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Brand merchant={audience === 'merchant'} />
            <Badge variant="light" color={audience === 'psp' ? 'grape' : 'teal'} size="sm" radius="sm" tt="none" visibleFrom="sm">
              {audience === 'psp' ? 'PSP staff' : 'Merchant'}
            </Badge>
          </Group>
          <UserMenu user={user} />
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <Stack gap={2}>
          {navigationFor(user.role).map((entry) => (
            <NavLink
              key={entry.to}
              component={Link}
              to={entry.to}
              label={entry.label}
              leftSection={navIcons[entry.to]}
              active={pathname === entry.to || pathname.startsWith(`${entry.to}/`)}
              onClick={closeNavbar}
              fw={500}
              style={{ borderRadius: 8 }}
            />
          ))}
        </Stack>
      </AppShell.Navbar>

      <AppShell.Main>
        <Box maw={1320} mx="auto">
          <Outlet />
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}
