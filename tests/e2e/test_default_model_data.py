"""Data work with the real built-in model: token stats of an uploaded dataset, the training
view of a recipe node (SmolLM2's chat template, loss only on assistant turns), and the
generate → judge template previewed on the CPU (runs of model nodes are covered with tiny models
in tests/backend/recipes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lathe.datasets.importer import ImportOptions, import_file
from lathe.models.registry import pull_builtin
from lathe.recipes.preview import preview_recipe
from lathe.recipes.templates import get_template
from lathe.schemas.models import DEFAULT_MODEL_KEY
from lathe.settings import Settings

pytestmark = pytest.mark.e2e


def _never() -> None:
    return None


def test_stats_training_view_and_generation(settings: Settings, tmp_path: Path) -> None:
    pull_builtin(settings)

    rows = [
        {
            "messages": [
                {"role": "user", "content": f"Count to {n}"},
                {"role": "assistant", "content": " ".join(map(str, range(1, n + 1)))},
            ]
        }
        for n in range(1, 40)
    ]
    path = tmp_path / "count.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    version = import_file(
        settings,
        path,
        "count",
        ImportOptions(max_length=64),
        progress=lambda *_: None,
        raise_if_stopped=_never,
    )
    tokens = (version.stats or {})["tokens"]
    assert tokens["model"] == DEFAULT_MODEL_KEY
    assert tokens["over_max_length"] > 0 and 0 < tokens["over_max_length_share"] < 1
    assert sum(bin_["count"] for bin_ in tokens["histogram"]) == len(rows)

    persona = get_template("persona").graph
    preview = preview_recipe(
        settings, persona, limit=3, training_view={"node_id": "mix", "model": DEFAULT_MODEL_KEY}
    )
    assert preview.training_view is not None
    view = preview.training_view.rows[0].view
    assert view is not None and 0 < view.loss_tokens < view.tokens
    trained = "".join(s.text for s in view.segments if s.loss)
    assert "<|im_start|>assistant" not in trained and "<|im_start|>user" not in trained

    qa = get_template("generate-qa").graph
    shown = preview_recipe(settings, qa, limit=1)
    judged = next(node for node in shown.nodes if node.node_id == "judge")
    assert judged.status == "ok", judged.problems
    first = judged.outputs["out"].rows[0]
    assert first["question"].strip() and first["answer"].strip()
    assert "reason" in first
