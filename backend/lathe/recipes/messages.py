"""Vectorised work on `messages` columns (list<struct<role, content>>): build them from string
columns, read one turn of every row, add or replace system turns, join contents. All of it is
offset arithmetic in numpy plus Arrow `take`, never a Python loop over rows, because recipes
run these on millions of rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lathe.datasets.columns import MESSAGE_TYPE, MESSAGES_TYPE


def _offsets(lengths: np.ndarray) -> pa.Array:
    return pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32), pa.int32())


def list_lengths(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the number of items (0 for a null row) and where the row starts in
    `pc.list_flatten(column)` (which skips null rows and honours slicing)."""
    lengths = pc.list_value_length(column).fill_null(0).to_numpy(zero_copy_only=False)
    lengths = lengths.astype(np.int64)
    return lengths, np.cumsum(lengths) - lengths


def list_item(column: pa.Array, index: int) -> pa.Array:
    """Item `index` of every row's list (negative counts from the end); null where the row is
    null or too short."""
    lengths, starts = list_lengths(column)
    position = np.full(len(lengths), index) if index >= 0 else lengths + index
    present = (position >= 0) & (position < lengths)
    indices = pa.array(np.where(present, starts + position, 0), mask=~present)
    return pc.list_flatten(column).take(indices)


def _strings(array: pa.Array) -> pa.Array:
    return array if array.type == pa.string() else array.cast(pa.string())


def canonical_messages(column: pa.Array) -> pa.Array:
    """`column` as MESSAGES_TYPE exactly: extra struct fields dropped, large strings cast."""
    if column.type == MESSAGES_TYPE:
        return column
    lengths, _ = list_lengths(column)
    flat = pc.list_flatten(column)
    values = pa.StructArray.from_arrays(
        [_strings(pc.struct_field(flat, "role")), _strings(pc.struct_field(flat, "content"))],
        fields=list(MESSAGE_TYPE),
    )
    return pa.ListArray.from_arrays(
        _offsets(lengths), values, type=MESSAGES_TYPE, mask=column.is_null()
    )


def build_messages(turns: Sequence[tuple[str, pa.Array]]) -> pa.Array:
    """One conversation per row from per-turn content columns, in the order given; a null
    content leaves that turn out of that row."""
    rows = len(turns[0][1])
    contents = pa.concat_arrays([_strings(content) for _, content in turns])
    present = np.stack(
        [content.is_valid().to_numpy(zero_copy_only=False) for _, content in turns], axis=1
    )
    slot = np.arange(len(turns))[None, :] * rows + np.arange(rows)[:, None]
    picked = slot[present]  # row-major: each row's turns stay together, in turn order
    roles = pa.array([role for role, _ in turns], pa.string()).take(
        pa.array(np.nonzero(present)[1])
    )
    values = pa.StructArray.from_arrays(
        [roles, contents.take(pa.array(picked))], fields=list(MESSAGE_TYPE)
    )
    return pa.ListArray.from_arrays(_offsets(present.sum(axis=1)), values, type=MESSAGES_TYPE)


def with_system(column: pa.Array, prompt: str, *, replace: bool) -> pa.Array:
    """Every conversation with `prompt` as its first (system) turn. `replace`: an existing
    leading system turn is replaced; otherwise rows that already start with one keep it.
    Null rows stay null."""
    column = canonical_messages(column)
    lengths, starts = list_lengths(column)
    flat = pc.list_flatten(column)
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    has_turns = lengths > 0
    leading_system = np.zeros(len(lengths), dtype=bool)
    if has_turns.any():
        first_roles = pc.struct_field(flat, "role").take(pa.array(starts[has_turns]))
        leading_system[has_turns] = (
            pc.equal(first_roles, "system").fill_null(False).to_numpy(zero_copy_only=False)
        )
    skip = (leading_system if replace else np.zeros_like(leading_system)).astype(np.int64)
    add = (valid if replace else valid & ~leading_system).astype(np.int64)
    new_lengths = lengths - skip + add
    new_starts = np.cumsum(new_lengths) - new_lengths
    position = np.arange(int(new_lengths.sum())) - np.repeat(new_starts, new_lengths)
    source = np.repeat(starts + skip - add, new_lengths) + position
    source[(position == 0) & np.repeat(add.astype(bool), new_lengths)] = len(flat)
    system = pa.array([{"role": "system", "content": prompt}], MESSAGE_TYPE)
    values = pa.concat_arrays([flat, system]).take(pa.array(source, pa.int64()))
    return pa.ListArray.from_arrays(
        _offsets(new_lengths), values, type=MESSAGES_TYPE, mask=pa.array(~valid)
    )


def join_contents(column: pa.Array, separator: str = "\n", *, roles: bool = False) -> pa.Array:
    """Each conversation's contents joined into one string (`role: content` lines with
    `roles`); null rows stay null."""
    lengths, _ = list_lengths(column)
    flat = pc.list_flatten(column)
    parts = _strings(pc.struct_field(flat, "content")).fill_null("")
    if roles:
        role = _strings(pc.struct_field(flat, "role")).fill_null("")
        parts = pc.binary_join_element_wise(role, parts, ": ")
    lists = pa.ListArray.from_arrays(_offsets(lengths), parts, mask=column.is_null())
    return pc.binary_join(lists, separator)
