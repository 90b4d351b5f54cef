"""Arrow types of dataset columns, and the names the API shows for them.

Canonical formats have fixed schemas (see lathe.schemas.datasets):
- messages:   messages list<struct<role: string, content: string>>
- text:       text string
- preference: prompt, chosen, rejected, each list<struct<role, content>>
A `table` dataset keeps the columns it was uploaded with; recipes add columns of any type.

Column type names (`string`, `int`, `float`, `bool`, `messages`, `list`, `struct`, `other`)
are what validation and the editor reason about; `column_type` maps an Arrow type onto them.
"""

from __future__ import annotations

from typing import Literal

import pyarrow as pa

from lathe.schemas.formats import CanonicalFormat

ColumnType = Literal["string", "int", "float", "bool", "messages", "list", "struct", "other"]
DatasetFormat = Literal["messages", "text", "preference", "table"]

MESSAGE_TYPE = pa.struct([("role", pa.string()), ("content", pa.string())])
MESSAGES_TYPE = pa.list_(MESSAGE_TYPE)

CANONICAL_SCHEMAS: dict[CanonicalFormat, pa.Schema] = {
    "messages": pa.schema([("messages", MESSAGES_TYPE)]),
    "text": pa.schema([("text", pa.string())]),
    "preference": pa.schema(
        [("prompt", MESSAGES_TYPE), ("chosen", MESSAGES_TYPE), ("rejected", MESSAGES_TYPE)]
    ),
}


def is_messages_type(dtype: pa.DataType) -> bool:
    """A list of structs that has string `role` and `content` fields (extra fields allowed)."""
    if not (pa.types.is_list(dtype) or pa.types.is_large_list(dtype)):
        return False
    item = dtype.value_type
    if not pa.types.is_struct(item):
        return False
    names = {item.field(i).name: item.field(i).type for i in range(item.num_fields)}
    return all(
        name in names and (pa.types.is_string(names[name]) or pa.types.is_large_string(names[name]))
        for name in ("role", "content")
    )


def column_type(dtype: pa.DataType) -> ColumnType:
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "string"
    if pa.types.is_integer(dtype):
        return "int"
    if pa.types.is_floating(dtype):
        return "float"
    if pa.types.is_boolean(dtype):
        return "bool"
    if is_messages_type(dtype):
        return "messages"
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return "list"
    if pa.types.is_struct(dtype):
        return "struct"
    return "other"


def describe_schema(schema: pa.Schema) -> list[dict[str, str]]:
    """[{name, type}] for the API and the dataset_versions row."""
    return [{"name": field.name, "type": column_type(field.type)} for field in schema]


def format_of_schema(schema: pa.Schema) -> DatasetFormat:
    """The canonical format whose columns `schema` has (with those types), else `table`."""
    names = set(schema.names)
    for fmt, canonical in CANONICAL_SCHEMAS.items():
        if all(
            field.name in names
            and column_type(schema.field(field.name).type) == column_type(field.type)
            for field in canonical
        ):
            return fmt
    return "table"
