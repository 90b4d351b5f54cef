import { client } from '../api/client.gen';
import { toApiError } from './apiError';
import { readApiToken } from './apiToken';

let configured = false;

/** Points the generated client at this origin, sends the saved API token as a bearer token on
 * the operations that declare it, and turns every failure into an ApiError. Idempotent. */
export function configureApiClient(baseUrl: string = window.location.origin): void {
  client.setConfig({ baseUrl, auth: () => readApiToken() ?? undefined });
  if (configured) return;
  configured = true;
  client.interceptors.error.use((error, response) => {
    if (error instanceof DOMException && error.name === 'AbortError') return error;
    return toApiError(error, response?.status ?? 0);
  });
}
