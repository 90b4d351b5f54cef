import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';

const README_SCREENSHOT = fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url));

test('pull the built-in model as a job, inspect it and its job, then read the system status', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/models$/);
  await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();

  const empty = page.getByRole('status', { name: 'No models yet' });
  await expect(empty).toBeVisible();
  await expect(empty).toContainText('Pull the built-in SmolLM2 model');
  await page.screenshot({ path: testInfo.outputPath('models-empty.png'), fullPage: true });

  const card = page.getByTestId('builtin-smollm2-135m-instruct');
  await card.getByRole('button', { name: 'Pull SmolLM2 135M Instruct' }).click();
  const progress = card.getByRole('progressbar');
  await expect(progress).toBeVisible();
  await expect(card.getByTestId('job-progress-message')).toHaveText(/\S/);
  const jobLink = card.getByRole('link', { name: /^View job #\d+$/ });
  await expect(jobLink).toBeVisible();
  const jobPath = await jobLink.getAttribute('href');
  expect(jobPath).toMatch(/^\/jobs\/\d+$/);
  await page.screenshot({ path: testInfo.outputPath('models-pulling.png'), fullPage: true });

  // Download, extract, convert (~25 s of GGUF loading on 2 cores), save, register.
  const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: /Show details of smollm2/i }) });
  await expect(row).toBeVisible({ timeout: 240_000 });
  await expect(progress).toBeHidden();
  await expect(card.getByText('Pulled')).toBeVisible();
  await expect(empty).toBeHidden();

  const cells = row.getByRole('cell');
  await expect(cells.nth(1)).toHaveText('base');
  await expect(cells.nth(2)).toHaveText('LlamaForCausalLM');
  await expect(cells.nth(3)).toHaveText(/^13\d\.\dM$/);
  await expect(cells.nth(4)).toHaveText('30');
  await expect(cells.nth(5)).toHaveText('576');
  await expect(cells.nth(6)).toHaveText('49,152');
  await expect(cells.nth(7)).toHaveText('8,192');
  await expect(cells.nth(9)).toHaveText('Yes');
  await expect(cells.nth(10)).toHaveText(/MB$/);
  await expect(cells.nth(11)).toHaveText('just now');

  await page.screenshot({ path: README_SCREENSHOT, fullPage: true });
  await page.screenshot({ path: testInfo.outputPath('models-list.png'), fullPage: true });

  await row.getByRole('button', { name: /Show details of/ }).click();
  const drawer = page.getByRole('dialog');
  const facts = drawer.getByRole('table', { name: /Metadata of/ });
  await expect(facts).toBeVisible();
  await expect(facts).toContainText('builtin:smollm2-135m-instruct');
  await expect(facts).toContainText('LlamaForCausalLM');
  await expect(facts).toContainText('49,152');
  await expect(facts.getByRole('row').filter({ hasText: 'Path' })).toContainText(/^Path\/.+\/models\/smollm2-135m-instruct$/);
  await expect(page).toHaveURL(/[?&]model=\d+/);
  await page.screenshot({ path: testInfo.outputPath('model-details.png'), fullPage: true });
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();

  // The pull ran as a job: it is on the Jobs page, succeeded, with its log.
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'Jobs' }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  const jobId = jobPath?.split('/').pop() ?? '';
  const jobRow = page.getByTestId(`job-row-${jobId}`);
  await expect(jobRow).toContainText('Model pull');
  await expect(jobRow).toContainText('Succeeded');
  await page.screenshot({ path: testInfo.outputPath('jobs-list.png'), fullPage: true });
  await jobRow.getByRole('link', { name: `Open job ${jobId}` }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${jobId}$`));
  await expect(page.getByRole('heading', { name: `Job #${jobId}`, level: 1 })).toBeVisible();
  await expect(page.getByLabel('Job parameters')).toContainText('smollm2-135m-instruct');
  await expect(page.getByLabel('Job result')).toContainText('model_id');
  const log = page.getByRole('log', { name: `Log of job ${jobId}` });
  await expect(log).toBeVisible();
  await expect(log).toContainText(/\S/);
  await page.screenshot({ path: testInfo.outputPath('job-detail.png'), fullPage: true });

  await nav.getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole('heading', { name: 'System' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Studio' })).toContainText('LATHE_HOME');
  await expect(page.getByRole('table', { name: 'Studio' })).toContainText('Pulled');
  await expect(page.getByRole('table', { name: 'Libraries' })).toContainText('PyTorch');
  await expect(page.getByRole('table', { name: 'Hardware' })).toContainText('cores');
  await expect(page.getByText('CUDA', { exact: true })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('settings.png'), fullPage: true });
});
