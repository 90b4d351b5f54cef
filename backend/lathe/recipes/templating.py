"""Jinja templates over rows, shared by the template, generate and judge nodes.

Templates run in jinja2's ImmutableSandboxedEnvironment (no attribute tricks, no mutation of
the row) with StrictUndefined, so a misspelt name is an error rather than an empty string. The
columns a template reads are its undeclared variables (jinja2.meta), checked against the input
schema at validation time."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import jinja2
import pyarrow as pa
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from lathe.errors import LatheError
from lathe.recipes.base import Check

_ENV = ImmutableSandboxedEnvironment(
    undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
)
# What can go wrong while rendering one row: the template's fault, not Lathe's.
_RENDER_ERRORS = (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError)


@dataclass(frozen=True)
class CompiledTemplate:
    source: str
    template: jinja2.Template
    variables: tuple[str, ...]


def _line_of(source: str, name: str) -> int | None:
    match = re.search(rf"\b{re.escape(name)}\b", source)
    return None if match is None else source.count("\n", 0, match.start()) + 1


def check_template(
    check: Check, source: str, param: str, schema: pa.Schema | None
) -> CompiledTemplate | None:
    """The compiled template, or None after reporting its syntax error or the columns it
    reads that the input (when known) does not have."""
    try:
        parsed = _ENV.parse(source)
        template = _ENV.from_string(source)
    except jinja2.TemplateSyntaxError as error:
        check.problem(
            f"template syntax error at line {error.lineno}: {error.message}",
            param=param,
            type="invalid_template",
            line=error.lineno,
        )
        return None
    variables = tuple(sorted(meta.find_undeclared_variables(parsed)))
    if schema is not None:
        missing = [name for name in variables if name not in schema.names]
        for name in missing:
            line = _line_of(source, name)
            at = f" (line {line})" if line else ""
            check.problem(
                f"the template uses {name!r}{at}, which is not a column of the input "
                f"(columns: {', '.join(schema.names)})",
                param=param,
                type="missing_column",
                line=line,
            )
        if missing:
            return None
    return CompiledTemplate(source, template, variables)


class RowRenderer:
    """Renders a template for every row of the batches it is given, counting rows so an error
    names the row (1-based, in the order the node saw them)."""

    def __init__(self, compiled: CompiledTemplate, fail: Callable[[str], LatheError]) -> None:
        self._compiled = compiled
        self._fail = fail
        self._seen = 0

    def render(self, batch: pa.RecordBatch) -> list[str]:
        names = list(self._compiled.variables)
        rows = batch.select(names).to_pylist() if names else [{}] * batch.num_rows
        out = []
        for row in rows:
            self._seen += 1
            try:
                out.append(self._compiled.template.render(row))
            except _RENDER_ERRORS as error:
                raise self._fail(f"row {self._seen}: {error}") from error
        return out
