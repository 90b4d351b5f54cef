import type { SystemInfo } from '../../api/types.gen';
import type { Fact } from '../../components/FactList';
import { formatBytes } from '../../components/format';

const TRITON_MODES: Record<SystemInfo['triton_mode'], string> = {
  cuda: 'Compiled kernels on CUDA',
  interpreter: 'Interpreter (TRITON_INTERPRET=1, slow; for correctness checks)',
  reference: 'PyTorch reference ops (no Triton kernels on this machine)',
  unavailable: 'Unavailable',
};

export function tritonModeLabel(mode: string): string {
  return TRITON_MODES[mode as SystemInfo['triton_mode']] ?? mode;
}

const orNone = (value: string | null) => value ?? 'not installed';

export function studioFacts(info: SystemInfo): Fact[] {
  return [
    { label: 'Lathe', value: info.lathe_version, mono: true },
    { label: 'LATHE_HOME', value: info.lathe_home, mono: true },
    { label: 'Database', value: info.database_url, mono: true },
    { label: 'Default model', value: info.default_model_present ? 'Pulled' : 'Not pulled yet' },
  ];
}

export function libraryFacts(info: SystemInfo): Fact[] {
  return [
    { label: 'Python', value: info.python_version, mono: true },
    { label: 'PyTorch', value: info.torch_version, mono: true },
    { label: 'Transformers', value: orNone(info.transformers_version), mono: true },
    { label: 'PEFT', value: orNone(info.peft_version), mono: true },
    { label: 'Triton', value: orNone(info.triton_version), mono: true },
    { label: 'gguf', value: orNone(info.gguf_version), mono: true },
  ];
}

export function hardwareFacts(info: SystemInfo): Fact[] {
  return [
    { label: 'Platform', value: info.platform, mono: true },
    { label: 'CPU', value: `${info.cpu_model} (${info.cpu_count} cores)` },
    {
      label: 'Memory',
      value: `${formatBytes(info.memory_available_bytes)} free of ${formatBytes(info.memory_total_bytes)}`,
    },
  ];
}
