import { http, HttpResponse } from 'msw';
import type {
  PreviewResult,
  RecipeDetail,
  RecipeGraph,
  RecipeOut,
  RecipeTemplate,
  ValidateResult,
} from '../../api/types.gen';
import { alpacaGraph, nodeTypes } from './testData';

const at = '2026-01-02T10:00:00Z';

export const alpacaTemplate: RecipeTemplate = {
  key: 'alpaca-to-chat',
  name: 'alpaca-to-chat',
  description: 'Turn Alpaca rows into chats and split them.',
  yaml: 'name: alpaca-to-chat\n',
  graph: alpacaGraph,
};

export const personaTemplate: RecipeTemplate = {
  key: 'persona',
  name: 'teach-a-persona',
  description: 'Teach the model a persona from the built-in sample.',
  yaml: 'name: teach-a-persona\n',
  graph: { schema_version: 1, nodes: [{ id: 'identity', type: 'samples', params: { key: 'identity' }, position: { x: 0, y: 0 } }], edges: [] },
};

export function recipeOut(overrides: Partial<RecipeOut> = {}): RecipeOut {
  return {
    id: 7,
    name: 'alpaca-chat',
    description: 'Chats from Alpaca rows',
    created_at: at,
    updated_at: at,
    latest_version: 2,
    node_count: 6,
    ...overrides,
  };
}

export function recipeDetail(graph: RecipeGraph = alpacaGraph, overrides: Partial<RecipeOut> = {}): RecipeDetail {
  const out = recipeOut(overrides);
  return {
    ...out,
    node_count: graph.nodes.length,
    latest: { id: 20 + out.latest_version, recipe_id: out.id, version: out.latest_version, created_at: at, graph, problems: [] },
    versions: Array.from({ length: out.latest_version }, (_, index) => ({ id: 21 + index, version: index + 1, created_at: at })),
  };
}

/** Every node ran and kept its one row. */
export function previewOf(graph: RecipeGraph): PreviewResult {
  return {
    nodes: graph.nodes.map((node) => ({
      node_id: node.id,
      type: node.type,
      status: 'ok',
      problems: [],
      stats: { rows_in: 1, rows_out: 1, seconds: 0.001 },
      outputs: { out: { columns: [{ name: 'messages', type: 'messages' }], rows: [] } },
    })),
    problems: [],
    seconds: 0.01,
  };
}

/** The editor's endpoints: node types, templates, a list, validation (clean) and preview. */
export function editorHandlers(recipes: RecipeOut[] = []) {
  return [
    http.get('*/api/recipes/node-types', () => HttpResponse.json(nodeTypes)),
    http.get('*/api/recipes/templates', () => HttpResponse.json([alpacaTemplate, personaTemplate])),
    http.get('*/api/recipes', () => HttpResponse.json({ items: recipes, next_cursor: null })),
    http.post('*/api/recipes/validate', () => HttpResponse.json({ valid: true, problems: [] } satisfies ValidateResult)),
    http.post('*/api/recipes/preview', async ({ request }) => {
      const { graph } = (await request.json()) as { graph: RecipeGraph };
      return HttpResponse.json(previewOf(graph));
    }),
    http.get('*/api/datasets', () => HttpResponse.json({ items: [], next_cursor: null })),
  ];
}
