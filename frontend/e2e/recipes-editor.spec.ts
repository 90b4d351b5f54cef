import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** The canvas node with this id. */
function canvasNode(page: Page, id: string): Locator {
  return page.getByTestId(`rf__node-${id}`);
}

/** Drags a node type from the palette onto the canvas, as a person does (HTML5 drag and drop);
 * `x`, `y`: where it lands, from the canvas's top-left corner. */
async function dropNode(page: Page, title: string, x: number, y: number): Promise<void> {
  const before = await page.locator('.react-flow__node').count();
  await page
    .getByRole('navigation', { name: 'Node palette' })
    .getByRole('button', { name: `Add ${title} node` })
    .dragTo(page.getByTestId('recipe-canvas'), { targetPosition: { x, y } });
  await expect(page.locator('.react-flow__node')).toHaveCount(before + 1);
}

function handle(page: Page, node: string, port: string, kind: 'source' | 'target'): Locator {
  return page.locator(`.react-flow__handle.${kind}[data-nodeid="${node}"][data-handleid="${port}"]`);
}

async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('not on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a wire from an output port to an input port. */
async function dragWire(page: Page, from: string, fromPort: string, to: string, toPort: string): Promise<void> {
  const start = await centre(handle(page, from, fromPort, 'source'));
  const end = await centre(handle(page, to, toPort, 'target'));
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 5 });
  await page.mouse.move(end.x, end.y, { steps: 5 });
  await page.mouse.up();
}

/** Wires two ports and checks the edge is there. */
async function connect(page: Page, from: string, fromPort: string, to: string, toPort: string): Promise<void> {
  await dragWire(page, from, fromPort, to, toPort);
  await expect(page.getByTestId(`rf__edge-${from}.${fromPort}->${to}.${toPort}`)).toHaveCount(1);
}

/** Replaces the text of a CodeMirror field of the inspector. */
async function typeCode(page: Page, fieldId: string, text: string): Promise<void> {
  const editor = page.locator(`#${fieldId}.cm-content`);
  await expect(editor).toBeVisible();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
}

/** The ids of the nodes and edges on the canvas, sorted. */
async function canvasIds(page: Page): Promise<{ nodes: string[]; edges: string[] }> {
  const ids = (selector: string) =>
    page.locator(selector).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-id') ?? '').sort());
  return { nodes: await ids('.react-flow__node'), edges: await ids('.react-flow__edge') };
}

/** Where each node is drawn, in canvas coordinates (its transform), by id. */
async function nodePositions(page: Page): Promise<Record<string, string>> {
  return page
    .locator('.react-flow__node')
    .evaluateAll((nodes) => Object.fromEntries(nodes.map((node) => [node.getAttribute('data-id'), (node as HTMLElement).style.transform])));
}

const ROWS = [
  { instruction: 'Say hello to the new user.', input: '', output: 'Hello, and welcome aboard!' },
  { instruction: 'Add the numbers.', input: '2 and 2', output: 'Two and two make four.' },
];

test.use({ viewport: { width: 1600, height: 1000 } });

test('build a recipe from an empty canvas, fix its problems, preview, run it and open the dataset', async ({ page }, testInfo) => {
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`) });

  await page.goto('/recipes');
  await expect(page.getByRole('heading', { name: 'Recipes', level: 1 })).toBeVisible();
  await expect(page.getByRole('status', { name: 'No recipes yet' })).toBeVisible();
  await shot('recipes-empty');

  await page.getByRole('link', { name: 'New recipe' }).click();
  await expect(page).toHaveURL(/\/recipes\/new$/);
  await expect(page.getByTestId('canvas-empty')).toBeVisible();
  await expect(page.getByTestId('save-state')).toHaveText('Not saved yet');
  // Smaller nodes, so six fit side by side.
  await page.getByRole('button', { name: 'Zoom Out' }).click();
  await page.getByRole('button', { name: 'Zoom Out' }).click();

  // Typed rows: two Alpaca rows, typed in the inspector.
  await dropNode(page, 'Typed rows', 40, 40);
  await expect(canvasNode(page, 'inline')).toBeVisible();
  const inspector = page.getByTestId('inspector-dock');
  await expect(inspector.getByRole('heading', { name: 'Typed rows' })).toBeVisible();
  await page.locator('#recipe-param-inline-rows').fill(JSON.stringify(ROWS, null, 2));
  await expect(canvasNode(page, 'inline')).toContainText('2 rows');

  await dropNode(page, 'Convert format', 240, 40);
  await dropNode(page, 'Filter', 440, 40);
  // A new filter has no expression yet: the node says so.
  await expect(canvasNode(page, 'filter').getByTestId('node-problems')).toContainText('expression');
  await dropNode(page, 'Train / eval split', 40, 250);
  await page.locator('#recipe-param-split-eval_rows').fill('1');
  await dropNode(page, 'Output dataset', 260, 220);
  await page.locator('#recipe-param-output-dataset').fill('e2e-chat-train');
  await dropNode(page, 'Output dataset', 260, 360);
  await page.locator('#recipe-param-output_2-dataset').fill('e2e-chat-eval');

  await connect(page, 'inline', 'out', 'to_messages', 'in');
  await connect(page, 'to_messages', 'out', 'filter', 'in');
  await connect(page, 'filter', 'out', 'split', 'in');
  await connect(page, 'split', 'train', 'output', 'in');
  await connect(page, 'split', 'eval', 'output_2', 'in');
  // An input takes one edge: a second one is refused, with the reason.
  await dropNode(page, 'Sample dataset', 460, 250);
  await dragWire(page, 'samples', 'out', 'filter', 'in');
  await expect(page.getByTestId('connection-hint')).toContainText('already has an input');
  await expect(page.getByTestId('rf__edge-samples.out->filter.in')).toHaveCount(0);
  await canvasNode(page, 'samples').click();
  await page.keyboard.press('Delete');
  await expect(canvasNode(page, 'samples')).toHaveCount(0);

  // A bad expression: the filter node shows the problem; fixing it clears it.
  await canvasNode(page, 'filter').click();
  await typeCode(page, 'recipe-param-filter-expression', 'len(foo) > 2');
  const filterProblems = canvasNode(page, 'filter').getByTestId('node-problems');
  await expect(filterProblems).toContainText("unknown column 'foo'");
  await shot('recipe-problem');
  await typeCode(page, 'recipe-param-filter-expression', 'turns(messages) >= 2');
  await expect(filterProblems).toHaveCount(0);
  await expect(page.getByTestId('validation-state')).toHaveText('Ready to run');

  // Live row counts on the nodes, and the rows of the selected node in the preview panel.
  await expect(canvasNode(page, 'to_messages').getByTestId('node-rows')).toHaveText('2 rows');
  await expect(canvasNode(page, 'output').getByTestId('node-rows')).toHaveText('1 row');
  await canvasNode(page, 'to_messages').click();
  const preview = page.getByTestId('preview-panel');
  await expect(preview).toContainText('Say hello to the new user.');
  await expect(preview).toContainText('Hello, and welcome aboard!');
  await page.getByRole('button', { name: 'Auto-layout' }).click();
  await shot('recipe-built');

  // Save (Ctrl+S): the recipe gets its own address.
  await page.getByRole('textbox', { name: 'Recipe name' }).fill('e2e-alpaca-chat');
  await page.getByRole('textbox', { name: 'Recipe name' }).press('ControlOrMeta+S');
  await expect(page).toHaveURL(/\/recipes\/\d+$/);
  await expect(page.getByTestId('save-state')).toHaveText('Saved · v1');

  // Run: progress per node, then a link to each dataset written.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const run = page.getByTestId('run-panel');
  await expect(run).toBeVisible();
  const trainLink = run.getByTestId('run-output-output');
  await expect(trainLink).toHaveText('e2e-chat-train v1', { timeout: 60_000 });
  await expect(run.getByTestId('run-output-output_2')).toHaveText('e2e-chat-eval v1');
  await expect(canvasNode(page, 'split').getByTestId('node-run')).toHaveText('Run: 2 in → 2 out');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  await shot('recipe-run');

  await trainLink.click();
  await expect(page).toHaveURL(/\/datasets\/\d+/);
  await expect(page.getByRole('heading', { name: 'e2e-chat-train', level: 1 })).toBeVisible();
  await expect(page.getByTestId('version-summary')).toContainText('1 rows');
  await shot('recipe-dataset');
});

test('start from a template, edit with the keyboard, save, reload and find the same graph; restore a version', async ({
  page,
}, testInfo) => {
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
  await page.goto('/recipes');
  await page.getByRole('button', { name: 'From template' }).click();
  await page.getByRole('menuitem', { name: /teach-a-persona/ }).click();
  await expect(page).toHaveURL(/\/recipes\/new\?template=persona$/);
  await expect(page.getByRole('textbox', { name: 'Recipe name' })).toHaveValue('teach-a-persona');
  await expect(page.locator('.react-flow__node')).toHaveCount(6);
  // The built-in samples preview at once: every node has its rows.
  await expect(canvasNode(page, 'train').getByTestId('node-rows')).toBeVisible();
  await expect(page.getByTestId('validation-state')).toHaveText('Ready to run');
  const template = await canvasIds(page);
  expect(template.nodes).toEqual(['eval', 'identity', 'instructions', 'mix', 'split', 'train']);

  // A wire that would close a cycle is refused, with the reason.
  await dragWire(page, 'split', 'train', 'mix', 'inputs');
  await expect(page.getByTestId('connection-hint')).toContainText('cycle');
  expect((await canvasIds(page)).edges).toEqual(template.edges);

  // Copy and paste with new ids; undo and redo from the keyboard.
  await canvasNode(page, 'split').click();
  await page.keyboard.press('ControlOrMeta+C');
  await page.keyboard.press('ControlOrMeta+V');
  await expect(canvasNode(page, 'split_2')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(canvasNode(page, 'split_2')).toHaveCount(0);
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  await expect(canvasNode(page, 'split_2')).toBeVisible();
  await page.keyboard.press('Delete');
  await expect(canvasNode(page, 'split_2')).toHaveCount(0);
  // The shortcuts are listed in the help popover.
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(page.getByRole('table', { name: 'Keyboard shortcuts' })).toContainText('Undo');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page).toHaveURL(/\/recipes\/\d+$/);
  await expect(page.getByTestId('save-state')).toHaveText('Saved · v1');
  const saved = await canvasIds(page);
  const positions = await nodePositions(page);
  expect(saved).toEqual(template);
  await shot('template-saved');

  await page.reload();
  await expect(page.locator('.react-flow__node')).toHaveCount(6);
  expect(await canvasIds(page)).toEqual(saved);
  expect(await nodePositions(page)).toEqual(positions);
  await expect(page.getByTestId('save-state')).toHaveText('Saved · v1');

  // A second version, then the first restored onto the canvas (unsaved until saved).
  await canvasNode(page, 'eval').click();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('save-state')).toHaveText('● Unsaved changes');
  await page.keyboard.press('ControlOrMeta+S');
  await expect(page.getByTestId('save-state')).toHaveText('Saved · v2');
  await expect(page.locator('.react-flow__node')).toHaveCount(5);
  await page.getByRole('button', { name: 'Versions' }).click();
  await page.getByRole('menuitem', { name: /^v1 / }).click();
  await expect(page.locator('.react-flow__node')).toHaveCount(6);
  await expect(page.getByTestId('save-state')).toHaveText('● Unsaved changes');
  await shot('template-restored');

  // Export the saved version as YAML, then import it (renamed) as a new recipe.
  await page.getByRole('button', { name: 'Import and export' }).click();
  const downloading = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: /Export YAML \(v2/ }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('teach-a-persona-v2.yaml');
  const { readFile } = await import('node:fs/promises');
  const yaml = await readFile((await download.path()) as string, 'utf8');
  expect(yaml).toMatch(/^name: teach-a-persona$/m);
  expect(yaml).not.toContain('id: eval');

  await page.goto('/recipes');
  await expect(page.getByTestId('recipe-row-teach-a-persona')).toContainText('v2');
  await page.getByTestId('recipe-import-input').setInputFiles({
    name: 'persona.yaml',
    mimeType: 'application/yaml',
    buffer: Buffer.from(yaml.replace(/^name: .*$/m, 'name: persona-imported')),
  });
  await expect(page).toHaveURL(/\/recipes\/\d+$/);
  await expect(page.getByRole('textbox', { name: 'Recipe name' })).toHaveValue('persona-imported');
  await expect(page.locator('.react-flow__node')).toHaveCount(5);
  await expect(page.getByTestId('save-state')).toHaveText('Saved · v1');
});
