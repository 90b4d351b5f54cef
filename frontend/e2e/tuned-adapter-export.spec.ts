// Named to run after training-run.spec.ts: the specs share one server and run in file-name
// order, and the short training run made here cannot be deleted (no job is), while that spec
// expects a server without training runs. Everything else made here is deleted afterwards.
import { statSync } from 'node:fs';
import type { APIRequestContext } from '@playwright/test';
import { expect, importTinyModelAndIdentity, jobSucceeded, test } from './fixtures';

const MODEL = 'e2e-export-tiny';
const DATASET = 'e2e-export-identity';
const ADAPTER = 'e2e-export-lora';
const REGISTERED = 'e2e-export-q8';

interface Named {
  id: number;
  name: string;
}

async function items<T>(request: APIRequestContext, path: string): Promise<T[]> {
  const response = await request.get(path);
  expect(response.status()).toBe(200);
  return ((await response.json()) as { items: T[] }).items;
}

// Later specs (and reruns) expect none of these: exports first, then the models built on the
// base model (the registry refuses to delete a base model with adapters), then the dataset.
test.afterEach(async ({ request }) => {
  const models = await items<Named>(request, '/api/models?limit=200');
  const adapter = models.find(({ name }) => name === ADAPTER);
  if (adapter) {
    for (const item of await items<Named>(request, `/api/exports?model_id=${adapter.id}&limit=200`)) {
      expect((await request.delete(`/api/exports/${item.id}`)).status()).toBe(204);
    }
  }
  for (const name of [REGISTERED, ADAPTER, MODEL]) {
    const model = models.find((candidate) => candidate.name === name);
    if (model) expect((await request.delete(`/api/models/${model.id}`)).status()).toBe(204);
  }
  const dataset = (await items<Named>(request, '/api/datasets?limit=200')).find(({ name }) => name === DATASET);
  if (dataset) expect((await request.delete(`/api/datasets/${dataset.id}`)).status()).toBe(204);
});

/** A tiny adapter: a few training steps on the tiny model, started over the API as a script would. */
async function trainTinyAdapter(request: APIRequestContext): Promise<number> {
  await importTinyModelAndIdentity(request, MODEL, DATASET);
  const started = await request.post('/api/training/runs', {
    data: {
      model: MODEL,
      dataset: DATASET,
      name: ADAPTER,
      max_steps: 4,
      max_length: 128,
      batch_size: 2,
      learning_rate: 0.001,
      lora: { r: 4 },
      sample_prompts: [],
    },
  });
  expect(started.status()).toBe(202);
  const runId = ((await started.json()) as { id: number }).id;
  await jobSucceeded(request, runId, 120_000);
  return runId;
}

test('export a trained adapter as GGUF Q8_0: live progress, the verification report, the download, register it', async ({
  page,
  request,
}, testInfo) => {
  const runId = await trainTinyAdapter(request);

  await page.goto(`/training/${runId}`);
  const exports = page.getByRole('region', { name: 'Exports' });
  await expect(exports).toContainText('No exports yet.');
  await exports.getByRole('button', { name: 'Export adapter' }).click();
  const dialog = page.getByRole('dialog', { name: `Export ${ADAPTER}` });
  await expect(dialog.getByRole('radio', { name: /^GGUF/ })).toBeChecked();
  await dialog.getByRole('radio', { name: /^Q8_0/ }).check();
  await dialog.screenshot({ path: testInfo.outputPath('export-dialog.png') });
  await dialog.getByRole('button', { name: 'Export' }).click();

  // Live progress from the job's events, then the report of the export loaded back.
  await expect(dialog.getByRole('progressbar', { name: /^Export job \d+: / })).toBeVisible();
  const report = dialog.getByRole('table', { name: 'Verification' });
  await expect(report).toBeVisible({ timeout: 120_000 });
  await expect(dialog.getByRole('progressbar')).toHaveCount(0);
  await expect(report.getByTestId('check-merged_vs_adapter')).toContainText('Passed');
  await expect(report.getByTestId('check-gguf_tokenizer')).toContainText('Passed');
  await expect(report.getByTestId('check-gguf_top1')).toContainText(/\d+(\.\d)?% \(\d+ of \d+\)≥ 97%/);
  await expect(dialog.getByLabel('Modelfile', { exact: true })).toContainText(`FROM ./${ADAPTER}.Q8_0.gguf`);
  await dialog.screenshot({ path: testInfo.outputPath('export-report.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await dialog.screenshot({ path: testInfo.outputPath('export-report-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // The download is the file the list describes, byte for byte as long.
  const fileName = `${ADAPTER}.Q8_0.gguf`;
  const listedSize = await dialog.getByTestId(`file-${fileName}`).getByRole('cell').nth(1).getAttribute('data-bytes');
  expect(Number(listedSize)).toBeGreaterThan(0);
  const downloading = page.waitForEvent('download');
  await dialog.getByRole('link', { name: new RegExp(`^Download ${fileName.replace(/\./g, '\\.')} \\(`) }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(fileName);
  expect(statSync(await download.path()).size).toBe(Number(listedSize));

  // Registered back as a model, it can be chatted with beside the adapter.
  await dialog.getByRole('textbox', { name: 'Model name' }).fill(REGISTERED);
  await dialog.getByRole('button', { name: 'Register as a model' }).click();
  await expect(dialog.getByRole('link', { name: 'Chat with it' })).toHaveAttribute(
    'href',
    `/chat/compare?models=${ADAPTER}%2C${REGISTERED}`,
    { timeout: 120_000 },
  );

  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  const row = exports.locator('[data-testid^="export-row-"]');
  await expect(row).toHaveCount(1);
  await expect(row.getByText('Verified')).toBeVisible();
  await expect(row).toContainText('Q8_0');
  await page.screenshot({ path: testInfo.outputPath('export-list.png'), fullPage: true });

  // The export's own page has the same report.
  await row.getByRole('link', { name: new RegExp(`^Open export ${ADAPTER} `) }).click();
  await expect(page.getByRole('heading', { name: `Export ${ADAPTER}`, level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Verification' })).toContainText('GGUF next-token agreement');
  await expect(page.getByRole('link', { name: 'Chat with it' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('export-page.png'), fullPage: true });
});
