import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { expect, jobSucceeded, test, tinyModelPath } from './fixtures';

const FIRST = 'e2e-chat-a';
const SECOND = 'e2e-chat-b';

async function importTinyModel(request: APIRequestContext, name: string): Promise<void> {
  const imported = await request.post('/api/models/import', { data: { source: tinyModelPath(), name } });
  expect(imported.status()).toBe(202);
  await jobSucceeded(request, ((await imported.json()) as { id: number }).id);
}

// The specs share one server: later ones (models-flow) expect a registry without these models.
test.afterEach(async ({ request }) => {
  const listed = await request.get('/api/models?limit=200');
  const models = ((await listed.json()) as { items: Array<{ id: number; name: string }> }).items;
  for (const model of models.filter(({ name }) => name === FIRST || name === SECOND)) {
    await request.post('/api/inference/unload', { data: { model: model.name } });
    expect((await request.delete(`/api/models/${model.id}`)).status()).toBe(204);
  }
});

/** Records the length of the text of `selector` at every change, from now on. */
async function recordTextLengths(page: Page, selector: string): Promise<void> {
  await page.evaluate((watched) => {
    const lengths: number[] = [];
    (window as unknown as { textLengths: number[] }).textLengths = lengths;
    new MutationObserver(() => {
      const element = document.querySelector(watched);
      if (element) lengths.push(element.textContent?.length ?? 0);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, selector);
}

async function setSampling(page: Page, scope: Locator, maxTokens: string): Promise<void> {
  await scope.getByRole('button', { name: /Sampling/ }).click();
  await scope.getByRole('textbox', { name: 'Max tokens' }).fill(maxTokens);
  await scope.getByRole('textbox', { name: 'Seed' }).fill('7');
  await page.keyboard.press('Tab');
}

test('chat with a tiny model: the reply streams in token by token and is kept; then compare two models', async ({
  page,
  request,
}, testInfo) => {
  await importTinyModel(request, FIRST);
  await importTinyModel(request, SECOND);

  await page.goto('/chat');
  const empty = page.getByRole('status', { name: 'Pick a chat or start a new one' });
  await expect(empty).toBeVisible();
  await empty.getByRole('button', { name: 'New chat' }).click();
  await expect(page).toHaveURL(/\/chat\/\d+$/);
  const model = page.getByRole('combobox', { name: 'Model' });
  await model.click();
  await page.getByRole('option', { name: FIRST, exact: true }).click();
  await setSampling(page, page.getByRole('region', { name: 'Settings' }), '120');

  // Every change of the reply's text is recorded: streamed, it grows over several renders.
  await recordTextLengths(page, '[data-testid="chat-live-reply"]');
  const streamed = page.waitForResponse((response) => response.url().endsWith('/v1/chat/completions'));
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('Hello, who are you?');
  await box.press('Enter');

  const response = await streamed;
  expect(response.headers()['content-type']).toContain('text/event-stream');
  const chunks = (await response.text()).split('\n\n').filter((frame) => frame.startsWith('data: {'));
  expect(chunks.length).toBeGreaterThan(3);

  const conversation = page.getByRole('region', { name: 'Conversation' });
  const reply = conversation.getByTestId('chat-message').nth(1);
  await expect(reply).toContainText(`${FIRST} ·`);
  await expect(reply).toContainText(/\d+ tokens?/);
  const lengths = await page.evaluate(() => (window as unknown as { textLengths: number[] }).textLengths);
  const growing = lengths.filter((length, index) => index === 0 || length > (lengths[index - 1] ?? 0));
  expect(new Set(growing).size, `text lengths seen: ${lengths.join(',')}`).toBeGreaterThan(2);
  await expect(page.getByRole('heading', { name: 'Hello, who are you?', level: 2 })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('chat-thread.png'), fullPage: true });

  // The conversation is stored: it is there after a reload.
  const replyText = await reply.textContent();
  await page.reload();
  await expect(conversation.getByTestId('chat-message')).toHaveCount(2);
  expect(await conversation.getByTestId('chat-message').nth(1).textContent()).toBe(replyText);

  // Stop: a long reply is cut off where it was, kept, and marked as stopped.
  await setSampling(page, page.getByRole('region', { name: 'Settings' }), '3000');
  await box.fill('Tell me everything.');
  await box.press('Enter');
  const live = conversation.getByTestId('chat-live-reply');
  await expect(live).toBeVisible();
  // Some tokens are in: the reply is under way when Stop is pressed.
  await expect.poll(async () => ((await live.textContent()) ?? '').length).toBeGreaterThan(40);
  await page.getByRole('button', { name: 'Stop' }).click();
  const stopped = conversation.getByTestId('chat-message').nth(3);
  await expect(stopped).toContainText(`${FIRST} · stopped`);
  // What had streamed in is kept (the label and details come on top of it).
  expect(((await stopped.textContent()) ?? '').length).toBeGreaterThan(40);
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();

  // Compare, as a finished run links to it: the two models answer side by side.
  await page.goto(`/chat/compare?models=${FIRST},${SECOND}`);
  const shared = page.getByRole('region', { name: 'Shared settings' });
  await setSampling(page, shared, '60');
  const compareBox = page.getByRole('textbox', { name: 'Message' });
  await compareBox.fill('Say something.');
  await compareBox.press('Enter');
  for (const [position, name] of [
    [1, FIRST],
    [2, SECOND],
  ] as const) {
    const pane = page.getByRole('region', { name: `Pane ${position}: ${name}` });
    await expect(pane.getByRole('combobox', { name: `Model ${position}` })).toHaveValue(name);
    const answer = pane.getByTestId('chat-message').nth(1);
    await expect(answer).toContainText(new RegExp(`${name} · \\d+ tokens?`), { timeout: 30_000 });
  }
  await expect(page.getByText('Writing', { exact: true })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('chat-compare.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.screenshot({ path: testInfo.outputPath('chat-compare-dark.png'), fullPage: true });
});
