import type { Locator, Page } from '@playwright/test';
import { expect, importTinyModelAndIdentity, test } from './fixtures';

const MODEL = 'e2e-train-tiny';
const DATASET = 'e2e-identity';
const STEPS = 200;

async function choose(page: Page, combobox: Locator, option: string): Promise<void> {
  await combobox.click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** The number of train-loss points the loss chart says it draws. */
async function trainPoints(chart: Locator): Promise<number> {
  const description = (await chart.getAttribute('aria-describedby')) ?? '';
  const text = (await chart.page().locator(`[id="${description}"]`).textContent()) ?? '';
  return Number(/Train loss: (\d+) point/.exec(text)?.[1] ?? 0);
}

test('train a tiny model from the form: the loss chart fills live, stop, resume, finish', async ({ page, request }, testInfo) => {
  // The model and the data come in over the API, as a script would; the run starts from the form.
  await importTinyModelAndIdentity(request, MODEL, DATASET);

  await page.goto('/training');
  const empty = page.getByRole('status', { name: 'No training runs yet' });
  await expect(empty).toBeVisible();
  await empty.getByRole('link', { name: 'Start a run' }).click();
  await expect(page.getByRole('heading', { name: 'New training run', level: 1 })).toBeVisible();

  // Small, but long enough (STEPS at about 17 steps/s on an idle 2-core machine) that Stop lands
  // while it trains; a checkpoint and an eval every 50 steps.
  await page.getByRole('textbox', { name: 'Max steps' }).fill(String(STEPS));
  await page.getByRole('textbox', { name: 'Max length' }).fill('128');
  await page.getByRole('textbox', { name: 'Batch size' }).fill('2');
  await page.getByRole('textbox', { name: 'LoRA rank' }).fill('4');
  await page.getByRole('textbox', { name: 'Eval fraction' }).fill('0.1');
  await page.getByRole('button', { name: 'Checkpoints, evaluation and logging' }).click();
  await page.getByRole('textbox', { name: 'Save steps' }).fill('50');
  await page.getByRole('textbox', { name: 'Eval steps' }).fill('50');
  await page.getByRole('button', { name: 'Sample generations' }).click();
  await page.getByRole('textbox', { name: 'Sample prompts' }).fill('What is your name?');
  await page.getByRole('textbox', { name: 'Sample max new tokens' }).fill('8');
  await choose(page, page.getByRole('combobox', { name: 'Base model' }), MODEL);
  await choose(page, page.getByRole('combobox', { name: 'Dataset' }), DATASET);

  const estimate = page.getByRole('region', { name: 'Estimate' });
  await expect(estimate.getByText('Fits', { exact: true })).toBeVisible();
  await expect(estimate).toContainText('Peak memory');
  await page.screenshot({ path: testInfo.outputPath('training-new-run.png'), fullPage: true });
  await page.getByRole('button', { name: 'Start training' }).click();

  // The run page: the loss chart gets points over the metrics stream while the run trains.
  await expect(page).toHaveURL(/\/training\/\d+$/);
  const runId = Number(/\/training\/(\d+)$/.exec(page.url())?.[1]);
  await expect(page.getByRole('heading', { name: `Run #${runId}`, level: 1 })).toBeVisible();
  const loss = page.getByRole('img', { name: 'Loss' });
  await expect(loss).toHaveAccessibleDescription(/Train loss: \d+ points?, step 1 to \d+/, { timeout: 60_000 });
  await page.screenshot({ path: testInfo.outputPath('training-live.png'), fullPage: true });

  // Stop: the run saves a checkpoint at the step it stops at.
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: `Stop run #${runId}?` });
  await expect(confirm).toContainText('saves a checkpoint');
  await confirm.getByRole('button', { name: 'Stop run' }).click();
  await expect(page.getByText('Cancelled', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('alert')).toContainText('This run was stopped at step');
  // Both streams (job events, metrics) end once the last points of the stopped run are in.
  await expect(page.getByText('Live', { exact: true })).toHaveCount(0);
  const checkpoints = page.getByRole('table', { name: 'Checkpoints' });
  await expect(checkpoints).toContainText('checkpoint-');
  const stoppedAt = await trainPoints(loss);
  expect(stoppedAt).toBeGreaterThan(0);
  expect(stoppedAt).toBeLessThan(STEPS);

  // What the chart drew survives a reload: it reads the points so far, then follows.
  await page.reload();
  await expect(loss).toHaveAccessibleDescription(new RegExp(`Train loss: ${stoppedAt} points?`));
  await page.screenshot({ path: testInfo.outputPath('training-stopped.png'), fullPage: true });

  // Resume: a retried run continues from its newest checkpoint and finishes.
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByText('Succeeded', { exact: true })).toBeVisible({ timeout: 180_000 });
  await expect(loss).toHaveAccessibleDescription(
    new RegExp(`Train loss: ${STEPS} points, step 1 to ${STEPS}, latest [\\d.]+\\. Eval loss: \\d+ points?`),
  );
  await expect(page.getByRole('log', { name: `Log of job ${runId}` })).toContainText('resuming from checkpoint-');
  const adapter = page.getByRole('region', { name: 'Adapter' });
  await expect(adapter.getByRole('link', { name: 'Open adapter' })).toBeVisible();
  await expect(adapter.getByRole('link', { name: 'Chat with this' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Sample generations' })).toContainText('What is your name?');
  await page.screenshot({ path: testInfo.outputPath('training-finished.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.screenshot({ path: testInfo.outputPath('training-finished-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByRole('link', { name: 'All runs' }).click();
  const row = page.getByTestId(`run-row-${runId}`);
  await expect(row).toContainText('Succeeded');
  await expect(row.getByRole('img', { name: new RegExp(`^Train loss of run ${runId} from`) })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('training-runs.png'), fullPage: true });
});
