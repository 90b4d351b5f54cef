import { type APIRequestContext, test as base, expect } from '@playwright/test';

interface Fixtures {
  /** Console messages of type error that a test expects (e.g. the 422 of a bad import). */
  allowedConsoleErrors: RegExp[];
  consoleGuard: void;
}

/** Every test fails when the page logs an unexpected console error or throws. */
export const test = base.extend<Fixtures>({
  allowedConsoleErrors: [[], { option: true }],
  consoleGuard: [
    async ({ page, allowedConsoleErrors }, use) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const text = message.text();
        if (!allowedConsoleErrors.some((pattern) => pattern.test(text))) errors.push(text);
      });
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      await use();
      expect(errors, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export const tinyModelPath = (): string => {
  const path = process.env.LATHE_E2E_TINY_MODEL;
  if (!path) throw new Error('LATHE_E2E_TINY_MODEL is not set: run through `npm run e2e` (global setup).');
  return path;
};

/** Waits until a job the API queued has succeeded. */
export async function jobSucceeded(request: APIRequestContext, jobId: number, timeout = 60_000): Promise<void> {
  await expect
    .poll(async () => ((await (await request.get(`/api/jobs/${jobId}`)).json()) as { status: string }).status, { timeout })
    .toBe('succeeded');
}

/** Imports the tiny model as `model` and the built-in identity sample as `dataset` over the API,
 * as a script would, and waits for both. */
export async function importTinyModelAndIdentity(request: APIRequestContext, model: string, dataset: string): Promise<void> {
  const imported = await request.post('/api/models/import', { data: { source: tinyModelPath(), name: model } });
  expect(imported.status()).toBe(202);
  const sample = await request.post('/api/datasets/samples/identity', { data: { name: dataset } });
  expect(sample.status()).toBe(202);
  await jobSucceeded(request, ((await imported.json()) as { id: number }).id);
  await jobSucceeded(request, ((await sample.json()) as { job: { id: number } }).job.id);
}
