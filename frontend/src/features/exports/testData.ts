/** Fixtures and msw handlers for the export tests: exports as the API describes them, with the
 * verification checks the backend's builders write. */
import { http, HttpResponse } from 'msw';
import type { ExportDetail, ExportOut, JobOut } from '../../api/types.gen';
import { makeJob } from '../../test/jobs';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export const ADAPTER = { id: 9, name: 'chat-lora' };

const GGUF_SHA = 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12';
const MODELFILE_SHA = '0f0e0d0c0b0a09080706050403020100ffeeddccbbaa99887766554433221100';

export function makeExport(overrides: Partial<ExportOut> = {}): ExportOut {
  return {
    id: 3,
    job_id: 30,
    source_model_id: ADAPTER.id,
    source_model_name: ADAPTER.name,
    format: 'gguf',
    dtype: null,
    quant: 'Q8_0',
    name: 'chat-lora',
    path: '3',
    primary: 'chat-lora.Q8_0.gguf',
    primary_is_folder: false,
    size_bytes: 145_001_234,
    sha256: GGUF_SHA,
    passed: true,
    registered_model_id: null,
    download_path: '/api/exports/3/download',
    created_at: minutesAgo(4),
    ...overrides,
  };
}

export const ggufVerification = {
  adapter_effect: { max_abs_diff: 0.52, top1_changed: 240, positions: 496, must_exceed: 0, passed: true },
  merged_vs_adapter: {
    max_abs_diff: 3.1e-6,
    limit: 0.0001,
    logit_scale: 1,
    below_half_adapter_effect: true,
    passed: true,
    prompts: 4,
    positions: 496,
    top1_agreement: 1,
  },
  gguf_tokenizer: { prompts: 4, matching: 4, chat_template_matches: true, passed: true },
  gguf_top1: {
    agreement: 490 / 496,
    limit: 0.97,
    report_only: false,
    passed: true,
    positions: 496,
    prompts: 4,
    quant: 'Q8_0',
    max_abs_diff: 0.21,
    tensor_types: { Q8_0: 14, F32: 5 },
  },
  ollama_template: { translated: true, reason: null, report_only: true, passed: true },
};

export const MODELFILE = 'FROM ./chat-lora.Q8_0.gguf\nTEMPLATE """{{ .Prompt }}"""\nPARAMETER stop "<|im_end|>"\n';

export function ggufDetail(overrides: Partial<ExportDetail> = {}): ExportDetail {
  const base = makeExport();
  return {
    ...base,
    files: [
      {
        path: 'chat-lora.Q8_0.gguf',
        size_bytes: 145_000_000,
        sha256: GGUF_SHA,
        download_path: '/api/exports/3/download?file=chat-lora.Q8_0.gguf',
      },
      { path: 'Modelfile', size_bytes: 1_234, sha256: MODELFILE_SHA, download_path: '/api/exports/3/download?file=Modelfile' },
    ],
    report: {
      format: 'gguf',
      files: [
        { path: 'chat-lora.Q8_0.gguf', size_bytes: 145_000_000, sha256: GGUF_SHA },
        { path: 'Modelfile', size_bytes: 1_234, sha256: MODELFILE_SHA },
      ],
      verification: ggufVerification,
      passed: true,
      seconds: { merge: 1.2, quantise: 3.4, write: 0.5, verify: 6.1, total: 11.5 },
      modelfile: MODELFILE,
      primary: 'chat-lora.Q8_0.gguf',
    },
    modelfile: MODELFILE,
    job: null,
    ...overrides,
  };
}

/** An export job as POST /api/exports answers it, and as it goes on. */
export function exportJob(overrides: Partial<JobOut> = {}): JobOut {
  return makeJob({
    id: 30,
    kind: 'export',
    params: { source: ADAPTER.name, format: 'gguf', dtype: 'fp16', quant: 'Q8_0', name: 'chat-lora' },
    max_attempts: 2,
    resources: { gpus: 0, slot: 'aux', memory: 'large' },
    ...overrides,
  });
}

export function exportsListing(items: ExportOut[]) {
  return http.get('*/api/exports', () => HttpResponse.json({ items, next_cursor: null }));
}
