"""What this machine and install can do: library versions, CPU/RAM, CUDA devices, Triton."""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import psutil
from sqlalchemy.engine import make_url

from lathe import __version__
from lathe.schemas.models import DEFAULT_MODEL_KEY
from lathe.schemas.system import CudaDevice, SystemInfo
from lathe.settings import Settings


def package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cuda_devices() -> list[CudaDevice]:
    import torch

    if not torch.cuda.is_available():
        return []
    devices = []
    for index in range(torch.cuda.device_count()):
        free, total = torch.cuda.mem_get_info(index)
        devices.append(
            CudaDevice(
                index=index,
                name=torch.cuda.get_device_name(index),
                memory_total_bytes=total,
                memory_free_bytes=free,
            )
        )
    return devices


def triton_mode(cuda_available: bool) -> str:
    """How Triton kernels would run here: compiled for CUDA, interpreted on CPU, or not at all."""
    if package_version("triton") is None:
        return "unavailable"
    if cuda_available:
        return "cuda"
    if os.environ.get("TRITON_INTERPRET") == "1":
        return "interpreter"
    return "reference"


def training_kernels_active(mode: str) -> bool:
    """Whether `kernels: auto` training runs on the fused kernels: only where they compile for a
    CUDA GPU (lathe.training.kernels; runs on gpus >= 1 of a supported architecture)."""
    return mode == "cuda"


def redact_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _default_model_present(settings: Settings) -> bool:
    from lathe.models.registry import builtin_catalog

    return any(
        entry.pulled for entry in builtin_catalog(settings) if entry.key == DEFAULT_MODEL_KEY
    )


def collect(settings: Settings) -> SystemInfo:
    import torch

    memory = psutil.virtual_memory()
    devices = _cuda_devices()
    mode = triton_mode(bool(devices))
    return SystemInfo(
        lathe_version=__version__,
        python_version=sys.version.split()[0],
        platform=platform.platform(),
        torch_version=torch.__version__,
        transformers_version=package_version("transformers"),
        peft_version=package_version("peft"),
        triton_version=package_version("triton"),
        gguf_version=package_version("gguf"),
        cpu_count=os.cpu_count() or 1,
        cpu_model=_cpu_model(),
        memory_total_bytes=memory.total,
        memory_available_bytes=memory.available,
        cuda_available=bool(devices),
        cuda_devices=devices,
        triton_usable=mode in ("cuda", "interpreter"),
        triton_mode=mode,
        training_kernels=training_kernels_active(mode),
        lathe_home=str(settings.home),
        database_url=redact_url(settings.resolved_database_url),
        default_model_present=_default_model_present(settings),
    )
