import { expect, test } from './fixtures';

test('cancel a running job from its page', async ({ page, request }, testInfo) => {
  // A job that takes two minutes unless cancelled, enqueued over the API as a script would.
  const created = await request.post('/api/jobs', { data: { kind: 'sleep', params: { seconds: 120, steps: 120 } } });
  expect(created.status()).toBe(201);
  const job = (await created.json()) as { id: number; status: string };
  expect(job.status).toBe('queued');

  await page.goto('/jobs');
  const row = page.getByTestId(`job-row-${job.id}`);
  await expect(row).toContainText('Sleep');
  // The embedded worker claims it and starts its process; the list stays live meanwhile.
  await expect(row).toContainText('Running', { timeout: 60_000 });
  await expect(row.getByRole('progressbar')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('jobs-running.png'), fullPage: true });

  await row.getByRole('link', { name: `Open job ${job.id}` }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${job.id}$`));
  await expect(page.getByRole('heading', { name: `Job #${job.id}`, level: 1 })).toBeVisible();
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
  await expect(page.getByRole('progressbar', { name: new RegExp(`^Job ${job.id}: \\d+ of 120$`) })).toBeVisible({
    timeout: 30_000,
  });

  await page.getByRole('button', { name: 'Cancel job' }).click();
  const confirm = page.getByRole('dialog', { name: `Cancel job #${job.id}?` });
  await expect(confirm).toContainText('stops at its next step');
  await page.screenshot({ path: testInfo.outputPath('job-cancel-confirm.png'), fullPage: true });
  await confirm.getByRole('button', { name: 'Cancel job' }).click();
  await expect(confirm).toBeHidden();

  await expect(page.getByText('Cancelled', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('alert')).toContainText('This job was cancelled');
  await expect(page.getByRole('button', { name: 'Cancel job' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Retry' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('job-cancelled.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.screenshot({ path: testInfo.outputPath('job-cancelled-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByRole('link', { name: 'All jobs' }).click();
  await page.getByRole('combobox', { name: 'Status' }).selectOption('cancelled');
  await expect(page).toHaveURL(/[?&]status=cancelled/);
  await expect(page.getByTestId(`job-row-${job.id}`)).toContainText('Cancelled');
});
