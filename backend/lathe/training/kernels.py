"""Whether a run trains on Lathe's fused Triton kernels (lathe_kernels), and turning them on.

`kernels: auto` uses them when the run is on a CUDA GPU and the model is one they support;
`off` never does; `on` requires them: on a CUDA GPU (gpus >= 1), or on the CPU when
TRITON_INTERPRET=1 (Triton's interpreter, fp32 and slow: for tests). A run asking for `on`
where they cannot run is refused at queue time for what the config, the registry and this
machine tell (no CUDA GPU, the architecture, a LoRA adapter on lm_head), else when it starts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from lathe.errors import InvalidInput, LatheError
from lathe.training.config import TrainingConfig
from lathe_kernels.architectures import SUPPORTED_ARCHITECTURES

if TYPE_CHECKING:
    from torch import nn

__all__ = ["apply_kernels", "check_kernels_request", "machine_problem"]


class LogHook(Protocol):
    def log(self, line: str) -> None: ...


def _on_cuda(config: TrainingConfig, cuda_devices: int) -> bool:
    return config.gpus >= 1 and cuda_devices > 0


def machine_problem(config: TrainingConfig, cuda_devices: int) -> str | None:
    """Why the kernels cannot run for `config` here (None: they can). `auto` counts a CUDA GPU
    only; `on` also the Triton interpreter."""
    from lathe_kernels.runtime import interpreting, triton_installed  # imports torch

    if not triton_installed():
        return "the triton package is not installed"
    if _on_cuda(config, cuda_devices):
        return None
    if config.kernels == "on" and interpreting():
        return None
    if config.gpus >= 1:
        return "no CUDA GPU is available"
    return "the run is on the CPU (gpus 0); they need a CUDA GPU"


def _architecture_problem(architecture: str | None) -> str | None:
    if architecture in SUPPORTED_ARCHITECTURES:
        return None
    return (
        f"architecture {architecture or 'unknown'} is not supported by Lathe's kernels "
        f"(supported: {', '.join(SUPPORTED_ARCHITECTURES)})"
    )


def check_kernels_request(
    config: TrainingConfig, architecture: str | None, cuda_devices: int
) -> None:
    """At queue time: InvalidInput (field kernels) when `kernels: on` cannot be honoured."""
    if config.kernels != "on":
        return
    problem = machine_problem(config, cuda_devices) or _architecture_problem(architecture)
    targets = config.lora.target_modules
    if problem is None and isinstance(targets, list) and "lm_head" in targets:
        problem = "a LoRA adapter on lm_head is not covered by the fused cross-entropy"
    if problem is not None:
        raise InvalidInput(
            f"Lathe's fused kernels cannot run this training: {problem}; use kernels: auto or off",
            field="kernels",
        )


def apply_kernels(
    config: TrainingConfig, model: nn.Module, cuda_devices: int, hooks: LogHook
) -> bool:
    """Patch the peft-wrapped `model` onto the kernels when config.kernels and this machine call
    for it; True when it was patched. `on` that cannot be honoured raises LatheError."""
    if config.kernels == "off":
        hooks.log("kernels: off")
        return False
    problem = machine_problem(config, cuda_devices)
    if problem is None:
        from lathe_kernels.patch import kernels_supported

        problem = kernels_supported(model)
    if problem is not None:
        if config.kernels == "on":
            raise LatheError(f"kernels: on, but Lathe's fused kernels cannot run: {problem}")
        hooks.log(f"kernels: not used ({problem})")
        return False
    from lathe_kernels.patch import patch_model

    report = patch_model(model)
    hooks.log(f"kernels: on ({report.describe()})")
    return True
