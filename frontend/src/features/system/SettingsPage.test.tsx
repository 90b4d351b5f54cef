import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { errorBody, systemInfo } from '../../test/fixtures';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';

describe('Settings page', () => {
  it('shows versions, hardware, accelerators and where Lathe keeps its files', async () => {
    renderApp('/settings');
    const studio = await screen.findByRole('table', { name: 'Studio' });
    expect(studio).toHaveTextContent('/home/user/.lathe');
    expect(studio).toHaveTextContent('sqlite:////home/user/.lathe/lathe.db');
    expect(screen.getByRole('table', { name: 'Libraries' })).toHaveTextContent('2.13.0+cpu');
    expect(screen.getByRole('table', { name: 'Hardware' })).toHaveTextContent('5 GB free of 8 GB');
    expect(screen.getByText('not available')).toBeInTheDocument();
    expect(screen.getByText(/Interpreter \(TRITON_INTERPRET=1/)).toBeInTheDocument();
  });

  it('lists CUDA devices with their memory', async () => {
    server.use(
      http.get('*/api/system', () =>
        HttpResponse.json({
          ...systemInfo,
          cuda_available: true,
          triton_mode: 'cuda',
          cuda_devices: [{ index: 0, name: 'NVIDIA H200', memory_total_bytes: 150e9, memory_free_bytes: 140e9 }],
        }),
      ),
    );
    renderApp('/settings');
    const devices = await screen.findByRole('table', { name: 'CUDA devices' });
    expect(devices).toHaveTextContent('NVIDIA H200');
    expect(devices).toHaveTextContent('140 GB free of 150 GB');
  });

  it('sends the saved token and recovers from a 401', async () => {
    server.use(
      http.get('*/api/system', ({ request }) =>
        request.headers.get('Authorization') === 'Bearer s3cret'
          ? HttpResponse.json(systemInfo)
          : HttpResponse.json(errorBody('unauthorized', 'missing or wrong API token'), { status: 401 }),
      ),
    );
    const user = userEvent.setup();
    renderApp('/settings');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('missing or wrong API token');
    expect(alert).toHaveTextContent('Enter it in the API token field on this page');

    const tokenForm = screen.getByRole('region', { name: 'API token' });
    await user.type(within(tokenForm).getByLabelText('Token'), 's3cret');
    await user.click(within(tokenForm).getByRole('button', { name: 'Save token' }));

    expect(await screen.findByRole('table', { name: 'Studio' })).toBeInTheDocument();
    expect(window.localStorage.getItem('lathe.apiToken')).toBe('s3cret');
    await waitFor(() => expect(screen.queryByText('missing or wrong API token')).not.toBeInTheDocument());
  });

  it('reaches Settings from the navigation', async () => {
    const user = userEvent.setup();
    renderApp('/models');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Models' })).toHaveAttribute('aria-current', 'page');
    await user.click(within(nav).getByRole('link', { name: 'Settings' }));
    expect(await screen.findByRole('heading', { name: 'Settings', level: 1 })).toBeInTheDocument();
    expect(await screen.findByLabelText('Lathe version 0.1.0')).toBeInTheDocument();
  });
});
