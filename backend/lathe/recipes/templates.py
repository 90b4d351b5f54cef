"""Starter recipes that ship with Lathe (YAML files in recipes/templates), for the editor's
"start from a template" and for `lathe recipes import`."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from pydantic import BaseModel, Field

from lathe.errors import NotFound
from lathe.recipes.graph import RecipeGraph, parse_graph
from lathe.recipes.yaml_io import load_yaml

TEMPLATE_FILES = {
    "clean-split-chat": "clean-split-chat.yaml",
    "alpaca-to-chat": "alpaca-to-chat.yaml",
    "persona": "persona.yaml",
    "generate-qa": "generate-qa.yaml",
}


class RecipeTemplate(BaseModel):
    key: str
    name: str = Field(description="The name a recipe made from it gets by default.")
    description: str
    yaml: str = Field(description="The template as a recipe YAML document.")
    graph: RecipeGraph


@cache
def list_templates() -> list[RecipeTemplate]:
    folder = files("lathe.recipes") / "templates"
    found = []
    for key, filename in TEMPLATE_FILES.items():
        text = (folder / filename).read_text(encoding="utf-8")
        graph = parse_graph(load_yaml(text))
        found.append(
            RecipeTemplate(
                key=key,
                name=graph.name or key,
                description=graph.description or "",
                yaml=text,
                graph=graph,
            )
        )
    return found


def get_template(key: str) -> RecipeTemplate:
    for template in list_templates():
        if template.key == key:
            return template
    raise NotFound(f"no recipe template {key!r}; known: {', '.join(TEMPLATE_FILES)}")
