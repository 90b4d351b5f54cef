import type { ModelOut } from '../../api/types.gen';
import type { Fact } from '../../components/FactList';
import { formatBytes, formatCount, formatDateTime, formatInteger, formatYesNo } from '../../components/format';


/** Where the model's files are: `path` is relative to LATHE_HOME/models (absolute paths kept). */
export function modelLocation(path: string, latheHome: string | undefined): string {
  if (path.startsWith('/')) return path;
  return `${latheHome ? latheHome.replace(/\/+$/, '') : 'LATHE_HOME'}/models/${path}`;
}

/** Every piece of a model's metadata, in the order the details view lists it. */
export function modelFacts(model: ModelOut, latheHome?: string): Fact[] {
  return [
    { label: 'Kind', value: model.kind === 'adapter' ? 'LoRA adapter' : 'Base model' },
    { label: 'Architecture', value: model.architecture ?? '—', mono: true },
    { label: 'Model type', value: model.model_type ?? '—', mono: true },
    {
      label: 'Parameters',
      value:
        model.parameter_count === null
          ? '—'
          : `${formatCount(model.parameter_count)} (${formatInteger(model.parameter_count)})`,
    },
    { label: 'Layers', value: formatInteger(model.num_layers) },
    { label: 'Hidden size', value: formatInteger(model.hidden_size) },
    { label: 'Vocabulary', value: formatInteger(model.vocab_size) },
    { label: 'Context length', value: formatInteger(model.context_length) },
    { label: 'Dtype', value: model.dtype ?? '—', mono: true },
    { label: 'Chat template', value: formatYesNo(model.has_chat_template) },
    { label: 'Size on disk', value: formatBytes(model.size_bytes) },
    { label: 'Parent model', value: model.parent_id === null ? '—' : `#${model.parent_id}` },
    { label: 'Source', value: model.source, mono: true },
    { label: 'Path', value: modelLocation(model.path, latheHome), mono: true },
    { label: 'Created', value: formatDateTime(model.created_at) },
    { label: 'Id', value: String(model.id), mono: true },
  ];
}
