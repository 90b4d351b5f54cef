import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './styles.css';

import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppProviders } from './AppProviders';
import { configureApiClient } from './lib/apiClient';
import { createQueryClient } from './lib/queryClient';
import { createAppRouter } from './routes/router';

configureApiClient();
const queryClient = createQueryClient();
const router = createAppRouter();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <AppProviders queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>
  </StrictMode>,
);
