import { expect, test, tinyModelPath } from './fixtures';

test.describe('import and delete', () => {
  // The rejected import is answered 422, which Chromium logs as a failed resource load.
  test.use({ allowedConsoleErrors: [/status of 422/] });

  test('a bad path shows the API error next to the field', async ({ page }, testInfo) => {
    await page.goto('/models');
    const form = page.getByRole('region', { name: 'Import model' });
    const source = form.getByRole('textbox', { name: /Path or hub id/ });
    await source.fill('/definitely/not/a/model');
    await form.getByRole('button', { name: 'Import' }).click();

    await expect(source).toHaveAttribute('aria-invalid', 'true');
    await expect(source).toHaveAccessibleDescription(/\S/);
    const describedBy = await source.getAttribute('aria-describedby');
    expect(describedBy).toBeTruthy();
    const message = page.locator(`[id="${describedBy?.split(' ').find((id) => id.endsWith('-error'))}"]`);
    await expect(message).toBeVisible();
    await expect(message).toContainText('/definitely/not/a/model');
    await page.screenshot({ path: testInfo.outputPath('import-error.png'), fullPage: true });
  });
});

test('import a model folder, then delete it after confirming', async ({ page }, testInfo) => {
  await page.goto('/models');
  const form = page.getByRole('region', { name: 'Import model' });
  await form.getByRole('textbox', { name: /Path or hub id/ }).fill(tinyModelPath());
  await form.getByRole('textbox', { name: /^Name/ }).fill('e2e-tiny-llama');
  await form.getByRole('button', { name: 'Import' }).click();

  const drawer = page.getByRole('dialog', { name: 'e2e-tiny-llama' });
  await expect(drawer).toBeVisible({ timeout: 60_000 });
  await expect(drawer.getByRole('table', { name: 'Metadata of e2e-tiny-llama' })).toContainText('LlamaForCausalLM');
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();

  const row = page.getByTestId('model-row-e2e-tiny-llama');
  await expect(row.getByRole('cell').nth(5)).toHaveText('32');
  await expect(row.getByRole('cell').nth(6)).toHaveText('300');

  await row.getByRole('button', { name: 'Delete e2e-tiny-llama' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete e2e-tiny-llama?' });
  await expect(confirm).toContainText('This removes e2e-tiny-llama from the registry');
  await page.screenshot({ path: testInfo.outputPath('delete-confirm.png'), fullPage: true });
  await confirm.getByRole('button', { name: 'Delete' }).click();

  await expect(confirm).toBeHidden();
  await expect(row).toBeHidden();
  await expect(page.getByText('e2e-tiny-llama was deleted.')).toBeVisible();
});
