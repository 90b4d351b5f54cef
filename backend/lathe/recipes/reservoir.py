"""Random choices over a stream of rows that do not depend on how the stream is batched.

`Blocks` regroups incoming batches into fixed-size blocks, so a seeded choice made per block
gives the same rows whatever batch sizes the upstream nodes produced. `Reservoir` keeps a
uniform random sample of k rows of a stream in O(k + block) memory: each block is merged into
the sample by drawing how many of the new sample's rows come from the block (hypergeometric),
then which ones, so every k-subset of the rows seen so far is equally likely."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BLOCK_ROWS = 8192


class Blocks:
    def __init__(self, schema: pa.Schema, rows: int = BLOCK_ROWS) -> None:
        self._schema = schema
        self._rows = rows
        self._held: list[pa.RecordBatch] = []
        self._count = 0

    def add(self, batch: pa.RecordBatch) -> list[pa.Table]:
        """The blocks completed by `batch`, each exactly `rows` rows."""
        self._held.append(batch)
        self._count += batch.num_rows
        if self._count < self._rows:
            return []
        table = pa.Table.from_batches(self._held, schema=self._schema)
        full = self._count // self._rows * self._rows
        blocks = [table.slice(start, self._rows) for start in range(0, full, self._rows)]
        rest = table.slice(full)
        self._held = rest.to_batches()
        self._count = rest.num_rows
        return blocks

    def rest(self) -> pa.Table | None:
        """The last, partial block (None when there is none)."""
        if not self._count:
            return None
        table = pa.Table.from_batches(self._held, schema=self._schema)
        self._held, self._count = [], 0
        return table


def round_half_up(value: float) -> int:
    """Rows from a fraction: 2.5 rows is 3 (Python's round() would say 2)."""
    return math.floor(value + 0.5)


def pick(rng: np.random.Generator, population: int, count: int) -> np.ndarray:
    """`count` distinct indices below `population`, in increasing order."""
    return np.sort(rng.choice(population, size=count, replace=False))


def _chosen(rows: int, indices: np.ndarray) -> pa.Array:
    chosen = np.zeros(rows, dtype=bool)
    chosen[indices] = True
    return pa.array(chosen)


def partition(table: pa.Table, indices: np.ndarray) -> tuple[pa.Table, pa.Table]:
    """(rows at `indices`, the other rows), each in their original order."""
    chosen = _chosen(table.num_rows, indices)
    return table.filter(chosen), table.filter(pc.invert(chosen))


class Reservoir:
    def __init__(self, size: int, rng: np.random.Generator, schema: pa.Schema) -> None:
        self.size = size
        self.sample = schema.empty_table()
        self.seen = 0
        self._rng = rng

    def add(self, block: pa.Table) -> pa.Table:
        """Merge `block` into the sample; returns the rows that are not (or no longer) in it:
        evicted sample rows first, then the block's unchosen rows."""
        seen, rows = self.seen, block.num_rows
        self.seen += rows
        if seen + rows <= self.size:
            self.sample = pa.concat_tables([self.sample, block])
            return block.schema.empty_table()
        from_block = int(self._rng.hypergeometric(rows, seen, self.size))
        kept, evicted = partition(
            self.sample, pick(self._rng, self.sample.num_rows, self.size - from_block)
        )
        taken, passed = partition(block, pick(self._rng, rows, from_block))
        self.sample = pa.concat_tables([kept, taken]).combine_chunks()
        return pa.concat_tables([evicted, passed])
