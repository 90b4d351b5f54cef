import type { FieldSpec } from '../../../lib/jsonSchema';

export interface FieldGroup {
  key: string;
  title: string;
  /** Field names in the order the form shows them. */
  names: readonly string[];
}

export interface FieldSection {
  group: FieldGroup;
  fields: FieldSpec[];
}

/** Shown open: what most runs change. */
export const BASIC_GROUPS: readonly FieldGroup[] = [
  { key: 'what', title: 'What to train', names: ['model', 'dataset', 'name'] },
  {
    key: 'how',
    title: 'How long and how fast',
    names: ['epochs', 'max_steps', 'learning_rate', 'batch_size', 'max_length', 'lora.r', 'lora.alpha', 'eval_fraction'],
  },
];

/** Folded away: the rest of the config, by theme. */
export const ADVANCED_GROUPS: readonly FieldGroup[] = [
  {
    key: 'data',
    title: 'Data',
    names: ['dataset_version', 'eval_dataset', 'eval_dataset_version', 'completion_only_loss', 'packing'],
  },
  {
    key: 'adapter',
    title: 'Adapter',
    names: ['lora.dropout', 'lora.target_modules', 'lora.use_rslora', 'lora.use_dora', 'lora.init_lora_weights', 'qlora'],
  },
  {
    key: 'optimizer',
    title: 'Optimizer and schedule',
    names: [
      'gradient_accumulation_steps',
      'optimizer',
      'lr_scheduler',
      'warmup_ratio',
      'weight_decay',
      'max_grad_norm',
      'seed',
    ],
  },
  {
    key: 'cadence',
    title: 'Checkpoints, evaluation and logging',
    names: ['save_steps', 'save_total_limit', 'eval_steps', 'logging_steps'],
  },
  { key: 'hardware', title: 'Hardware', names: ['gpus', 'precision', 'gradient_checkpointing', 'kernels'] },
  { key: 'samples', title: 'Sample generations', names: ['sample_prompts', 'sample_max_new_tokens'] },
];

/** Where a field the groups do not name goes (one the backend added since), so every field of
 * the schema has a place. */
const OTHER: FieldGroup = { key: 'other', title: 'Other settings', names: [] };

function sectionsOf(groups: readonly FieldGroup[], byName: Map<string, FieldSpec>): FieldSection[] {
  return groups
    .map((group) => ({
      group,
      fields: group.names.map((name) => byName.get(name)).filter((field) => field !== undefined),
    }))
    .filter((section) => section.fields.length > 0);
}

/** The schema's fields sorted into the basic and the advanced sections. */
export function groupFields(fields: readonly FieldSpec[]): { basic: FieldSection[]; advanced: FieldSection[] } {
  const byName = new Map(fields.map((field) => [field.name, field]));
  const placed = new Set([...BASIC_GROUPS, ...ADVANCED_GROUPS].flatMap((group) => group.names));
  const others = fields.filter((field) => !placed.has(field.name));
  const advanced = sectionsOf(ADVANCED_GROUPS, byName);
  if (others.length > 0) advanced.push({ group: OTHER, fields: others });
  return { basic: sectionsOf(BASIC_GROUPS, byName), advanced };
}
