/** The export form's fields, read from the ExportConfig JSON schema in the backend's OpenAPI
 * document (choices, defaults, help), with a one-line note per choice: what a format is for, and
 * what each dtype or quantisation trades in size against quality. */
import { ExportConfigSchema } from '../../api/schemas.gen';
import type { ExportConfig } from '../../api/types.gen';
import { type FieldSpec, fieldsOf, type JsonSchema } from '../../lib/jsonSchema';

export type ExportFormat = NonNullable<ExportConfig['format']>;

export const FORMAT_NOTES: Readonly<Record<string, string>> = {
  adapter: 'The LoRA adapter as PEFT saves it (small): loaded on top of its base model with peft.',
  merged: 'The adapter merged into the base weights: a full transformers model folder, no peft needed.',
  gguf: 'One GGUF file for llama.cpp, Ollama and LM Studio, with an Ollama Modelfile.',
};

export const DTYPE_NOTES: Readonly<Record<string, string>> = {
  fp32: '4 bytes per weight: exact, twice the size of fp16.',
  fp16: '2 bytes per weight: half of fp32, differences far below what changes an answer.',
  bf16: "2 bytes per weight: float32's range with fewer digits, as most GPU-trained models ship.",
};

/** Bits per weight from the GGUF block layouts (32 weights and an fp16 scale per block, plus a
 * minimum for the _1 types); the agreement bars are the ones the export's verification uses. */
export const QUANT_NOTES: Readonly<Record<string, string>> = {
  F32: '32 bits per weight: an exact copy of the merged model, twice the size of F16.',
  BF16: "16 bits per weight: float32's range with fewer digits; near-lossless (97% top-1 agreement or more).",
  F16: '16 bits per weight: practically lossless (99% top-1 agreement or more).',
  Q8_0: '8.5 bits per weight, about half of F16: near-lossless (97% or more), the usual pick.',
  Q5_1: '6 bits per weight, about 38% of F16: a small loss of quality.',
  Q5_0: '5.5 bits per weight, about 34% of F16: a small loss, a little more than Q5_1.',
  Q4_1: '5 bits per weight, about 31% of F16: a noticeable loss, most of all on small models.',
  Q4_0: '4.5 bits per weight, about 28% of F16: the smallest file and the largest loss.',
};

const QUANT_ORDER = Object.keys(QUANT_NOTES);

const byName = new Map(fieldsOf(ExportConfigSchema as unknown as JsonSchema).map((field) => [field.name, field]));

function schemaField(name: keyof ExportConfig, label: string): FieldSpec {
  const field = byName.get(name);
  if (!field) throw new Error(`ExportConfig has no field ${name}: regenerate the API client (make openapi).`);
  return { ...field, label };
}

export const FORMAT_FIELD = schemaField('format', 'Format');
export const DTYPE_FIELD = schemaField('dtype', 'Weights dtype');
export const NAME_FIELD = schemaField('name', 'Name');

function rank(index: number): number {
  return index < 0 ? Number.MAX_SAFE_INTEGER : index;
}

const schemaQuant = schemaField('quant', 'Quantisation');
export const QUANT_FIELD: FieldSpec = {
  ...schemaQuant,
  // Largest first, as people compare them; a type the notes do not know goes last.
  options: [...schemaQuant.options].sort((a, b) => rank(QUANT_ORDER.indexOf(a)) - rank(QUANT_ORDER.indexOf(b))),
};

/** The fields a 422 may name that the form shows; `source` is fixed by where the dialog opens. */
export const FORM_FIELD_NAMES: ReadonlySet<string> = new Set(['format', 'dtype', 'quant', 'name']);

export interface ExportChoices {
  format: ExportFormat;
  dtype: NonNullable<ExportConfig['dtype']>;
  quant: NonNullable<ExportConfig['quant']>;
  /** What the user typed; empty: the server's default name. */
  name: string;
}

export const DEFAULT_CHOICES: ExportChoices = {
  format: FORMAT_FIELD.default as ExportChoices['format'],
  dtype: DTYPE_FIELD.default as ExportChoices['dtype'],
  quant: QUANT_FIELD.default as ExportChoices['quant'],
  name: '',
};

/** The request: only the options the format uses, so the job records what it made. */
export function exportConfig(source: string, choices: ExportChoices): ExportConfig {
  const name = choices.name.trim();
  return {
    source,
    format: choices.format,
    ...(choices.format === 'merged' ? { dtype: choices.dtype } : {}),
    ...(choices.format === 'gguf' ? { quant: choices.quant } : {}),
    ...(name ? { name } : {}),
  };
}
