import type { RecipeNodeData } from './types';

const MAX = 90;

function clip(text: string, max = MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const list = (values: readonly string[] | null | undefined) => (values?.length ? values.join(', ') : '');
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** One short line about a node's params, as the canvas shows it. */
export function paramSummary(data: RecipeNodeData): string {
  switch (data.kind) {
    case 'dataset': {
      const { dataset, version } = data.params;
      if (dataset === '') return 'Choose a dataset';
      return `${dataset}${version ? ` v${version}` : ' (newest)'}`;
    }
    case 'samples':
      return data.params.key ? `sample: ${data.params.key}` : 'Choose a sample';
    case 'inline':
      return plural(data.params.rows.length, 'row');
    case 'to_messages':
      return `from ${data.params.source_format ?? 'auto'}`;
    case 'template':
      return clip(`${data.params.column ?? 'text'} = ${data.params.template}`);
    case 'filter':
      return data.params.expression ? clip(data.params.expression) : 'Write an expression';
    case 'select':
      return list(data.params.columns) ? `keep ${clip(list(data.params.columns))}` : 'Choose columns';
    case 'drop':
      return list(data.params.columns) ? `drop ${clip(list(data.params.columns))}` : 'Choose columns';
    case 'rename': {
      const pairs = Object.entries(data.params.columns).map(([from, to]) => `${from} → ${to}`);
      return pairs.length ? clip(pairs.join(', ')) : 'Choose columns';
    }
    case 'system_prompt':
      return data.params.prompt ? clip(`${data.params.mode ?? 'add'}: ${data.params.prompt}`) : 'Write a system prompt';
    case 'dedupe':
      return data.params.mode === 'near' ? `near duplicates ≥ ${data.params.threshold ?? 0.8}` : 'exact duplicates';
    case 'token_length': {
      const { model, min_tokens: min, max_tokens: max } = data.params;
      const range = [min != null ? `≥ ${min}` : '', max != null ? `≤ ${max}` : ''].filter(Boolean).join(' ');
      return clip(`${model || 'choose a model'}${range ? `: ${range} tokens` : ''}`);
    }
    case 'sample': {
      const { limit, fraction, shuffle } = data.params;
      const parts = [shuffle ? 'shuffle' : '', limit != null ? `≤ ${limit} rows` : '', fraction != null ? `${fraction * 100}%` : ''];
      return parts.filter(Boolean).join(', ') || 'all rows';
    }
    case 'split': {
      const { eval_rows: rows, eval_fraction: fraction } = data.params;
      if (rows != null) return `eval: ${plural(rows, 'row')}`;
      return `eval: ${Math.round((fraction ?? 0.1) * 1000) / 10}%`;
    }
    case 'mix':
      return `${data.params.mode ?? 'proportion'}${data.params.rows != null ? `, ${data.params.rows} rows` : ''}`;
    case 'generate':
      return data.params.prompt ? clip(`${data.params.model || '?'}: ${data.params.prompt}`) : 'Write a prompt';
    case 'judge':
      return data.params.rubric ? clip(`${data.params.model || '?'}: ${data.params.rubric}`) : 'Write a rubric';
    case 'output':
      return data.params.dataset ? `→ ${data.params.dataset} (${data.params.format ?? 'messages'})` : 'Name the dataset';
  }
}
