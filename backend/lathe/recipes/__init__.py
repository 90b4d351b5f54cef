"""Data recipes: typed graphs of nodes that read, clean, reshape, filter, deduplicate, split,
mix and generate rows, previewed on a few rows and run in record batches into new dataset
versions.

    parse_graph(data) -> RecipeGraph            # or InvalidInput listing every parse problem
    validate_graph(data, settings) -> [Problem] # every problem, each with its node id
    node_types_catalog() -> [NodeTypeInfo]      # ports and params JSON schema per node type
    preview_recipe(settings, graph, limit=20, training_view=None) -> PreviewResult
    run_recipe(settings, graph, on_progress=, should_stop=, job_id=, recipe_version_id=)
    load_yaml(text) -> dict / dump_yaml(graph) -> str
"""

from lathe.recipes.graph import Edge, RecipeGraph, parse_graph
from lathe.recipes.preview import PreviewResult, TrainingViewRequest, preview_recipe
from lathe.recipes.problems import Problem
from lathe.recipes.registry import Node, NodeTypeInfo, node_types_catalog
from lathe.recipes.run import RunResult, run_recipe
from lathe.recipes.validate import validate_graph
from lathe.recipes.yaml_io import dump_yaml, load_yaml

__all__ = [
    "Edge",
    "Node",
    "NodeTypeInfo",
    "PreviewResult",
    "Problem",
    "RecipeGraph",
    "RunResult",
    "TrainingViewRequest",
    "dump_yaml",
    "load_yaml",
    "node_types_catalog",
    "parse_graph",
    "preview_recipe",
    "run_recipe",
    "validate_graph",
]
