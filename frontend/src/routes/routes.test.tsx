import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../test/render';
import { NAV_ITEMS } from './nav';

describe('routes', () => {
  it('redirects / to the Models page', async () => {
    const { router } = renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Models', level: 1 })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/models');
  });

  it('shows a not-found page inside the shell for unknown addresses', async () => {
    renderApp('/nowhere');
    expect(await screen.findByRole('status', { name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main navigation' })).toBeInTheDocument();
  });

  it('renders exactly the areas of the nav list', async () => {
    renderApp('/models');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual(NAV_ITEMS.map((item) => item.label));
    expect(links.map((link) => link.getAttribute('href'))).toEqual(NAV_ITEMS.map((item) => item.to));
  });
});
