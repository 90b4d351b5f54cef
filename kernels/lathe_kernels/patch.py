"""Patch one transformers Llama-family causal LM (Llama, Mistral, Qwen2, Qwen3; SmolLM is a
Llama) so that training runs on Lathe's kernels: RMSNorm, RoPE, the SwiGLU MLP, peft's LoRA
linears and the LM head + cross-entropy loss.

The patch binds the forwards of lathe_kernels.forwards onto this model's module instances only
(no class or transformers module is changed, so other models in the process are untouched) and
records what it bound on the model, so `unpatch_model` puts every original back. It works
before or after peft's `get_peft_model`: LoRA layers peft adds later are patched at the next
forward. A LoRA adapter (or any peft wrapper) on lm_head is refused: the fused loss reads the
LM head's weight directly and would train without it."""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from lathe_kernels import forwards
from lathe_kernels.architectures import SUPPORTED_ARCHITECTURES, SWIGLU_ACTIVATIONS
from lathe_kernels.forwards import PATCH_ATTRIBUTE

__all__ = [
    "SUPPORTED_ARCHITECTURES",
    "KernelsUnsupported",
    "PatchReport",
    "is_patched",
    "kernels_supported",
    "patch_model",
    "unpatch_model",
]


class KernelsUnsupported(ValueError):
    """This model cannot run on Lathe's kernels; the message says why."""


@dataclass(frozen=True)
class _Family:
    """The module classes of one architecture that get kernel forwards."""

    causal_lm: type
    rms_norm: type
    mlp: type
    attention: type


@functools.cache
def _families() -> dict[str, _Family]:
    from transformers.models.llama import modeling_llama
    from transformers.models.mistral import modeling_mistral
    from transformers.models.qwen2 import modeling_qwen2
    from transformers.models.qwen3 import modeling_qwen3

    families = {}
    for module, prefix in (
        (modeling_llama, "Llama"),
        (modeling_mistral, "Mistral"),
        (modeling_qwen2, "Qwen2"),
        (modeling_qwen3, "Qwen3"),
    ):
        family = _Family(
            causal_lm=getattr(module, f"{prefix}ForCausalLM"),
            rms_norm=getattr(module, f"{prefix}RMSNorm"),
            mlp=getattr(module, f"{prefix}MLP"),
            attention=getattr(module, f"{prefix}Attention"),
        )
        families[family.causal_lm.__name__] = family
    return families


@dataclass(frozen=True)
class PatchReport:
    """What runs on the kernels in a patched model (the LM head's loss always does)."""

    architecture: str
    rms_norm: int
    rope: int
    swiglu: int
    lora_linear: int

    def describe(self) -> str:
        return (
            f"{self.architecture}: {self.rms_norm} RMSNorm, {self.rope} RoPE, "
            f"{self.swiglu} SwiGLU, {self.lora_linear} LoRA linear, fused LM-head cross-entropy"
        )


def _transformers_model(model: nn.Module) -> nn.Module:
    """The transformers model inside a peft model (or the model itself)."""
    get_base_model = getattr(model, "get_base_model", None)
    if callable(get_base_model):
        base = get_base_model()
        if isinstance(base, nn.Module):
            return base
    return model


def _lora_linear_class() -> type[nn.Module]:
    from peft.tuners.lora import Linear

    linear: type[nn.Module] = Linear
    return linear


def _lm_head_problem(model: nn.Module) -> str | None:
    head = getattr(model, "lm_head", None)
    if type(head) is nn.Linear:
        return None
    from peft.tuners.tuners_utils import BaseTunerLayer

    if isinstance(head, BaseTunerLayer):
        return (
            f"lm_head carries a peft adapter ({type(head).__module__}.{type(head).__name__}); "
            "the fused cross-entropy reads the LM head's weight and would ignore it: take lm_head "
            "out of the LoRA target modules, or train with kernels off"
        )
    return (
        f"lm_head is a {type(head).__name__}, not a plain torch.nn.Linear; the fused "
        "cross-entropy needs its weight (train with kernels off)"
    )


def kernels_supported(model: nn.Module) -> str | None:
    """None when patch_model can patch `model` (a transformers model, or a peft model around
    one); otherwise the reason it cannot."""
    base = _transformers_model(model)
    architecture = type(base).__name__
    family = _families().get(architecture)
    if family is None or type(base) is not family.causal_lm:
        return (
            f"architecture {architecture} is not supported by Lathe's kernels (supported: "
            f"{', '.join(SUPPORTED_ARCHITECTURES)})"
        )
    activation = getattr(base.config, "hidden_act", None)
    if activation not in SWIGLU_ACTIVATIONS:
        return f"{architecture} with hidden_act {activation!r}: the SwiGLU kernel is silu only"
    if not forwards.calls_rope_function(family.attention):
        return (
            f"{family.attention.__name__}.forward does not call {forwards.ROPE_FUNCTION} in this "
            "transformers version; the RoPE kernel cannot be put in its place"
        )
    return _lm_head_problem(base)


@dataclass
class _Patch:
    """The modules patch_model bound a kernel forward onto, by kind. None of them had a forward
    of its own before (patch_model refuses those), so unpatching deletes the bound ones."""

    architecture: str
    counts: dict[str, int] = field(default_factory=dict)
    patched: list[nn.Module] = field(default_factory=list)

    def bind(self, module: nn.Module, kind: str, forward: Callable[..., Any]) -> None:
        module.forward = types.MethodType(forward, module)
        self.patched.append(module)
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def adopt_lora_layers(self, model: nn.Module) -> None:
        """Patch the LoRA linears peft added since; refuse an adapter on lm_head."""
        problem = _lm_head_problem(model)
        if problem is not None:
            raise KernelsUnsupported(problem)
        lora_linear = _lora_linear_class()
        # Runs at every forward of the patched model: a plain walk over the modules, no names.
        # A LoRA layer whose forward something else replaced keeps that forward.
        for module in model.modules():
            if type(module) is lora_linear and "forward" not in module.__dict__:
                self.bind(module, "lora_linear", forwards.lora_linear_forward)

    def report(self) -> PatchReport:
        return PatchReport(
            architecture=self.architecture,
            rms_norm=self.counts.get("rms_norm", 0),
            rope=self.counts.get("rope", 0),
            swiglu=self.counts.get("swiglu", 0),
            lora_linear=self.counts.get("lora_linear", 0),
        )


def _check_free(module: nn.Module, name: str) -> None:
    if "forward" in module.__dict__:
        raise KernelsUnsupported(
            f"module {name or type(module).__name__} already has its forward replaced (by "
            "accelerate's device-map hooks or another patcher); Lathe's kernels cannot be added"
        )


def is_patched(model: nn.Module) -> bool:
    return PATCH_ATTRIBUTE in _transformers_model(model).__dict__


def patch_model(model: nn.Module) -> PatchReport:
    """Run `model` (a supported transformers causal LM, or a peft model around one) on Lathe's
    kernels; KernelsUnsupported says why when it cannot. Calling it again changes nothing."""
    base = _transformers_model(model)
    existing: _Patch | None = base.__dict__.get(PATCH_ATTRIBUTE)
    if existing is not None:
        existing.adopt_lora_layers(base)
        return existing.report()
    reason = kernels_supported(base)
    if reason is not None:
        raise KernelsUnsupported(reason)
    family = _families()[type(base).__name__]
    plan: list[tuple[nn.Module, str, Callable[..., Any]]] = [
        (base, "causal_lm", forwards.causal_lm_forward)
    ]
    for name, module in base.named_modules():
        module_class = type(module)
        if module_class is family.rms_norm:
            plan.append((module, "rms_norm", forwards.rms_norm_forward))
        elif module_class is family.mlp:
            plan.append((module, "swiglu", forwards.swiglu_mlp_forward))
        elif module_class is family.attention:
            plan.append((module, "rope", forwards.attention_forward(family.attention)))
        else:
            continue
        _check_free(module, name)
    _check_free(base, "")
    patch = _Patch(architecture=type(base).__name__)
    for module, kind, forward in plan:
        patch.bind(module, kind, forward)
    setattr(base, PATCH_ATTRIBUTE, patch)
    patch.adopt_lora_layers(base)
    return patch.report()


def unpatch_model(model: nn.Module) -> None:
    """Put back every forward patch_model replaced (a model that is not patched is left as is)."""
    base = _transformers_model(model)
    patch: _Patch | None = base.__dict__.pop(PATCH_ATTRIBUTE, None)
    if patch is None:
        return
    for module in patch.patched:
        module.__dict__.pop("forward", None)
