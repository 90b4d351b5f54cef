import type { ExportOut } from '../../api/types.gen';

const FORMAT_LABELS: Readonly<Record<ExportOut['format'], string>> = {
  adapter: 'PEFT adapter',
  merged: 'Merged model',
  gguf: 'GGUF',
};

export function formatLabel(format: ExportOut['format']): string {
  return FORMAT_LABELS[format];
}

/** What tells exports of one adapter apart: its quantisation or dtype ("Q8_0", "fp16"). */
export function variantOf(item: Pick<ExportOut, 'dtype' | 'quant'>): string {
  return item.quant ?? item.dtype ?? '—';
}

/** The last part of a '/'-separated path. */
export function baseName(path: string): string {
  return path.split('/').filter(Boolean).at(-1) ?? path;
}

/** The name a download of the primary artifact is saved under: a folder comes as a tar archive. */
export function primaryFileName(item: Pick<ExportOut, 'primary' | 'primary_is_folder' | 'name'>): string {
  const base = item.primary === '.' ? item.name : baseName(item.primary);
  return item.primary_is_folder ? `${base}.tar` : base;
}

/** A model of the registry can be made from merged and GGUF exports, not from an adapter. */
export function canRegister(item: Pick<ExportOut, 'format'>): boolean {
  return item.format !== 'adapter';
}

/** "GGUF Q8_0", "Merged model fp16", "PEFT adapter". */
export function kindLabel(item: Pick<ExportOut, 'format' | 'dtype' | 'quant'>): string {
  return item.format === 'adapter' ? formatLabel(item.format) : `${formatLabel(item.format)} ${variantOf(item)}`;
}
