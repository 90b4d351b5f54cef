"""`dedupe`: drop rows that repeat an earlier row, exactly or nearly.

- exact: each row's chosen columns are encoded unambiguously (length-prefixed, recursively
  through lists and structs, with Arrow compute) and hashed to a 128-bit BLAKE2b digest; the
  node remembers one digest per distinct row, never the rows.
- near: each row is rendered as text (strings, conversations as `role: content` lines), cut
  into lower-cased word shingles, and hashed into a MinHash; datasketch's MinHashLSH finds
  earlier rows that may be similar (searching a little below the threshold), and a row is a
  duplicate when one of them has an estimated Jaccard similarity (the share of equal MinHash
  values) at or above the threshold. Memory grows with the distinct rows: their band hashes
  and MinHash values (num_perm x 8 bytes each).
The first row of each group is kept; the stream keeps its order."""

from __future__ import annotations

import hashlib
from typing import ClassVar, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]
from pydantic import Field

from lathe.recipes.arrow import mask, render_text
from lathe.recipes.base import (
    Check,
    Emitted,
    Group,
    Inputs,
    NodeBase,
    Operator,
    Outputs,
    Params,
    RunContext,
    Transform,
    single_input,
)
from lathe.recipes.messages import list_lengths

_NULL = "~"  # no netstring starts with it, so a null never equals a value
# How far below the threshold LSH looks for candidates, which are then checked exactly.
CANDIDATE_MARGIN = 0.1


def _netstrings(values: pa.Array) -> pa.Array:
    """Each value as `<byte length>:<bytes>`, nulls as `~`: concatenations of these are
    unambiguous, so different rows never encode alike."""
    length = pc.binary_length(values).cast(pa.string())
    return pc.binary_join_element_wise(length, values, ":").fill_null(_NULL)


def encode(array: pa.Array) -> pa.Array:
    """An unambiguous string encoding of every value of `array`."""
    dtype = array.type
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return _netstrings(array.cast(pa.string()))
    if pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_boolean(dtype):
        return _netstrings(array.cast(pa.string()))
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        lengths, _ = list_lengths(array)
        offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]), pa.int64())
        items = encode(pc.list_flatten(array))
        lists = pa.LargeListArray.from_arrays(offsets, items, mask=array.is_null())
        return _netstrings(pc.binary_join(lists, ""))
    if pa.types.is_struct(dtype) and dtype.num_fields:
        fields = [encode(pc.struct_field(array, index)) for index in range(dtype.num_fields)]
        joined = pc.binary_join_element_wise(*fields, "")
        return _netstrings(pc.if_else(array.is_null(), pa.scalar(None, pa.string()), joined))
    # Anything else (binary, dates, maps...) is rare in datasets: its Python repr will do.
    return _netstrings(pa.array([None if v is None else repr(v) for v in array.to_pylist()]))


def row_digests(batch: pa.RecordBatch, columns: list[str]) -> list[bytes]:
    parts = [encode(batch.column(name)) for name in columns]
    rows = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "")
    return [
        hashlib.blake2b(value, digest_size=16).digest()
        for value in rows.cast(pa.binary()).to_pylist()
    ]


def shingles(text: str, size: int) -> list[bytes]:
    words = text.lower().split()
    count = max(1, len(words) - size + 1)
    return list({" ".join(words[i : i + size]).encode() for i in range(count)})


class DedupeParams(Params):
    mode: Literal["exact", "near"] = Field(
        default="exact",
        description="`exact`: identical values in the chosen columns; `near`: similar text "
        "(MinHash over word shingles).",
    )
    columns: list[str] | None = Field(
        default=None, description="The columns that make rows alike; all columns when unset."
    )
    threshold: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="`near`: the estimated Jaccard similarity of word shingles at which a row "
        "counts as a duplicate of an earlier one.",
    )
    num_perm: int = Field(
        default=128, ge=16, le=1024, description="`near`: MinHash permutations (accuracy)."
    )
    shingle_words: int = Field(default=3, ge=1, le=16, description="`near`: words per shingle.")


class DedupeNode(NodeBase):
    type: Literal["dedupe"] = "dedupe"
    params: DedupeParams = Field(default_factory=DedupeParams)

    group: ClassVar[Group] = "transform"
    title: ClassVar[str] = "Deduplicate"
    summary: ClassVar[str] = (
        "Drop rows that repeat an earlier row: exactly (128-bit hash of the chosen columns) "
        "or nearly (MinHash LSH over word shingles, with a similarity threshold)."
    )

    def output_schemas(self, inputs: Inputs | None, check: Check) -> Outputs | None:
        schema = single_input(inputs)
        if schema is None:
            return None
        columns = self.params.columns
        if columns is not None and not columns:
            check.problem("list at least one column, or leave it unset for all", param="columns")
            return None
        if columns is not None and not check.columns(schema, columns, "columns"):
            return None
        return {"out": schema}

    def operator(self, ctx: RunContext) -> Operator:
        columns = self.params.columns or ctx.input_schema().names
        if self.params.mode == "exact":
            return ExactDedupe(columns)
        return NearDedupe(columns, self.params)


class ExactDedupe(Transform):
    def __init__(self, columns: list[str]) -> None:
        self._columns = columns
        self._seen: set[bytes] = set()

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        keep = np.zeros(batch.num_rows, dtype=bool)
        for index, digest in enumerate(row_digests(batch, self._columns)):
            if digest not in self._seen:
                self._seen.add(digest)
                keep[index] = True
        return [("out", batch.filter(mask(keep)))]


def _index(threshold: float, num_perm: int) -> MinHashLSH:
    """An LSH index that finds candidates a little below `threshold` (candidates are then
    checked exactly); datasketch refuses thresholds too high for the permutations it has, so
    the candidate threshold steps down until it accepts one."""
    level = max(0.05, threshold - CANDIDATE_MARGIN)
    while True:
        try:
            return MinHashLSH(threshold=level, num_perm=num_perm)
        except ValueError:
            level -= CANDIDATE_MARGIN


class NearDedupe(Transform):
    def __init__(self, columns: list[str], params: DedupeParams) -> None:
        self._columns = columns
        self._params = params
        self._lsh = _index(params.threshold, params.num_perm)
        self._kept: list[np.ndarray] = []

    def _duplicate(self, minhash: MinHash) -> bool:
        return any(
            float(np.mean(self._kept[key] == minhash.hashvalues)) >= self._params.threshold
            for key in self._lsh.query(minhash)
        )

    def push(self, port: str, origin: str, batch: pa.RecordBatch) -> Emitted:
        texts = render_text(batch, self._columns).to_pylist()
        size = self._params.shingle_words
        hashes = MinHash.bulk(
            [shingles(text or "", size) for text in texts], num_perm=self._params.num_perm
        )
        keep = np.zeros(batch.num_rows, dtype=bool)
        for index, minhash in enumerate(hashes):
            if self._duplicate(minhash):
                continue
            self._lsh.insert(len(self._kept), minhash, check_duplication=False)
            self._kept.append(minhash.hashvalues)
            keep[index] = True
        return [("out", batch.filter(mask(keep)))]
