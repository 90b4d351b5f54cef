"""queue_run refuses every bad config with the field at fault and creates no job; a good one
is queued as a `train` job with its dataset version pinned."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from lathe.db.tables import ModelRow
from lathe.errors import Conflict, InvalidInput, LatheError
from lathe.jobs import queue
from lathe.settings import Settings
from lathe.training import service
from lathe.training.config import PRESETS, TrainingConfig, load_preset
from tests.backend.training.conftest import AddDataset, name_rows


def config(**overrides: Any) -> TrainingConfig:
    values = {"model": "tiny", "dataset": "names", "max_length": 64, **overrides}
    return TrainingConfig.model_validate(values)


def field_of(error: LatheError) -> str:
    details = error.details
    assert isinstance(details, list) and details
    return str(details[0]["field"])


def jobs(settings: Settings) -> int:
    return len(queue.list_jobs(settings, kinds=("train",), limit=100))


@pytest.mark.parametrize(
    ("values", "loc"),
    [
        ({"lora": {"r": 0}}, ("lora", "r")),
        ({"lora": {"alpha": -1}}, ("lora", "alpha")),
        ({"lora": {"target_modules": []}}, ("lora",)),
        ({"learning_rate": 0}, ("learning_rate",)),
        ({"learning_rate": -1e-4}, ("learning_rate",)),
        ({"batch_size": 0}, ("batch_size",)),
        ({"gradient_accumulation_steps": 0}, ("gradient_accumulation_steps",)),
        ({"eval_fraction": 1.0}, ("eval_fraction",)),
        ({"eval_fraction": 0.1, "eval_dataset": "other"}, ()),
        ({"name": "bad name!"}, ("name",)),
        ({"preset": "nope"}, ()),
        ({"unknown_knob": 1}, ("unknown_knob",)),
    ],
)
def test_the_schema_refuses_bad_values_with_their_field(
    values: dict[str, Any], loc: tuple[str, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        config(**values)
    assert caught.value.errors()[0]["loc"] == loc


def test_presets_are_valid_partial_configs_and_explicit_values_win() -> None:
    for name in PRESETS:
        assert "model" not in load_preset(name)
        assert config(preset=name).preset == name
    quick = config(preset="quick-cpu-demo", lora={"r": 4}, epochs=1)
    assert (quick.lora.r, quick.lora.alpha, quick.epochs, quick.precision) == (4, 16, 1, "fp32")
    with pytest.raises(InvalidInput) as caught:
        load_preset("missing")
    assert field_of(caught.value) == "preset"


def test_a_good_config_is_queued_with_its_dataset_version_pinned(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset
) -> None:
    add_dataset("names", name_rows(4))
    add_dataset("names", name_rows(6))
    job = service.queue_run(settings, config(lora={"target_modules": ["q_proj", "v_proj"]}))
    assert (job.kind, job.slot, job.gpus, job.max_attempts) == ("train", "train", 0, 3)
    assert job.params["dataset_version"] == 2 and job.params["model"] == "tiny"
    assert TrainingConfig.model_validate(job.params).lora.target_modules == ["q_proj", "v_proj"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"max_length": 4096}, "max_length"),
        ({"lora": {"target_modules": ["q_proj", "nope_proj"]}}, "lora.target_modules"),
        ({"gpus": 64}, "gpus"),
        ({"qlora": True}, "qlora"),
        ({"optimizer": "adamw_8bit"}, "optimizer"),
        ({"precision": "fp16"}, "precision"),
        ({"kernels": "on"}, "kernels"),
        ({"model": "missing"}, "model"),
        ({"dataset": "missing"}, "dataset"),
        ({"dataset_version": 7}, "dataset"),
        ({"eval_dataset": "missing"}, "eval_dataset"),
        ({"name": "a..b"}, "name"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_no_job(
    settings: Settings,
    tiny_model: ModelRow,
    add_dataset: AddDataset,
    values: dict[str, Any],
    field: str,
) -> None:
    add_dataset("names", name_rows(4))
    with pytest.raises(InvalidInput) as caught:
        service.queue_run(settings, config(**values))
    assert field_of(caught.value) == field
    assert jobs(settings) == 0


def test_an_adapter_is_no_base_model(
    settings: Settings,
    tiny_model: ModelRow,
    add_dataset: AddDataset,
    add_row: Any,
) -> None:
    add_dataset("names", name_rows(4))
    add_row("tiny-adapter", kind="adapter", parent_id=tiny_model.id)
    with pytest.raises(InvalidInput, match="is an adapter") as caught:
        service.queue_run(settings, config(model="tiny-adapter"))
    assert field_of(caught.value) == "model"
    assert jobs(settings) == 0


def test_datasets_without_rows_or_assistant_turns_are_refused(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset
) -> None:
    add_dataset("empty", [])
    add_dataset("users-only", [{"messages": [{"role": "user", "content": "hello"}]}] * 3)
    add_dataset("one-row", name_rows(1))
    add_dataset("names", name_rows(4))
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"dataset": "empty"}, "dataset", "no rows"),
        ({"dataset": "users-only"}, "dataset", "no assistant turns"),
        ({"eval_dataset": "users-only"}, "eval_dataset", "no assistant turns"),
        ({"dataset": "one-row", "eval_fraction": 0.5}, "eval_fraction", "at least 2 rows"),
    ]
    for values, field, message in cases:
        with pytest.raises(InvalidInput, match=message) as caught:
            service.queue_run(settings, config(**values))
        assert field_of(caught.value) == field, values
    # Without completion-only loss the user turns are trained on: that is allowed.
    service.queue_run(settings, config(dataset="users-only", completion_only_loss=False))
    assert jobs(settings) == 1


def test_a_taken_adapter_name_is_a_conflict(
    settings: Settings, tiny_model: ModelRow, add_dataset: AddDataset
) -> None:
    add_dataset("names", name_rows(4))
    with pytest.raises(Conflict) as caught:
        service.queue_run(settings, config(name="tiny"))
    assert field_of(caught.value) == "name"
    assert jobs(settings) == 0
