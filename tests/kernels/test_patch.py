"""patch_model / unpatch_model on tiny Llama-family models with LoRA: the patched model computes
what the unpatched one does (loss, logits, every adapter gradient), before or after peft
wrapping; unpatching restores the originals; what the kernels cannot cover is refused."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from peft import PeftModel
from transformers import GPT2Config, GPT2LMHeadModel

from lathe_kernels.patch import (
    KernelsUnsupported,
    PatchReport,
    is_patched,
    kernels_supported,
    patch_model,
    unpatch_model,
)
from tests.kernels.tiny_models import ARCHITECTURES, batch, tiny_causal_lm, twin, with_lora

# fp32 on both sides. The kernels sum in other orders than PyTorch (RMSNorm rows, the chunked
# cross-entropy, the LoRA products), and those differences pass through two layers and
# backward: a few ulps of values of order 1-10, so 1e-5 absolute with 1e-4 relative.
TOLERANCE: dict[str, Any] = {"atol": 1e-5, "rtol": 1e-4}


def _train_step(
    model: torch.nn.Module, inputs: dict[str, torch.Tensor], **extra: Any
) -> tuple[Any, dict[str, torch.Tensor]]:
    model.train()
    model.zero_grad()
    output = model(**inputs, **extra)
    output.loss.backward()
    grads = {
        name: parameter.grad.clone()
        for name, parameter in model.named_parameters()
        if parameter.grad is not None
    }
    return output, grads


def _assert_same_training(
    reference: torch.nn.Module, patched: torch.nn.Module, vocab: int, **extra: Any
) -> None:
    inputs = batch(vocab)
    want, want_grads = _train_step(reference, inputs, **extra)
    got, got_grads = _train_step(patched, inputs, **extra)
    assert got.logits is None  # the fused loss never makes the logits
    torch.testing.assert_close(got.loss, want.loss, **TOLERANCE)
    assert got_grads.keys() == want_grads.keys() and want_grads
    for name, grad in want_grads.items():
        torch.testing.assert_close(got_grads[name], grad, **TOLERANCE, msg=name)


def _assert_same_logits(reference: torch.nn.Module, patched: torch.nn.Module, vocab: int) -> None:
    inputs = batch(vocab)
    reference.eval()
    patched.eval()
    with torch.no_grad():
        want = reference(**inputs)
        got = patched(**inputs)  # eval: logits and transformers' own loss
    torch.testing.assert_close(got.logits, want.logits, **TOLERANCE)
    torch.testing.assert_close(got.loss, want.loss, **TOLERANCE)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_a_patched_lora_model_computes_what_the_original_does(architecture: str) -> None:
    reference = with_lora(tiny_causal_lm(architecture))
    patched = twin(reference)
    report = patch_model(patched)
    layers = reference.config.num_hidden_layers
    assert report == PatchReport(
        architecture=type(reference.get_base_model()).__name__,
        rms_norm=2 * layers + 1 + (2 * layers if architecture == "qwen3" else 0),
        rope=layers,
        swiglu=layers,
        lora_linear=7 * layers,
    )
    vocab = reference.config.vocab_size
    # Gradient accumulation: the summed loss over the global count of target tokens.
    _assert_same_training(reference, patched, vocab, num_items_in_batch=torch.tensor(23))
    _assert_same_training(reference, patched, vocab)  # mean over this batch's targets
    _assert_same_logits(reference, patched, vocab)


def test_patching_before_peft_wrapping_covers_the_lora_layers_added_later() -> None:
    base = tiny_causal_lm("llama")
    early = twin(base)
    report = patch_model(early)
    assert report.lora_linear == 0
    reference, patched = with_lora(base), with_lora(early)
    _assert_same_training(reference, patched, reference.config.vocab_size)
    assert patch_model(patched).lora_linear == 14  # adopted at the first forward
    _assert_same_logits(reference, patched, reference.config.vocab_size)


def test_a_plain_model_without_lora_trains_the_same() -> None:
    reference = tiny_causal_lm("llama")
    patched = twin(reference)
    patch_model(patched)
    # Every weight trains here, the LM head's included (the fused loss computes its gradient).
    _assert_same_training(reference, patched, reference.config.vocab_size)


def test_patching_twice_changes_nothing() -> None:
    model = with_lora(tiny_causal_lm("llama"))
    first = patch_model(model)
    bound = {name: module.forward for name, module in model.named_modules()}
    assert patch_model(model) == first
    again = {name: module.forward for name, module in model.named_modules()}
    assert all(again[name] == forward for name, forward in bound.items())


def _instance_forwards(model: torch.nn.Module) -> list[str]:
    return [name for name, module in model.named_modules() if "forward" in module.__dict__]


def test_unpatching_restores_the_original_forwards() -> None:
    reference = with_lora(tiny_causal_lm("qwen3"))
    model = twin(reference)
    patch_model(model)
    assert is_patched(model) and len(_instance_forwards(model)) > 0
    unpatch_model(model)
    assert not is_patched(model)
    assert _instance_forwards(model) == []
    assert all(module.forward.__func__ is type(module).forward for module in model.modules())
    inputs = batch(reference.config.vocab_size)
    want, want_grads = _train_step(reference, inputs)
    got, got_grads = _train_step(model, inputs)
    assert got.logits is not None
    torch.testing.assert_close(got.loss, want.loss, atol=0, rtol=0)
    assert all(torch.equal(got_grads[name], grad) for name, grad in want_grads.items())
    unpatch_model(model)  # not patched: nothing to do


def test_a_disabled_or_merged_adapter_falls_back_to_peft() -> None:
    reference = with_lora(tiny_causal_lm("llama"))
    patched = twin(reference)
    patch_model(patched)
    vocab = reference.config.vocab_size
    with reference.disable_adapter(), patched.disable_adapter():
        _assert_same_logits(reference, patched, vocab)
    reference.merge_adapter()
    patched.merge_adapter()
    _assert_same_logits(reference, patched, vocab)


def test_return_dict_false_gives_the_loss_first() -> None:
    model = with_lora(tiny_causal_lm("llama"))
    patch_model(model)
    outputs = model(**batch(model.config.vocab_size), return_dict=False)
    assert isinstance(outputs, tuple) and outputs[0].dim() == 0


def test_an_unknown_architecture_is_refused_by_name() -> None:
    config = GPT2Config(vocab_size=64, n_embd=16, n_layer=1, n_head=2, n_positions=32)
    model = GPT2LMHeadModel(config)
    reason = kernels_supported(model)
    assert reason is not None and "GPT2LMHeadModel" in reason and "LlamaForCausalLM" in reason
    with pytest.raises(KernelsUnsupported, match="architecture GPT2LMHeadModel"):
        patch_model(model)
    assert _instance_forwards(model) == []


def test_a_non_silu_mlp_is_refused() -> None:
    model = tiny_causal_lm("mistral")
    model.config.hidden_act = "gelu"
    with pytest.raises(KernelsUnsupported, match="hidden_act 'gelu'"):
        patch_model(model)


def test_lora_on_lm_head_is_refused_after_peft_wrapping() -> None:
    model = with_lora(tiny_causal_lm("llama"), targets=["q_proj", "lm_head"])
    reason = kernels_supported(model)
    assert reason is not None and "lm_head" in reason
    with pytest.raises(KernelsUnsupported, match="lm_head carries a peft adapter"):
        patch_model(model)
    assert _instance_forwards(model) == []


def test_lora_on_lm_head_is_refused_when_peft_wraps_a_patched_model() -> None:
    base = tiny_causal_lm("llama")
    patch_model(base)
    model: PeftModel = with_lora(base, targets=["q_proj", "lm_head"])
    with pytest.raises(KernelsUnsupported, match="lm_head carries a peft adapter"):
        model(**batch(model.config.vocab_size))
