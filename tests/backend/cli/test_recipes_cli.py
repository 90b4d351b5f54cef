"""`lathe recipes run|validate|preview|import|export|list|node-types` on YAML files."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from lathe.cli import app
from lathe.datasets import records
from lathe.recipes.graph import parse_graph
from lathe.settings import Settings
from tests.backend.api.test_recipes_api import pipeline

runner = CliRunner()


def write_recipe(tmp_path: Path, graph: dict[str, object], name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"name": "greetings", **graph}, sort_keys=False))
    return path


def test_run_a_yaml_recipe_and_round_trip_it(settings: Settings, tmp_path: Path) -> None:
    path = write_recipe(tmp_path, pipeline())
    assert runner.invoke(app, ["recipes", "validate", str(path)]).stdout.strip() == "valid"
    result = runner.invoke(app, ["recipes", "run", str(path)])
    assert result.exit_code == 0, result.output
    assert "wrote: greet-train version 1 (4 rows)" in result.stdout
    assert "wrote: greet-eval version 1 (1 rows)" in result.stdout
    train = records.find_by_name(settings, "greet-train")
    assert train is not None

    shown = runner.invoke(app, ["recipes", "preview", str(path), "--node", "uniq", "-n", "3"])
    assert shown.exit_code == 0, shown.output
    assert "uniq (dedupe): ok, 3 rows" in shown.stdout

    assert runner.invoke(app, ["recipes", "import", str(path)]).exit_code == 0
    listed = runner.invoke(app, ["recipes", "list"])
    assert "greetings" in listed.stdout
    exported = runner.invoke(app, ["recipes", "export", "greetings"])
    assert exported.exit_code == 0
    assert parse_graph(yaml.safe_load(exported.stdout)) == parse_graph(
        yaml.safe_load(path.read_text())
    )
    types = runner.invoke(app, ["recipes", "node-types"])
    assert "to_messages" in types.stdout and "judge" in types.stdout


def test_bad_recipe_files(settings: Settings, tmp_path: Path) -> None:
    cyclic = pipeline()
    cyclic["edges"].append({"source": "uniq", "target": "chat"})
    result = runner.invoke(app, ["recipes", "validate", str(write_recipe(tmp_path, cyclic))])
    assert result.exit_code == 2 and "cycle" in result.stdout

    broken = tmp_path / "broken.yaml"
    broken.write_text("nodes:\n  - id: a\n   type: x\n")
    result = runner.invoke(app, ["recipes", "run", str(broken)])
    assert result.exit_code == 2 and "line" in result.stderr
    result = runner.invoke(app, ["recipes", "run", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "not a file" in result.stderr
    assert not list(settings.datasets_dir.rglob("*.parquet"))
