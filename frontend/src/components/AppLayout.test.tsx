import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../test/render';
import { server } from '../test/server';

describe('app shell', () => {
  it("shows the server's version", async () => {
    renderApp('/models');
    expect(await screen.findByLabelText('Lathe version 0.1.0')).toHaveTextContent('v0.1.0');
  });

  it('says so when the server does not answer', async () => {
    server.use(http.get('*/api/health', () => HttpResponse.error()));
    renderApp('/models');
    expect(await screen.findByText('offline')).toBeInTheDocument();
  });

  it('switches between light and dark themes', async () => {
    const user = userEvent.setup();
    renderApp('/models');
    const html = document.documentElement;
    await user.click(await screen.findByRole('button', { name: 'Switch to dark theme' }));
    await waitFor(() => expect(html).toHaveAttribute('data-mantine-color-scheme', 'dark'));
    await user.click(screen.getByRole('button', { name: 'Switch to light theme' }));
    await waitFor(() => expect(html).toHaveAttribute('data-mantine-color-scheme', 'light'));
  });
});
