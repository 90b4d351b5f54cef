"""Recipes as YAML files: the same document as the API's graph (schema_version, nodes, edges),
plus an optional top-level `name` and `description`. Multi-line strings (templates, prompts)
are written as `|` blocks so the file stays readable and diffable.

    name: clean-alpaca
    schema_version: 1
    nodes:
      - id: src
        type: dataset
        params: {dataset: alpaca-raw}
      - id: convert
        type: to_messages
      - id: out
        type: output
        params: {dataset: alpaca-clean, format: messages}
    edges:
      - {source: src, target: convert}
      - {source: convert, target: out}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from lathe.errors import InvalidInput
from lathe.recipes.graph import RecipeGraph

_KEY_ORDER = ("name", "description", "schema_version", "nodes", "edges")


class _Dumper(yaml.SafeDumper):
    pass


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def load_yaml(text: str) -> dict[str, Any]:
    """The graph document in `text` (not yet validated: see parse_graph / validate_graph).
    InvalidInput naming the line of a YAML syntax error, or when the top level is no mapping."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        problem = getattr(error, "problem", None) or str(error)
        where = f"line {line}: " if line else ""
        raise InvalidInput(
            f"recipe YAML: {where}{problem}", field="yaml", details={"line": line}
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput(
            "recipe YAML: the file must be a mapping with nodes and edges", field="yaml"
        )
    return data


def dump_yaml(graph: RecipeGraph | Mapping[str, Any]) -> str:
    """The graph as YAML (unset optional fields left out)."""
    data = (
        graph.model_dump(mode="json", exclude_none=True)
        if isinstance(graph, RecipeGraph)
        else dict(graph)
    )
    ordered = {key: data[key] for key in _KEY_ORDER if key in data}
    ordered.update({key: value for key, value in data.items() if key not in ordered})
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
