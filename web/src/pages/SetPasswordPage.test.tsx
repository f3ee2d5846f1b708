import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../test/renderApp';
import { jsonResponse, merchantViewer, signedOut, stubServer } from '../test/server';

async function choosePassword(password: string, confirmation = password) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('New password'), password);
  await user.type(screen.getByLabelText('Repeat the password'), confirmation);
  await user.click(screen.getByRole('button', { name: 'Set password' }));
}

describe('set password', () => {
  it('posts the invitation token with the new password, then asks to sign in', async () => {
    const requests = stubServer({ ...signedOut, 'POST /auth/set-password': () => new Response(null, { status: 204 }) });
    const { router } = renderApp('/set-password?token=inv_abc');
    await choosePassword('a long new password');

    expect(await screen.findByLabelText('Email')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');
    const request = requests.find((r) => r.path === '/auth/set-password');
    expect(request?.body).toEqual({ token: 'inv_abc', password: 'a long new password' });
    expect(request?.credentials).toBe('include');
  });

  it('signs the user in when the server answers a user', async () => {
    stubServer({ ...signedOut, 'POST /auth/set-password': () => jsonResponse(200, { token: 'jwt', user: merchantViewer }) });
    const { router } = renderApp('/set-password?token=inv_abc');
    await choosePassword('a long new password');
    expect(await screen.findByRole('heading', { name: 'Orders' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/orders');
  });

  it('shows the server’s reason for a refusal', async () => {
    stubServer({
      ...signedOut,
      'POST /auth/set-password': () => jsonResponse(400, { error: 'password must have at least 12 characters' }),
    });
    renderApp('/set-password?token=inv_abc');
    await choosePassword('short');
    expect(await screen.findByRole('alert')).toHaveTextContent('password must have at least 12 characters');
  });

  it('refuses two different passwords without asking the server', async () => {
    const requests = stubServer(signedOut);
    renderApp('/set-password?token=inv_abc');
    await choosePassword('one password', 'another password');
    expect(await screen.findByText('The passwords do not match')).toBeInTheDocument();
    expect(requests.some((r) => r.path === '/auth/set-password')).toBe(false);
  });

  it('explains a link without a token', async () => {
    stubServer(signedOut);
    renderApp('/set-password');
    expect(await screen.findByText('This invitation link is incomplete')).toBeInTheDocument();
  });
});
