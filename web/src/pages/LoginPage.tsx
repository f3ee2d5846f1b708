import { PasswordInput, TextInput } from '@mantine/core';
import { isEmail, isNotEmpty, useForm } from '@mantine/form';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { login } from '../auth/api';
import { useAuth } from '../auth/AuthContext';
import { FullPageLoader, type LoginRedirectState } from '../auth/guards';
import { homeFor } from '../auth/roles';
import { PublicForm, usePublicSubmit } from './PublicCard';

function redirectTarget(state: unknown): string | undefined {
  const from = (state as LoginRedirectState | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && from !== '/login' ? from : undefined;
}

export function LoginPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const { error, submitting, run } = usePublicSubmit();
  // The password was right and the server asks for the second factor.
  const [needsCode, setNeedsCode] = useState(false);

  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { email: '', password: '', otp: '' },
    validate: {
      email: isEmail('Enter your email address'),
      password: isNotEmpty('Enter your password'),
    },
  });

  if (auth.state.status === 'loading') {
    return <FullPageLoader />;
  }
  if (auth.user && !submitting) {
    return <Navigate to={redirectTarget(location.state) ?? homeFor(auth.user.role)} replace />;
  }

  const handleSubmit = (values: { email: string; password: string; otp: string }) =>
    run(async () => {
      const result = await login(values.email.trim(), values.password, needsCode ? values.otp.trim() : undefined);
      switch (result.kind) {
        case 'signed-in':
          auth.signIn(result.user);
          await navigate(redirectTarget(location.state) ?? homeFor(result.user.role), { replace: true });
          return 'left';
        case 'wrong-credentials':
          return 'Wrong email or password';
        case 'mfa-required':
          setNeedsCode(true);
          return null;
        case 'invalid-otp':
          return 'Wrong or already used code';
        case 'rate-limited':
          return 'Too many attempts, try again in a minute';
        case 'failed':
          return result.message;
      }
    });

  return (
    <PublicForm
      subtitle="Sign in to continue"
      error={error}
      submitting={submitting}
      submitLabel="Sign in"
      onSubmit={form.onSubmit((values) => void handleSubmit(values))}
    >
      <TextInput
        label="Email"
        type="email"
        autoComplete="username"
        autoFocus
        key={form.key('email')}
        {...form.getInputProps('email')}
      />
      <PasswordInput
        label="Password"
        autoComplete="current-password"
        key={form.key('password')}
        {...form.getInputProps('password')}
      />
      {needsCode && (
        <TextInput
          label="Authentication code"
          description="The 6-digit code from your authenticator app, or a recovery code"
          autoComplete="one-time-code"
          autoFocus
          key={form.key('otp')}
          {...form.getInputProps('otp')}
        />
      )}
    </PublicForm>
  );
}
