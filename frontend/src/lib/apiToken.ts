/** The API token entered on the Settings page, kept in this browser's localStorage. */
const STORAGE_KEY = 'lathe.apiToken';

export function readApiToken(): string | null {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return value && value.trim() ? value : null;
  } catch {
    return null;
  }
}

export function writeApiToken(token: string | null): void {
  const value = token?.trim() ?? '';
  if (value) window.localStorage.setItem(STORAGE_KEY, value);
  else window.localStorage.removeItem(STORAGE_KEY);
}
