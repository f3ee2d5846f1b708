import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../test/renderApp';
import { jsonResponse, merchantViewer, pspAdmin, signedOut, stubServer } from '../test/server';

async function signIn(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('login', () => {
  it('sends a signed-out visitor to the login page', async () => {
    stubServer(signedOut);
    const { router } = renderApp('/orders');
    expect(await screen.findByLabelText('Email')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');
  });

  it('posts the credentials as JSON with the cookie and lands PSP staff on Merchants', async () => {
    const requests = stubServer({
      ...signedOut,
      'POST /auth/login': () => jsonResponse(200, { token: 'jwt', user: pspAdmin }),
    });
    const { router } = renderApp('/login');
    await signIn('admin@psp.example', 'correct horse');

    expect(await screen.findByRole('heading', { name: 'Merchants' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/merchants');
    const login = requests.find((r) => r.path === '/auth/login');
    expect(login?.method).toBe('POST');
    expect(login?.body).toEqual({ email: 'admin@psp.example', password: 'correct horse' });
    expect(login?.credentials).toBe('include');
    expect(login?.headers.get('Content-Type')).toBe('application/json');

    const navigation = screen.getByRole('navigation', { name: 'Main navigation' });
    const labels = within(navigation).getAllByRole('link').map((link) => link.textContent);
    expect(labels).toEqual(['Merchants', 'Orders', 'Settlement runs', 'Reconciliation', 'Users', 'Audit log']);
  });

  it('lands merchant users on Orders with the merchant navigation', async () => {
    stubServer({ ...signedOut, 'POST /auth/login': () => jsonResponse(200, { token: 'jwt', user: merchantViewer }) });
    const { router } = renderApp('/login');
    await signIn('viewer@shop.example', 'secret');

    expect(await screen.findByRole('heading', { name: 'Orders' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/orders');
    const navigation = screen.getByRole('navigation', { name: 'Main navigation' });
    const labels = within(navigation).getAllByRole('link').map((link) => link.textContent);
    expect(labels).toEqual(['Orders', 'Settlements', 'API keys', 'Team']);
  });

  it('asks for the authentication code when the server says mfa_required, then sends it', async () => {
    const requests = stubServer({
      ...signedOut,
      'POST /auth/login': (r) =>
        (r.body as { otp?: string }).otp === '123456'
          ? jsonResponse(200, { token: 'jwt', user: pspAdmin })
          : jsonResponse(401, { error: (r.body as { otp?: string }).otp ? 'invalid_otp' : 'mfa_required' }),
    });
    const { router } = renderApp('/login');
    await signIn('admin@psp.example', 'correct horse');
    const user = userEvent.setup();
    const code = await screen.findByLabelText(/Authentication code/);
    await user.type(code, '654321');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong or already used code');
    await user.clear(code);
    await user.type(code, '123456');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Merchants' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/merchants');
    const logins = requests.filter((r) => r.path === '/auth/login').map((r) => r.body);
    expect(logins).toEqual([
      { email: 'admin@psp.example', password: 'correct horse' },
      { email: 'admin@psp.example', password: 'correct horse', otp: '654321' },
      { email: 'admin@psp.example', password: 'correct horse', otp: '123456' },
    ]);
  });

  it('returns to the page the visitor first asked for', async () => {
    stubServer({ ...signedOut, 'POST /auth/login': () => jsonResponse(200, { token: 'jwt', user: pspAdmin }) });
    const { router } = renderApp('/merchants/mer_42');
    await signIn('admin@psp.example', 'secret');
    // The stub server has no GraphQL, so the merchant's page says it could not load it.
    expect(await screen.findByText('Could not load the merchant')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/merchants/mer_42');
  });

  it.each([
    [401, 'Wrong email or password'],
    [429, 'Too many attempts, try again in a minute'],
  ])('answers HTTP %i with “%s”', async (status, message) => {
    stubServer({ ...signedOut, 'POST /auth/login': () => jsonResponse(status, { error: 'no' }) });
    const { router } = renderApp('/login');
    await signIn('admin@psp.example', 'wrong');
    expect(await screen.findByRole('alert')).toHaveTextContent(message);
    expect(router.state.location.pathname).toBe('/login');
  });

  it('checks the form before posting it', async () => {
    const requests = stubServer(signedOut);
    renderApp('/login');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter your email address')).toBeInTheDocument();
    expect(screen.getByText('Enter your password')).toBeInTheDocument();
    expect(requests.some((r) => r.path === '/auth/login')).toBe(false);
  });
});
