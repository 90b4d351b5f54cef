"""Small Arrow helpers shared by the node types: batching, blank-string tests, JSON-safe rows
for previews, and text renderings of rows."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lathe.datasets.columns import column_type
from lathe.recipes.messages import join_contents


def to_batches(table: pa.Table, rows: int) -> list[pa.RecordBatch]:
    """`table` as record batches of at most `rows` rows (none for an empty table)."""
    return [batch for batch in table.to_batches(max_chunksize=rows) if batch.num_rows]


def as_table(batches: Sequence[pa.RecordBatch], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_batches(list(batches), schema=schema)


def strings(array: pa.Array) -> pa.Array:
    """A string (or all-null) column as `string`."""
    return array if array.type == pa.string() else array.cast(pa.string())


def nonblank(array: pa.Array) -> np.ndarray:
    """Per row: the value is a string with something besides whitespace."""
    text = strings(array)
    filled = pc.not_equal(pc.utf8_trim_whitespace(text), "").fill_null(False)
    result: np.ndarray = filled.to_numpy(zero_copy_only=False)
    return result


def mask(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.bool_())


def json_safe(value: Any) -> Any:
    """`value` (from Arrow's to_pylist) as something json.dumps accepts and round-trips."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def json_rows(batch: pa.RecordBatch | pa.Table, limit: int | None = None) -> list[dict[str, Any]]:
    data = batch if limit is None else batch.slice(0, limit)
    return [json_safe(row) for row in data.to_pylist()]


def render_text(batch: pa.RecordBatch, columns: Sequence[str]) -> pa.Array:
    """One string per row from `columns`, for near-duplicate detection and judging: strings
    as they are, conversations as `role: content` lines, anything else as its string cast (or
    JSON-ish text for nested values); columns are separated by blank lines."""
    parts = []
    for name in columns:
        array = batch.column(name)
        kind = column_type(array.type)
        if kind == "messages":
            part = join_contents(array, roles=True)
        elif kind in ("string", "int", "float", "bool"):
            part = strings(array)
        else:
            part = pa.array([None if v is None else str(v) for v in array.to_pylist()], pa.string())
        parts.append(part.fill_null(""))
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, "\n\n")


def schema_with(schema: pa.Schema, field: pa.Field) -> pa.Schema:
    """`schema` with `field` replacing the column of that name, or appended."""
    if field.name in schema.names:
        return schema.set(schema.get_field_index(field.name), field)
    return schema.append(field)


def batch_with(batch: pa.RecordBatch, name: str, array: pa.Array) -> pa.RecordBatch:
    """`batch` with `array` replacing the column `name`, or appended."""
    field = pa.field(name, array.type)
    if name in batch.schema.names:
        return batch.set_column(batch.schema.get_field_index(name), field, array)
    return batch.append_column(field, array)
