"""The starter recipes parse, validate against a real home, and the persona one previews and
runs end to end on the built-in samples."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lathe.datasets import records
from lathe.datasets.storage import VersionWriter
from lathe.errors import NotFound
from lathe.recipes.preview import preview_recipe
from lathe.recipes.run import run_recipe
from lathe.recipes.templates import TEMPLATE_FILES, get_template, list_templates
from lathe.recipes.validate import validate_graph
from lathe.recipes.yaml_io import load_yaml
from lathe.settings import Settings


def test_every_template_is_listed_with_its_yaml() -> None:
    templates = list_templates()
    assert [t.key for t in templates] == list(TEMPLATE_FILES)
    for template in templates:
        assert template.description and template.graph.nodes
        assert load_yaml(template.yaml)["nodes"]
    with pytest.raises(NotFound, match="persona"):
        get_template("nope")


def test_templates_only_miss_what_the_user_must_choose(settings: Settings) -> None:
    missing = {}
    for template in list_templates():
        problems = validate_graph(template.graph, settings)
        missing[template.key] = {(p.node_id, p.type) for p in problems}
    # The user picks their dataset; the generate template needs the built-in model pulled.
    assert missing["clean-split-chat"] == {("source", "not_found")}
    assert missing["alpaca-to-chat"] == {("source", "not_found")}
    assert missing["persona"] == set()
    assert {node for node, _ in missing["generate-qa"]} == {"question", "answer", "judge"}


def test_persona_template_runs(settings: Settings) -> None:
    graph = get_template("persona").graph
    preview = preview_recipe(settings, graph, limit=5)
    assert all(node.status == "ok" for node in preview.nodes)
    result = run_recipe(settings, graph)
    rows = {output.node_id: output.rows for output in result.outputs}
    assert rows["train"] > rows["eval"] > 0


def test_alpaca_template_runs_on_a_table_dataset(settings: Settings) -> None:
    table = pa.table(
        {
            "instruction": ["Say hi", "Add 2 and 2", "Reply"],
            "input": ["", "", "x"],
            "output": ["Hi there!", "2 + 2 = 4", "ok"],
        }
    )
    with VersionWriter(settings) as writer:
        writer.write(table)
        staged = writer.finish()
    records.add_version(settings, "my-alpaca-dataset", staged, records.NewVersion(source="test"))
    result = run_recipe(settings, get_template("alpaca-to-chat").graph)
    assert result.outputs[0].rows == 2  # "ok" is one word: dropped by the filter
