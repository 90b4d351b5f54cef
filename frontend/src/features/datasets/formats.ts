import type { DatasetsUploadDatasetData, DatasetVersionOut, DetectionReport } from '../../api/types.gen';

export type ImportFormat = NonNullable<DatasetsUploadDatasetData['body']['format']>;
export type StoredFormat = DatasetVersionOut['format'];
export type SourceFormat = DetectionReport['format'];
export type FileType = DetectionReport['file_type'];

interface FormatInfo {
  label: string;
  /** What the file must look like for this choice (help text of the format select). */
  help: string;
}

export const IMPORT_FORMATS: Record<ImportFormat, FormatInfo> = {
  auto: {
    label: 'Detect automatically',
    help: 'Lathe looks at the first records and picks the format; the report says what it found.',
  },
  messages: {
    label: 'Messages (OpenAI chat)',
    help: 'Each record has "messages": a list of {role, content} with roles system, user, assistant or tool.',
  },
  sharegpt: {
    label: 'ShareGPT',
    help: 'Each record has "conversations": a list of {from, value} with human / gpt (and system) turns.',
  },
  alpaca: {
    label: 'Alpaca',
    help: 'Each record has "instruction", an optional "input" and "output"; stored as a user/assistant conversation.',
  },
  prompt_completion: {
    label: 'Prompt / completion',
    help: 'Each record has "prompt" and "completion"; stored as a user/assistant conversation.',
  },
  text: {
    label: 'Plain text',
    help: 'Each record has "text" (or a TXT file): raw text for continued pretraining.',
  },
  preference: {
    label: 'Preference pairs',
    help: 'Each record has "prompt", "chosen" and "rejected" (strings or message lists), for preference training.',
  },
  table: {
    label: 'Table (keep columns)',
    help: 'Keep the columns as they are (values as strings, nested values as JSON) for a recipe to reshape.',
  },
};

export const IMPORT_FORMAT_OPTIONS = (Object.keys(IMPORT_FORMATS) as ImportFormat[]).map((value) => ({
  value,
  label: IMPORT_FORMATS[value].label,
}));

export function isImportFormat(value: unknown): value is ImportFormat {
  return typeof value === 'string' && value in IMPORT_FORMATS;
}

const SOURCE_LABELS: Record<SourceFormat, string> = {
  messages: 'Messages',
  sharegpt: 'ShareGPT',
  alpaca: 'Alpaca',
  prompt_completion: 'Prompt / completion',
  text: 'Text',
  preference: 'Preference',
  table: 'Table',
};

export function sourceFormatLabel(format: SourceFormat): string {
  return SOURCE_LABELS[format] ?? format;
}

const STORED_COLORS: Record<StoredFormat, string> = {
  messages: 'indigo',
  text: 'gray',
  preference: 'grape',
  table: 'orange',
};

export function storedFormatColor(format: StoredFormat): string {
  return STORED_COLORS[format] ?? 'gray';
}

const FILE_TYPE_LABELS: Record<FileType, string> = {
  jsonl: 'JSON Lines',
  json: 'JSON',
  csv: 'CSV / TSV',
  parquet: 'Parquet',
  txt: 'Text file',
};

export function fileTypeLabel(type: FileType): string {
  return FILE_TYPE_LABELS[type] ?? type;
}

/** Default training max length, the one the server measures token lengths against. */
export const DEFAULT_MAX_LENGTH = 2048;
