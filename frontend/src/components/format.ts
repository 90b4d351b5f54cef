/** Humanised numbers, sizes and times for tables and detail views. */

const COUNT_UNITS: ReadonlyArray<[number, string]> = [
  [1e3, 'K'],
  [1e6, 'M'],
  [1e9, 'B'],
  [1e12, 'T'],
];

/** 134_515_008 → "134.5M"; 1_711_376_384 → "1.7B"; 950 → "950"; 999_960 → "1M". */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs < 999.5) return String(Math.round(value));
  let index = COUNT_UNITS.findLastIndex(([size]) => abs >= size);
  // Rounding can carry into the next unit (999_960 → "1000.0K"): use the next one instead.
  if (index < 0 || (index < COUNT_UNITS.length - 1 && abs / COUNT_UNITS[index]![0] >= 999.95)) index += 1;
  const [size, suffix] = COUNT_UNITS[index]!;
  return `${trimZero((value / size).toFixed(1))}${suffix}`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Decimal units: 269_060_000 → "269.1 MB"; 0 → "0 B". */
export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value) || value < 0) return '—';
  let unit = 0;
  let scaled = value;
  while (scaled >= 999.95 && unit < BYTE_UNITS.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  const text = unit === 0 ? String(Math.round(scaled)) : trimZero(scaled.toFixed(1));
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** Plain integers with grouping: 49152 → "49,152". */
export function formatInteger(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return new Intl.NumberFormat('en-US').format(value);
}

const RELATIVE_STEPS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "just now", "5 minutes ago", "yesterday", "3 months ago" (also future: "in 2 hours"). */
export function formatRelativeTime(value: string | Date, now: Date = new Date()): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return relativeFormat.format(Math.round(seconds / 60) || Math.sign(seconds), 'minute');
}

/** Full local date and time for titles and detail views. */
export function formatDateTime(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatYesNo(value: boolean | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value ? 'Yes' : 'No';
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/** Elapsed time between two instants: "0.4 s", "42 s", "3 min 05 s", "2 h 07 min". */
export function formatDuration(start: string | Date | null | undefined, end: string | Date | null | undefined): string {
  if (!start || !end) return '—';
  const ms = new Date(end).getTime() - new Date(start).getTime();
  if (!Number.isFinite(ms)) return '—';
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 10) return `${trimZero(seconds.toFixed(1))} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** A length of time in seconds, written as formatDuration writes elapsed time: "3 min 05 s". */
export function formatSeconds(seconds: number): string {
  return formatDuration(new Date(0), new Date(seconds * 1000));
}
