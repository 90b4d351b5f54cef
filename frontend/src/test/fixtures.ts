import type { BuiltinModelOut, Health, ModelOut, SystemInfo } from '../api/types.gen';

export const smollm: ModelOut = {
  id: 1,
  name: 'smollm2-135m-instruct',
  kind: 'base',
  source: 'builtin:smollm2-135m-instruct',
  path: 'smollm2-135m-instruct',
  architecture: 'LlamaForCausalLM',
  model_type: 'llama',
  parameter_count: 134_515_008,
  num_layers: 30,
  hidden_size: 576,
  vocab_size: 49_152,
  context_length: 8192,
  dtype: 'float32',
  has_chat_template: true,
  size_bytes: 538_090_408,
  parent_id: null,
  created_at: new Date(Date.now() - 5 * 60_000).toISOString(),
};

export const tinyLlama: ModelOut = {
  ...smollm,
  id: 2,
  name: 'tiny-llama',
  source: 'path:/tmp/tiny-llama',
  path: 'tiny-llama',
  parameter_count: 26_720,
  num_layers: 2,
  hidden_size: 32,
  vocab_size: 128,
  context_length: 2048,
  has_chat_template: false,
  size_bytes: 110_000,
};

export const builtinEntry: BuiltinModelOut = {
  key: 'smollm2-135m-instruct',
  display_name: 'SmolLM2 135M Instruct',
  description: 'A 135M-parameter chat model from Hugging Face, small enough for a laptop CPU.',
  download_bytes: 95_000_000,
  pulled: false,
  model_id: null,
};

export const health: Health = { status: 'ok', version: '0.1.0' };

export const systemInfo: SystemInfo = {
  lathe_version: '0.1.0',
  python_version: '3.11.2',
  platform: 'Linux-6.1.0-x86_64-with-glibc2.36',
  torch_version: '2.13.0+cpu',
  transformers_version: '5.23.0',
  peft_version: '0.21.2',
  triton_version: '3.9.0',
  gguf_version: '0.19.0',
  cpu_count: 2,
  cpu_model: 'Intel(R) Xeon(R) CPU',
  memory_total_bytes: 8_000_000_000,
  memory_available_bytes: 5_000_000_000,
  cuda_available: false,
  cuda_devices: [],
  triton_usable: true,
  triton_mode: 'interpreter',
  training_kernels: false,
  lathe_home: '/home/user/.lathe',
  database_url: 'sqlite:////home/user/.lathe/lathe.db',
  default_model_present: false,
};

export function errorBody(code: string, message: string, details: unknown = null) {
  return { error: { code, message, details } };
}
