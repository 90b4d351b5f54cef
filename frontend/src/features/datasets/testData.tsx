/** Fixtures and helpers for the datasets tests. */
import { render } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import type { ReactElement } from 'react';
import type {
  DatasetDetail,
  DatasetOut,
  DatasetStats,
  DatasetVersionDetail,
  DatasetVersionOut,
  DetectionReport,
  SampleInfo,
} from '../../api/types.gen';
import { AppProviders } from '../../AppProviders';
import { createQueryClient } from '../../lib/queryClient';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export function conversation(index: number): Record<string, unknown> {
  return {
    messages: [
      { role: 'user', content: `Question ${index}` },
      { role: 'assistant', content: `Answer ${index}` },
    ],
  };
}

export const chatVersion: DatasetVersionOut = {
  id: 11,
  dataset_id: 7,
  version: 1,
  format: 'messages',
  source: 'upload chat.jsonl',
  row_count: 120,
  columns: [{ name: 'messages', type: 'messages' }],
  content_hash: 'a79b527c9cf0ce8e608079c1ebe77acb9161eb2b6352cef40dca1bdbaf5785f4',
  size_bytes: 48_213,
  job_id: 40,
  recipe_version_id: null,
  created_at: minutesAgo(10),
};

export const chatDataset: DatasetOut = {
  id: 7,
  name: 'chat',
  description: 'Support conversations',
  job_id: 40,
  created_at: minutesAgo(11),
  updated_at: minutesAgo(10),
  latest: chatVersion,
};

export function detailOf(dataset: DatasetOut, versions: DatasetVersionOut[]): DatasetDetail {
  return { ...dataset, latest: versions.at(-1) ?? null, versions };
}

export const chatReport: DetectionReport = {
  file_type: 'jsonl',
  format: 'sharegpt',
  canonical_format: 'messages',
  columns: ['conversations'],
  rows: { total: 123, valid: 120, skipped: 3 },
  samples: [],
  problems: [
    { line: 2, record: 2, reason: "line 2: invalid JSON at column 43: Expecting ',' delimiter" },
    { line: 17, record: 17, reason: 'line 17: no assistant turn' },
    { line: 90, record: 90, reason: "line 90: unknown role 'narrator'" },
  ],
  problem_count: 3,
};

export const chatStats: DatasetStats = {
  rows: 120,
  columns: [{ name: 'messages', type: 'messages' }],
  format: 'messages',
  turns: {
    min: 2,
    mean: 2.5,
    max: 3,
    histogram: [
      { min: 0, max: 1, count: 0 },
      { min: 2, max: 2, count: 60 },
      { min: 3, max: null, count: 60 },
    ],
  },
  roles: { assistant: 120, system: 60, user: 120 },
  characters: null,
  tokens: {
    model: 'smollm2-135m-instruct',
    max_length: 64,
    min: 9,
    mean: 40.2,
    p50: 38,
    p95: 70,
    max: 90,
    over_max_length: 12,
    over_max_length_share: 0.1,
    histogram: [
      { min: 0, max: 16, count: 8 },
      { min: 17, max: 32, count: 40 },
      { min: 33, max: 64, count: 60 },
      { min: 65, max: null, count: 12 },
    ],
  },
};

export function versionDetail(
  version: DatasetVersionOut,
  overrides: Partial<DatasetVersionDetail> = {},
): DatasetVersionDetail {
  return { ...version, report: chatReport, stats: chatStats, ...overrides };
}

export const samples: SampleInfo[] = [
  {
    key: 'identity',
    name: 'Lathe identity',
    description: 'Conversations that teach a model a name and persona.',
    format: 'messages',
    rows: 114,
  },
  {
    key: 'preferences',
    name: 'Preference pairs',
    description: 'Prompts with a chosen and a rejected reply.',
    format: 'preference',
    rows: 62,
  },
];

/** Rows `from`..`to` (exclusive) of a version of `total` conversations, as the API pages them. */
export function rowPage(from: number, to: number, total: number) {
  const rows = [];
  for (let index = from; index < Math.min(to, total); index += 1) rows.push(conversation(index + 1));
  const end = from + rows.length;
  return { rows, offset: from, total, next_cursor: end < total ? `c${end}` : null };
}

/** The endpoints of one dataset: detail, versions, rows (paged by `c<offset>` cursors). */
export function datasetHandlers(
  detail: () => DatasetDetail,
  version: (number: number) => DatasetVersionDetail | null = (n) => {
    const found = detail().versions.find((v) => v.version === n);
    return found ? versionDetail(found) : null;
  },
) {
  const id = detail().id;
  return [
    http.get(`*/api/datasets/${id}`, () => HttpResponse.json(detail())),
    http.get(`*/api/datasets/${id}/versions/:version`, ({ params }) => {
      const found = version(Number(params.version));
      return found
        ? HttpResponse.json(found)
        : HttpResponse.json({ error: { code: 'not_found', message: 'no such version', details: null } }, { status: 404 });
    }),
    http.get(`*/api/datasets/${id}/versions/:version/rows`, ({ request, params }) => {
      const found = version(Number(params.version));
      const cursor = new URL(request.url).searchParams.get('cursor');
      const from = cursor ? Number(cursor.slice(1)) : 0;
      return HttpResponse.json(rowPage(from, from + 50, found?.row_count ?? 0));
    }),
  ];
}

/** Renders one component inside the app's providers (theme, query client, modals). */
export function renderWithProviders(ui: ReactElement) {
  const queryClient = createQueryClient();
  return render(<AppProviders queryClient={queryClient}>{ui}</AppProviders>);
}

/** Gives elements a laptop-sized box, so the virtualised row list lays rows out in jsdom (which
 * has no layout): the row list is 800 px high, every other element 120 px. */
export function withLayout(): () => void {
  const sizes: Record<string, (element: HTMLElement) => number> = {
    clientHeight: (element) => (element.getAttribute('data-testid') === 'dataset-rows' ? 800 : 120),
    offsetHeight: (element) => (element.getAttribute('data-testid') === 'dataset-rows' ? 800 : 120),
    clientWidth: () => 1000,
    offsetWidth: () => 1000,
  };
  const originals = Object.keys(sizes).map(
    (name) => [name, Object.getOwnPropertyDescriptor(HTMLElement.prototype, name)] as const,
  );
  for (const [name, size] of Object.entries(sizes)) {
    Object.defineProperty(HTMLElement.prototype, name, {
      configurable: true,
      get(this: HTMLElement) {
        return size(this);
      },
    });
  }
  return () => {
    for (const [name, descriptor] of originals) {
      if (descriptor) Object.defineProperty(HTMLElement.prototype, name, descriptor);
      else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[name];
    }
  };
}
