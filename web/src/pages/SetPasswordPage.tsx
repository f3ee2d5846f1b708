import { Alert, Anchor, Button, PasswordInput, Stack, Text } from '@mantine/core';
import { isNotEmpty, matchesField, useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { setPassword } from '../auth/api';
import { useAuth } from '../auth/AuthContext';
import { homeFor } from '../auth/roles';
import { PublicCard } from './PublicCard';

/**
 * The page an invitation email links to (`/set-password?token=…`). The
 * password rules live on the server, which explains a refusal in its answer.
 */
export function SetPasswordPage() {
  const [searchParams] = useSearchParams();
  const token = searchParams.get('token') ?? '';
  const auth = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { password: '', confirmation: '' },
    validate: {
      password: isNotEmpty('Choose a password'),
      confirmation: matchesField('password', 'The passwords do not match'),
    },
  });

  if (token === '') {
    return (
      <PublicCard subtitle="Set your password">
        <Alert color="red" title="This invitation link is incomplete">
          Open the link from your invitation email again, or ask for a new invitation.
        </Alert>
        <Anchor component={Link} to="/login" size="sm">
          Go to sign in
        </Anchor>
      </PublicCard>
    );
  }

  const handleSubmit = async (values: { password: string }) => {
    setError(null);
    setSubmitting(true);
    try {
      const result = await setPassword(token, values.password);
      switch (result.kind) {
        case 'done':
          if (result.user) {
            auth.signIn(result.user);
            await navigate(homeFor(result.user.role), { replace: true });
          } else {
            notifications.show({ color: 'green', title: 'Password set', message: 'Sign in with your new password.' });
            await navigate('/login', { replace: true });
          }
          return;
        case 'rate-limited':
          setError('Too many attempts, try again in a minute');
          break;
        case 'refused':
          setError(result.message);
          break;
      }
    } catch {
      setError('Cannot reach the backoffice server');
    }
    setSubmitting(false);
  };

  return (
    <PublicCard subtitle="Set your password">
      <form onSubmit={form.onSubmit((values) => void handleSubmit(values))} noValidate>
        <Stack gap="md">
          <Text size="sm">Choose the password you will sign in with.</Text>
          {error !== null && <Alert color="red" role="alert" title={error} />}
          <PasswordInput
            label="New password"
            autoComplete="new-password"
            autoFocus
            key={form.key('password')}
            {...form.getInputProps('password')}
          />
          <PasswordInput
            label="Repeat the password"
            autoComplete="new-password"
            key={form.key('confirmation')}
            {...form.getInputProps('confirmation')}
          />
          <Button type="submit" loading={submitting} fullWidth>
            Set password
          </Button>
        </Stack>
      </form>
    </PublicCard>
  );
}
