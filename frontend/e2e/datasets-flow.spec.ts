import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

const ROWS = 120;
/** The line of the JSONL file that is not valid JSON. */
const BAD_LINE = 3;

/** A chat JSONL file of ROWS conversations with one broken line at BAD_LINE. */
function chatJsonl(): string {
  const lines: string[] = [];
  for (let index = 1; index <= ROWS; index += 1) {
    if (lines.length + 1 === BAD_LINE) lines.push('{"messages": [{"role": "user", "content": "cut off"}');
    const messages = [
      ...(index % 2 ? [{ role: 'system', content: 'You are Lathe Assistant.' }] : []),
      { role: 'user', content: `Question ${index}:\n  what is ${index} + ${index}?` },
      { role: 'assistant', content: `Answer ${index}: ${index * 2}.` },
    ];
    lines.push(JSON.stringify({ messages }));
  }
  return `${lines.join('\n')}\n`;
}

/** Drops a file on the drop zone as a browser drag and drop does. */
async function dropFile(page: Page, zone: Locator, name: string, content: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ([fileName, text]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], fileName, { type: 'application/x-ndjson' }));
      return transfer;
    },
    [name, content] as const,
  );
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
}

test('upload a JSONL with one bad line, see it reported with its line, and browse the rows', async ({ page }, testInfo) => {
  await page.goto('/datasets');
  await expect(page.getByRole('heading', { name: 'Datasets', level: 1 })).toBeVisible();
  const empty = page.getByRole('status', { name: 'No datasets yet' });
  await expect(empty).toBeVisible();
  await expect(empty.getByRole('button', { name: /Add the sample/ })).toHaveCount(3);
  await page.screenshot({ path: testInfo.outputPath('datasets-empty.png'), fullPage: true });

  const form = page.getByRole('form', { name: 'Upload a dataset' });
  await dropFile(page, form.getByTestId('dataset-dropzone'), 'e2e-chat.jsonl', chatJsonl());
  await expect(form.getByTestId('chosen-file')).toContainText('e2e-chat.jsonl');
  await form.getByRole('textbox', { name: /^Name/ }).fill('e2e-chat');
  await form.getByRole('textbox', { name: /^Description/ }).fill('Arithmetic chats for the end-to-end test');
  await form.getByRole('button', { name: 'Upload', exact: true }).click();

  // The dataset page follows the import job until the version is written.
  await expect(page).toHaveURL(/\/datasets\/\d+$/);
  await expect(page.getByRole('heading', { name: 'e2e-chat', level: 1 })).toBeVisible();
  await expect(page.getByText('Arithmetic chats for the end-to-end test')).toBeVisible();
  const feed = page.getByRole('feed', { name: 'Rows' });
  await expect(feed).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('import-progress')).toBeHidden();
  await expect(page.getByTestId('version-summary')).toContainText(`${ROWS} rows`);

  // Rows: conversations as chat bubbles, whitespace kept.
  const first = feed.getByRole('article', { name: 'Row 1', exact: true });
  await expect(first).toBeVisible();
  const bubbles = first.getByTestId('chat-message');
  await expect(bubbles).toHaveCount(3);
  await expect(bubbles.nth(0)).toHaveAttribute('data-role', 'system');
  await expect(bubbles.nth(1)).toHaveAttribute('data-role', 'user');
  await expect(bubbles.nth(2)).toHaveAttribute('data-role', 'assistant');
  await expect(bubbles.nth(1)).toBeVisible();
  expect(await bubbles.nth(1).locator('.chat-content').textContent()).toBe('Question 1:\n  what is 1 + 1?');
  await expect(bubbles.nth(2)).toContainText('Answer 1: 2.');
  const loaded = page.getByTestId('rows-loaded');
  await expect(loaded).toHaveText(`Showing 50 of ${ROWS} rows`);
  // Virtualised: far fewer rows in the page than loaded.
  expect(await feed.getByRole('article').count()).toBeLessThan(30);
  await page.screenshot({ path: testInfo.outputPath('dataset-rows.png'), fullPage: true });

  await page.getByRole('button', { name: 'Load more rows' }).click();
  await expect(loaded).toHaveText(`Showing 100 of ${ROWS} rows`);
  // Scrolling to the end reads the rest by itself.
  await feed.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
  await expect(loaded).toHaveText(`Showing ${ROWS} of ${ROWS} rows`);
  await feed.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
  await expect(feed.getByRole('article', { name: `Row ${ROWS}`, exact: true })).toBeVisible();
  await expect(feed.getByRole('article', { name: `Row ${ROWS}`, exact: true })).toContainText(`Answer ${ROWS}: ${ROWS * 2}.`);
  await expect(page.getByText('All rows loaded')).toBeVisible();

  // Report: the bad line, with its number and reason.
  await page.getByRole('tab', { name: /Report/ }).click();
  await expect(page).toHaveURL(/[?&]tab=report/);
  const facts = page.getByRole('table', { name: 'Detection report' });
  await expect(facts.getByRole('row', { name: /Records read/ })).toContainText(String(ROWS + 1));
  await expect(facts.getByRole('row', { name: /Rows kept/ })).toContainText(String(ROWS));
  await expect(facts.getByRole('row', { name: /Rows skipped/ })).toContainText('1');
  const problems = page.getByRole('table', { name: 'Problems' });
  await expect(problems.getByTestId('problem-row')).toHaveCount(1);
  const problem = problems.getByTestId('problem-row').first();
  await expect(problem.getByRole('cell').first()).toHaveText(String(BAD_LINE));
  await expect(problem).toContainText(`line ${BAD_LINE}`);
  await expect(problem).toContainText(/invalid JSON/i);
  await page.getByRole('textbox', { name: /Filter problems/ }).fill('no such thing');
  await expect(problems).toBeHidden();
  await page.getByRole('textbox', { name: /Filter problems/ }).fill(String(BAD_LINE));
  await expect(problems.getByTestId('problem-row')).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('dataset-report.png'), fullPage: true });

  // Stats and versions.
  await page.getByRole('tab', { name: /Stats/ }).click();
  const stats = page.getByRole('table', { name: 'Statistics' });
  await expect(stats.getByRole('row', { name: /^Rows/ })).toContainText(String(ROWS));
  await expect(page.getByRole('table', { name: 'Messages per role' })).toContainText('Assistant');
  await expect(page.getByRole('figure', { name: 'Messages per conversation' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('dataset-stats.png'), fullPage: true });

  await page.getByRole('tab', { name: /Versions/ }).click();
  const versions = page.getByRole('table', { name: 'Versions' });
  await expect(versions.getByTestId('version-row-1')).toContainText('upload e2e-chat.jsonl');
  await expect(versions.getByTestId('version-row-1')).toContainText(String(ROWS));

  // A new version, picked with the file input of the upload dialog.
  await page.getByRole('button', { name: 'New version' }).click();
  const dialog = page.getByRole('dialog', { name: 'Upload a new version of e2e-chat' });
  await expect(dialog).toContainText('The file becomes version 2');
  const v2 = [1, 2, 3].map((n) => JSON.stringify({ instruction: `Double ${n}`, input: '', output: String(n * 2) }));
  await dialog.getByTestId('dataset-file-input').setInputFiles({
    name: 'e2e-chat-v2.jsonl',
    mimeType: 'application/x-ndjson',
    buffer: Buffer.from(`${v2.join('\n')}\n`),
  });
  await expect(dialog.getByTestId('chosen-file')).toContainText('e2e-chat-v2.jsonl');
  await dialog.getByRole('button', { name: 'Upload new version' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('combobox', { name: 'Version' })).toHaveValue('v2 · 3 rows (newest)', { timeout: 60_000 });
  await expect(page.getByRole('tab', { name: 'Rows' })).toHaveAttribute('aria-selected', 'true');
  await expect(feed.getByRole('article', { name: 'Row 1', exact: true })).toContainText('Double 1');
  await page.getByRole('tab', { name: /Versions/ }).click();
  await expect(versions.getByRole('row')).toHaveCount(3);
  await versions.getByRole('button', { name: 'Show version 1' }).click();
  await expect(page).toHaveURL(/[?&]version=1/);
  await expect(page.getByRole('combobox', { name: 'Version' })).toHaveValue(`v1 · ${ROWS} rows`);
  await page.getByRole('tab', { name: 'Rows' }).click();
  await expect(feed.getByRole('article', { name: 'Row 1', exact: true })).toContainText('Question 1:');

  // The same page in the dark theme.
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.screenshot({ path: testInfo.outputPath('dataset-rows-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  // The list shows it.
  await page.getByRole('link', { name: 'All datasets' }).click();
  const row = page.getByTestId('dataset-row-e2e-chat');
  await expect(row.getByRole('cell').nth(1)).toHaveText('v2');
  await expect(row.getByRole('cell').nth(2)).toHaveText('messages');
  await expect(row.getByRole('cell').nth(3)).toHaveText('3');
  await page.screenshot({ path: testInfo.outputPath('datasets-list.png'), fullPage: true });
});

test('add a built-in sample, then delete it after confirming', async ({ page }, testInfo) => {
  await page.goto('/datasets');
  await page.getByRole('button', { name: 'Add a sample' }).click();
  await page.getByRole('menuitem', { name: /Preference pairs/ }).click();

  await expect(page).toHaveURL(/\/datasets\/\d+$/);
  await expect(page.getByRole('heading', { name: 'sample-preferences', level: 1 })).toBeVisible();
  const feed = page.getByRole('feed', { name: 'Rows' });
  await expect(feed).toBeVisible({ timeout: 60_000 });
  const first = feed.getByRole('article', { name: 'Row 1', exact: true });
  await expect(first.getByRole('region', { name: 'Chosen reply' })).toBeVisible();
  await expect(first.getByRole('region', { name: 'Rejected reply' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('dataset-preferences.png'), fullPage: true });

  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete sample-preferences?' });
  await expect(confirm).toContainText('This deletes sample-preferences, its 1 version and their files');
  await page.screenshot({ path: testInfo.outputPath('dataset-delete-confirm.png'), fullPage: true });
  await confirm.getByRole('button', { name: 'Delete dataset' }).click();

  await expect(confirm).toBeHidden();
  await expect(page).toHaveURL(/\/datasets$/);
  await expect(page.getByText('sample-preferences was deleted.')).toBeVisible();
  await expect(page.getByTestId('dataset-row-sample-preferences')).toBeHidden();
  await expect(page.getByTestId('dataset-row-e2e-chat')).toBeVisible();
});
