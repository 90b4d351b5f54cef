"""README.md model cards for exported adapters and merged models: what the base model is, how
the adapter was configured and trained, how it scored, and how to load the export.

What is known about the run comes from the adapter's lathe_training.json (written by the train
job) with `ExportSpec.facts` on top. Keys read from either: `base_model` (a name; else
`model.name`), `config` (the training config; its `lora` part is shown with the LoRA settings),
`dataset` (`name`, `version`), `metrics`, `trainable_parameters`. Anything else is ignored."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from lathe.export.artifacts.loading import ADAPTER_CONFIG
from lathe.export.spec import ExportSpec
from lathe.training.service import TRAINING_FILE

# Adapter config entries worth showing (the rest is PEFT bookkeeping).
LORA_KEYS = ("r", "lora_alpha", "lora_dropout", "target_modules", "use_rslora", "use_dora")


def run_facts(adapter_dir: Path, facts: Mapping[str, Any] | None) -> dict[str, Any]:
    try:
        recorded = json.loads((adapter_dir / TRAINING_FILE).read_text())
    except (OSError, ValueError):
        recorded = {}
    merged: dict[str, Any] = recorded if isinstance(recorded, dict) else {}
    merged.update(facts or {})
    return merged


def base_model_name(facts: Mapping[str, Any], adapter_config: Mapping[str, Any]) -> str:
    name = facts.get("base_model")
    if not name and isinstance(facts.get("model"), Mapping):
        name = facts["model"].get("name")
    if not name:
        name = Path(str(adapter_config.get("base_model_name_or_path") or "unknown")).name
    return str(name)


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple | set):
        value = ", ".join(str(item) for item in sorted(value, key=str))
    elif isinstance(value, float):
        value = f"{value:.6g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _flatten(values: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in values.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        elif value is not None:
            yield f"{prefix}{key}", value


def _table(header: tuple[str, str], rows: Iterable[tuple[str, Any]]) -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", "| --- | --- |"]
    lines += [f"| {_cell(key)} | {_cell(value)} |" for key, value in rows]
    return lines if len(lines) > 2 else []


def _usage(kind: Literal["adapter", "merged"], base: str, folder: str) -> list[str]:
    if kind == "adapter":
        code = [
            "from peft import PeftModel",
            "from transformers import AutoModelForCausalLM, AutoTokenizer",
            "",
            f'base = AutoModelForCausalLM.from_pretrained("{base}")',
            f'model = PeftModel.from_pretrained(base, "{folder}")',
            f'tokenizer = AutoTokenizer.from_pretrained("{folder}")',
        ]
    else:
        code = [
            "from transformers import AutoModelForCausalLM, AutoTokenizer",
            "",
            f'model = AutoModelForCausalLM.from_pretrained("{folder}")',
            f'tokenizer = AutoTokenizer.from_pretrained("{folder}")',
        ]
    return ["## Use it", "", "```python", *code, "```"]


def model_card(
    *,
    kind: Literal["adapter", "merged"],
    name: str,
    adapter_config: Mapping[str, Any],
    facts: Mapping[str, Any],
    dtype: str | None = None,
) -> str:
    base = base_model_name(facts, adapter_config)
    config = facts.get("config") if isinstance(facts.get("config"), Mapping) else {}
    training = {key: value for key, value in (config or {}).items() if key != "lora"}
    lora = [(key, adapter_config[key]) for key in LORA_KEYS if key in adapter_config]
    what = (
        f"A LoRA adapter for **{base}**"
        if kind == "adapter"
        else f"**{base}** with a LoRA adapter merged into its weights ({dtype})"
    )
    lines = [
        "---",
        f"base_model: {json.dumps(base)}",
        f"library_name: {'peft' if kind == 'adapter' else 'transformers'}",
        "tags: [lora, lathe]",
        "---",
        "",
        f"# {name}",
        "",
        f"{what}, trained and exported with Lathe.",
        "",
    ]
    dataset = facts.get("dataset")
    if isinstance(dataset, Mapping) and dataset.get("name"):
        lines += [f"Trained on dataset **{dataset['name']}** v{dataset.get('version', '?')}.", ""]
    sections = [
        ("## LoRA", _table(("setting", "value"), lora)),
        ("## Training", _table(("setting", "value"), _flatten(training))),
        ("## Metrics", _table(("metric", "value"), _flatten(facts.get("metrics") or {}))),
    ]
    for title, table in sections:
        if table:
            lines += [title, "", *table, ""]
    if isinstance(facts.get("trainable_parameters"), int):
        lines += [f"Trainable parameters: {facts['trainable_parameters']:,}.", ""]
    lines += _usage(kind, base, name)
    return "\n".join(lines) + "\n"


def write_model_card(
    spec: ExportSpec, folder: Path, kind: Literal["adapter", "merged"], dtype: str | None = None
) -> None:
    """`folder`/README.md: the model card of `spec`'s export, from its adapter's config and
    what is known about the training run."""
    adapter_config = json.loads((spec.adapter_dir / ADAPTER_CONFIG).read_text())
    card = model_card(
        kind=kind,
        name=spec.name,
        adapter_config=adapter_config,
        facts=run_facts(spec.adapter_dir, spec.facts),
        dtype=dtype,
    )
    (folder / "README.md").write_text(card)
