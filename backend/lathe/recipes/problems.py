"""What is wrong with a recipe graph: one Problem per fault, each naming its node, so the editor
can mark the node and the API can list them all in one error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from lathe.errors import InvalidInput


class Problem(BaseModel):
    node_id: str | None = Field(description="The node at fault; null for graph-wide problems.")
    field: str = Field(
        description="Where in the graph: `nodes.<id>.params.<name>`, `nodes.<id>`, "
        "`edges.<index>` or `nodes` for graph-wide problems."
    )
    message: str = Field(description="What is wrong, starting with the node and parameter.")
    type: str = Field(
        default="invalid_params",
        description="A short code: invalid_graph, invalid_params, unknown_node_type, "
        "duplicate_id, missing_node, missing_port, cycle, unconnected, too_many_edges, "
        "missing_column, type_mismatch, invalid_expression, invalid_template, no_output, "
        "not_found, failed.",
    )
    offset: int | None = Field(
        default=None, description="0-based character offset in a filter expression."
    )
    line: int | None = Field(default=None, description="1-based line in a template.")

    def detail(self) -> dict[str, Any]:
        """The entry of the API's error details: {field, node_id, message, type, ...}."""
        return self.model_dump(exclude_none=True) | {"node_id": self.node_id}


def param_field(node_id: str, param: str | None) -> str:
    return f"nodes.{node_id}" if param is None else f"nodes.{node_id}.params.{param}"


def node_problem(
    node_id: str,
    text: str,
    *,
    param: str | None = None,
    type: str = "invalid_params",
    offset: int | None = None,
    line: int | None = None,
) -> Problem:
    """A problem of one node; its message starts with the node id and parameter, so it reads
    well on its own (CLI, logs) as well as next to the node in the editor."""
    where = f"node {node_id}" if param is None else f"node {node_id}: {param}"
    return Problem(
        node_id=node_id,
        field=param_field(node_id, param),
        message=f"{where}: {text}",
        type=type,
        offset=offset,
        line=line,
    )


def problems_error(problems: Sequence[Problem], what: str = "recipe") -> InvalidInput:
    """One InvalidInput that lists every problem in its details."""
    first = problems[0].message
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return InvalidInput(
        f"{what} is invalid: {first}{more}", details=[problem.detail() for problem in problems]
    )
