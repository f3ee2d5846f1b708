import { Alert, Anchor, PasswordInput, Text } from '@mantine/core';
import { isNotEmpty, matchesField, useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { setPassword } from '../auth/api';
import { useAuth } from '../auth/AuthContext';
import { homeFor } from '../auth/roles';
import { PublicCard, PublicForm, usePublicSubmit } from './PublicCard';

/**
 * The page an invitation email links to (`/set-password?token=…`). The
 * password rules live on the server, which explains a refusal in its answer.
 */
export function SetPasswordPage() {
  const [searchParams] = useSearchParams();
  const token = searchParams.get('token') ?? '';
  const auth = useAuth();
  const navigate = useNavigate();
  const { error, submitting, run } = usePublicSubmit();

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

  const handleSubmit = (values: { password: string }) =>
    run(async () => {
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
          return 'left';
        case 'rate-limited':
          return 'Too many attempts, try again in a minute';
        case 'refused':
          return result.message;
      }
    });

  return (
    <PublicForm
      subtitle="Set your password"
      intro={<Text size="sm">Choose the password you will sign in with.</Text>}
      error={error}
      submitting={submitting}
      submitLabel="Set password"
      onSubmit={form.onSubmit((values) => void handleSubmit(values))}
    >
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
    </PublicForm>
  );
}
