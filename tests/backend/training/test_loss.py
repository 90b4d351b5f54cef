"""The loss is normalised by the target tokens of the whole optimizer step (accumulating 2
batches of 1 equals one batch of 2), and packing never lets attention cross examples."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import torch

from lathe.db.tables import ModelRow
from lathe.models.storage import model_dir
from lathe.settings import Settings
from lathe.training.config import TrainingConfig
from lathe.training.data import make_collator, tokenize_table
from lathe.training.tokens import load_tokenizer
from lathe.training.trainer import TrainOutcome, train_adapter
from tests.backend.training.conftest import AddDataset, name_rows

pytestmark = pytest.mark.integration


class Recorder:
    def __init__(self) -> None:
        self.values: dict[str, dict[int, float]] = {}

    def should_stop(self) -> bool:
        return False

    def progress(
        self,
        completed: float,
        total: float | None = None,
        message: str = "",
        details: Mapping[str, object] | None = None,
    ) -> None:
        pass

    def log(self, line: str) -> None:
        pass

    def metrics(self, step: int, values: Mapping[str, float]) -> None:
        for name, value in values.items():
            self.values.setdefault(name, {})[step] = value


def run(
    settings: Settings, base: ModelRow, out: Path, **overrides: Any
) -> tuple[Recorder, TrainOutcome]:
    values: dict[str, Any] = {
        "model": "tiny",
        "dataset": "names",
        "lora": {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "lm_head"]},
        "max_length": 64,
        "max_steps": 3,
        "learning_rate": 1e-2,
        "lr_scheduler": "constant",
        "warmup_ratio": 0.0,
        "precision": "fp32",
        "save_steps": 100,
    }
    values.update(overrides)
    recorder = Recorder()
    outcome = train_adapter(
        settings,
        TrainingConfig.model_validate(values),
        base_folder=model_dir(settings, base),
        output_dir=out,
        hooks=recorder,
    )
    return recorder, outcome


def lora_weights(outcome: TrainOutcome) -> dict[str, torch.Tensor]:
    return {
        name: param.detach().clone()
        for name, param in outcome.model.named_parameters()
        if param.requires_grad
    }


def test_accumulation_matches_a_bigger_batch_and_packing_matches_padding(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset, tmp_path: Path
) -> None:
    # Answers of different lengths: averaging per micro-batch would weigh tokens unequally.
    add_dataset("names", name_rows(8))
    accumulated, acc_out = run(
        settings, tiny_model, tmp_path / "a", batch_size=1, gradient_accumulation_steps=2
    )
    batched, batch_out = run(
        settings, tiny_model, tmp_path / "b", batch_size=2, gradient_accumulation_steps=1
    )
    packed, packed_out = run(
        settings,
        tiny_model,
        tmp_path / "c",
        batch_size=2,
        gradient_accumulation_steps=1,
        packing=True,
    )
    expected = batched.values["train_loss"]
    assert sorted(expected) == [1, 2, 3]
    for other in (accumulated, packed):
        for step, value in expected.items():
            assert other.values["train_loss"][step] == pytest.approx(value, rel=1e-4), step
    reference = lora_weights(batch_out)
    for outcome in (acc_out, packed_out):
        for name, weight in lora_weights(outcome).items():
            torch.testing.assert_close(weight, reference[name], rtol=1e-3, atol=1e-5)


def test_packed_examples_do_not_attend_to_each_other(
    settings: Settings, tiny_model: ModelRow
) -> None:
    import pyarrow as pa
    from transformers import AutoModelForCausalLM

    tokenizer = load_tokenizer(settings, "tiny")
    rows = tokenize_table(
        tokenizer,
        pa.Table.from_pylist(name_rows(2)),
        fmt="messages",
        max_length=64,
        completion_only_loss=True,
    )
    model = AutoModelForCausalLM.from_pretrained(
        str(model_dir(settings, tiny_model)), attn_implementation="sdpa"
    )
    packed = make_collator(tokenizer, packing=True)(rows.examples)
    assert packed["input_ids"].shape[0] == 1 and "attention_mask" not in packed
    with torch.no_grad():
        # As in training (no KV cache): only then do position ids mark the packed examples.
        together = model(
            input_ids=packed["input_ids"], position_ids=packed["position_ids"], use_cache=False
        )
        apart = [
            model(input_ids=torch.tensor([example["input_ids"]]), use_cache=False).logits[0]
            for example in rows.examples
        ]
    torch.testing.assert_close(together.logits[0], torch.cat(apart), rtol=1e-4, atol=1e-5)
