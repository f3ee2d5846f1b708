import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../test/renderApp';
import { jsonResponse, merchantViewer, pspAdmin, stubServer } from '../test/server';

describe('app shell', () => {
  it('restores the session from /auth/me and opens the home for the role', async () => {
    const requests = stubServer({ 'GET /auth/me': () => jsonResponse(200, pspAdmin) });
    const { router } = renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Merchants' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/merchants');
    expect(screen.getByText('PSP Backoffice')).toBeInTheDocument();
    const me = requests.find((r) => r.path === '/auth/me');
    expect(me?.credentials).toBe('include');
    expect(me?.headers.get('X-Requested-With')).toBe('backoffice');
  });

  it('sends a user away from the other audience’s screens', async () => {
    stubServer({ 'GET /auth/me': () => jsonResponse(200, merchantViewer) });
    const { router } = renderApp('/merchants');
    expect(await screen.findByRole('heading', { name: 'Orders' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/orders');
  });

  it('titles the settlements screen for the audience', async () => {
    stubServer({ 'GET /auth/me': () => jsonResponse(200, pspAdmin) });
    renderApp('/settlements');
    expect(await screen.findByRole('heading', { name: 'Settlement runs' })).toBeInTheDocument();
  });

  it('shows who is signed in and logs out', async () => {
    const requests = stubServer({
      'GET /auth/me': () => jsonResponse(200, pspAdmin),
      'POST /auth/logout': () => new Response(null, { status: 204 }),
    });
    const { router } = renderApp('/audit');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Account menu for Ada Admin' }));
    const menu = await screen.findByRole('menu');
    expect(within(menu).getByText('admin@psp.example')).toBeInTheDocument();
    expect(within(menu).getByText('PSP admin')).toBeInTheDocument();
    await user.click(await screen.findByRole('menuitem', { name: 'Log out' }));

    expect(await screen.findByLabelText('Email')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');
    const logout = requests.find((r) => r.path === '/auth/logout');
    expect(logout?.method).toBe('POST');
    expect(logout?.credentials).toBe('include');
  });

  it('offers a retry when the server cannot be reached', async () => {
    stubServer({ 'GET /auth/me': () => jsonResponse(502, { error: 'bad gateway' }) });
    renderApp('/orders');
    expect(await screen.findByText('Cannot reach the backoffice server')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('shows a not-found page inside the shell', async () => {
    stubServer({ 'GET /auth/me': () => jsonResponse(200, merchantViewer) });
    renderApp('/nowhere');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
  });
});
