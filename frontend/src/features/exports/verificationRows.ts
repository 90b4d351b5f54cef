/** An export's verification checks (the report's `verification` object, check name → numbers)
 * as table rows: what was measured, the limit it is held to, and the verdict. The backend adds
 * checks over time; one this file has no words for still shows with its numbers. */
import { formatMetric } from '../../components/chart/chartMath';
import { sentenceCase } from '../../lib/jsonSchema';

export type Verdict = 'passed' | 'failed' | 'reported';

export interface CheckRow {
  key: string;
  label: string;
  /** What the check measured ("max |Δ logit| 3.2e-6", "98.8% (490 of 496)"). */
  measured: string;
  /** The limit it is held to ("≤ 1e-4", "≥ 97%"), or "—" for a check that only reports. */
  limit: string;
  verdict: Verdict;
  /** The check's other numbers, one "name value" each. */
  details: string[];
}

const LABELS: Readonly<Record<string, string>> = {
  adapter_effect: 'The adapter changes the base model',
  adapter_vs_registered: 'Exported adapter vs the registered one',
  merged_vs_adapter: 'Merged model vs base model + adapter',
  gguf_tokenizer: 'GGUF tokenizer vs the original',
  gguf_top1: 'GGUF next-token agreement with the merged model',
  ollama_template: 'Ollama chat template',
};

/** Keys every check has that the verdict column shows. */
const VERDICT_KEYS = ['passed', 'report_only'];

const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** 0.9879 → "98.8%"; 0.97 → "97%". */
function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1).replace(/\.0$/, '')}%`;
}

function formatValue(key: string, value: unknown): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return /agreement/.test(key) ? percent(value) : formatMetric(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value)
      .map(([name, inner]) => `${formatValue(name, inner)} ${name}`)
      .join(', ');
  }
  return JSON.stringify(value);
}

function detailsOf(check: Record<string, unknown>, shown: ReadonlySet<string>): string[] {
  return Object.entries(check)
    .filter(([key, value]) => !shown.has(key) && value !== null && value !== undefined)
    .map(([key, value]) => `${sentenceCase(key).toLowerCase()} ${formatValue(key, value)}`);
}

interface Measured {
  measured: string;
  limit: string;
  /** The keys of the check these two are made of. */
  used: string[];
}

function measuredAndLimit(check: Record<string, unknown>): Measured {
  const agreement = number(check.agreement);
  const diff = number(check.max_abs_diff);
  const limit = number(check.limit);
  const exceed = number(check.must_exceed);
  const positions = number(check.positions);
  if (agreement !== null) {
    const of = positions !== null ? ` (${Math.round(agreement * positions)} of ${positions})` : '';
    return {
      measured: `${percent(agreement)}${of}`,
      limit: limit !== null ? `≥ ${percent(limit)}` : '—',
      used: ['agreement', 'positions', 'limit'],
    };
  }
  if (typeof check.matching === 'number' && typeof check.prompts === 'number') {
    const template = check.chat_template_matches === false ? '; chat template differs' : '';
    return {
      measured: `${check.matching} of ${check.prompts} prompts encode alike${template}`,
      limit: 'all, same template',
      used: ['matching', 'prompts', 'chat_template_matches'],
    };
  }
  if (typeof check.translated === 'boolean') {
    return { measured: check.translated ? 'translated' : 'not translated', limit: '—', used: ['translated'] };
  }
  if (diff !== null) {
    const bound = exceed !== null ? `> ${formatMetric(exceed)}` : limit !== null ? `≤ ${formatMetric(limit)}` : '—';
    return { measured: `max |Δ logit| ${formatMetric(diff)}`, limit: bound, used: ['max_abs_diff', 'limit', 'must_exceed'] };
  }
  return { measured: '—', limit: limit !== null ? formatMetric(limit) : '—', used: ['limit'] };
}

export function checkRow(key: string, check: Record<string, unknown>): CheckRow {
  const verdict: Verdict = check.report_only === true ? 'reported' : check.passed === true ? 'passed' : 'failed';
  const { measured, limit, used } = measuredAndLimit(check);
  return {
    key,
    label: LABELS[key] ?? sentenceCase(key),
    measured,
    limit,
    verdict,
    details: detailsOf(check, new Set([...VERDICT_KEYS, ...used])),
  };
}

export function verificationRows(verification: Record<string, Record<string, unknown>> | undefined): CheckRow[] {
  return Object.entries(verification ?? {}).map(([key, check]) => checkRow(key, check));
}
