"""Kernel-backed forwards that lathe_kernels.patch binds onto single module instances of a
transformers Llama-family model (and onto peft's LoRA linears inside it).

Each one computes what the class's own forward computes, with the fused op in place of the
PyTorch code, and hands anything it does not cover (a merged or disabled adapter, DoRA, an
unusual call) back to the class's forward, so a patched model behaves like the original in
every mode. Nothing here changes a class or a transformers module: the patch is per instance."""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any, Protocol

import torch
from torch import nn

from lathe_kernels.ops.linear_cross_entropy import linear_cross_entropy
from lathe_kernels.ops.lora_linear import lora_linear
from lathe_kernels.ops.rms_norm import rms_norm
from lathe_kernels.ops.rope import apply_rope
from lathe_kernels.ops.swiglu import swiglu

__all__ = [
    "PATCH_ATTRIBUTE",
    "ROPE_FUNCTION",
    "attention_forward",
    "causal_lm_forward",
    "lora_linear_forward",
    "rms_norm_forward",
    "swiglu_mlp_forward",
]

# Where patch_model keeps its record on the transformers model (a plain attribute, not a module).
PATCH_ATTRIBUTE = "_lathe_kernels_patch"
# The module-level function transformers' attention forwards call to rotate q and k.
ROPE_FUNCTION = "apply_rotary_pos_emb"
IGNORE_INDEX = -100


class LoraAdopter(Protocol):
    def adopt_lora_layers(self, model: nn.Module) -> None: ...


# `self` is Any below: these forwards are bound to transformers' and peft's module instances,
# whose attributes (weight, variance_epsilon, gate_proj, lora_A, ...) nn.Module does not declare.


def rms_norm_forward(self: Any, hidden_states: torch.Tensor) -> torch.Tensor:
    """LlamaRMSNorm (and its Mistral/Qwen copies), by the rms_norm kernel."""
    return rms_norm(hidden_states, self.weight, self.variance_epsilon)


def swiglu_mlp_forward(self: Any, x: torch.Tensor) -> torch.Tensor:
    """LlamaMLP: down(silu(gate(x)) * up(x)); the projections may be peft LoRA layers."""
    down: torch.Tensor = self.down_proj(swiglu(self.gate_proj(x), self.up_proj(x)))
    return down


def _kernel_rope(original: Callable[..., Any]) -> Callable[..., Any]:
    def apply_rotary_pos_emb(
        q: torch.Tensor,
        k: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        unsqueeze_dim: int = 1,
    ) -> Any:
        if unsqueeze_dim != 1 or q.dim() != 4 or cos.dim() != 3:
            return original(q, k, cos, sin, unsqueeze_dim)
        return apply_rope(q, k, cos, sin)

    return apply_rotary_pos_emb


def calls_rope_function(attention_class: type) -> bool:
    return ROPE_FUNCTION in attention_class.forward.__code__.co_names  # type: ignore[attr-defined]


_ATTENTION_FORWARDS: dict[type, Callable[..., Any]] = {}


def attention_forward(attention_class: type) -> Callable[..., Any]:
    """The class's own forward, run over a copy of its module's namespace in which
    apply_rotary_pos_emb is the rope kernel (made once per class). Transformers' attention
    forwards call that module-level function; rebuilding the function this way swaps that one
    call for the instances it is bound to, keeping the rest of the attention code (masks,
    sliding windows, Qwen3's q/k norms, the attention backend) exactly as transformers wrote it."""
    rebuilt = _ATTENTION_FORWARDS.get(attention_class)
    if rebuilt is not None:
        return rebuilt
    original = attention_class.forward  # type: ignore[attr-defined]
    namespace = dict(original.__globals__)
    namespace[ROPE_FUNCTION] = _kernel_rope(namespace[ROPE_FUNCTION])
    rebuilt = types.FunctionType(
        original.__code__,
        namespace,
        original.__name__,
        original.__defaults__,
        original.__closure__,
    )
    rebuilt.__kwdefaults__ = original.__kwdefaults__
    functools.update_wrapper(rebuilt, original)
    _ATTENTION_FORWARDS[attention_class] = rebuilt
    return rebuilt


def _plain_adapter(layer: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The one active adapter when the call is plain LoRA the kernel computes exactly (unmerged,
    enabled, no variant such as DoRA, no LoRA bias, frozen nn.Linear base, dropout or none);
    None sends the call to peft's own forward."""
    if args or kwargs or layer.disable_adapters or layer.merged or layer.fan_in_fan_out:
        return None
    active = layer.active_adapters
    if len(active) != 1 or active[0] not in layer.lora_A or active[0] in layer.lora_variant:
        return None
    name: str = active[0]
    base = layer.base_layer
    if type(base) is not nn.Linear or (base.weight.requires_grad and torch.is_grad_enabled()):
        return None
    if layer.lora_A[name].bias is not None or layer.lora_B[name].bias is not None:
        return None
    if not isinstance(layer.lora_dropout[name], nn.Dropout | nn.Identity):
        return None
    return name


def lora_linear_forward(self: Any, x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """peft's lora.Linear with one active, unmerged adapter, by the fused LoRA linear."""
    name = _plain_adapter(self, args, kwargs)
    if name is None:
        result: torch.Tensor = type(self).forward(self, x, *args, **kwargs)
        return result
    dropout = self.lora_dropout[name]
    return lora_linear(
        x,
        self.base_layer.weight,
        self.base_layer.bias,
        self.lora_A[name].weight,
        self.lora_B[name].weight,
        float(self.scaling[name]),
        dropout=float(dropout.p) if isinstance(dropout, nn.Dropout) else 0.0,
        training=self.training,
    )


def _keeps_every_position(logits_to_keep: int | torch.Tensor) -> bool:
    return isinstance(logits_to_keep, int) and logits_to_keep == 0


def causal_lm_forward(
    self: Any,
    input_ids: torch.Tensor | None = None,
    attention_mask: torch.Tensor | None = None,
    position_ids: torch.Tensor | None = None,
    past_key_values: Any = None,
    inputs_embeds: torch.Tensor | None = None,
    labels: torch.Tensor | None = None,
    use_cache: bool | None = None,
    logits_to_keep: int | torch.Tensor = 0,
    **kwargs: Any,
) -> Any:
    """LlamaForCausalLM.forward. In training with labels the loss is the fused LM head +
    cross-entropy and no logits are returned; otherwise (eval, generation, no labels) it is the
    class's forward, logits and all. LoRA layers peft added since patch_model are patched first."""
    adopter: LoraAdopter | None = self.__dict__.get(PATCH_ATTRIBUTE)
    if adopter is not None:
        adopter.adopt_lora_layers(self)
    model_inputs = {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "position_ids": position_ids,
        "past_key_values": past_key_values,
        "inputs_embeds": inputs_embeds,
        "use_cache": use_cache,
    }
    if labels is None or not self.training or not _keeps_every_position(logits_to_keep):
        return type(self).forward(
            self, labels=labels, logits_to_keep=logits_to_keep, **model_inputs, **kwargs
        )
    return _fused_loss_forward(self, labels=labels, **model_inputs, **kwargs)


def _fused_loss_forward(
    self: Any,
    *,
    labels: torch.Tensor,
    num_items_in_batch: torch.Tensor | int | None = None,
    shift_labels: torch.Tensor | None = None,
    return_dict: bool | None = None,
    **model_inputs: Any,
) -> Any:
    from transformers.modeling_outputs import CausalLMOutputWithPast

    outputs = self.model(**model_inputs)
    hidden = outputs.last_hidden_state
    if shift_labels is None:
        # transformers' ForCausalLMLoss: position t predicts token t + 1; the last predicts none.
        shift_labels = nn.functional.pad(labels, (0, 1), value=IGNORE_INDEX)[..., 1:]
    head = self.lm_head
    loss = linear_cross_entropy(
        hidden.reshape(-1, hidden.shape[-1]),
        head.weight,
        shift_labels.reshape(-1).to(hidden.device),
        bias=head.bias,
        ignore_index=IGNORE_INDEX,
        # With num_items_in_batch (the target tokens of the whole gradient-accumulation step),
        # the summed loss is divided by it, as transformers' loss does.
        reduction="sum" if num_items_in_batch is not None else "mean",
        divisor=num_items_in_batch,
    )
    output = CausalLMOutputWithPast(
        loss=loss,
        logits=None,
        past_key_values=outputs.past_key_values,
        hidden_states=outputs.hidden_states,
        attentions=outputs.attentions,
    )
    wants_dict = self.config.return_dict if return_dict is None else return_dict
    return output if wants_dict else output.to_tuple()
