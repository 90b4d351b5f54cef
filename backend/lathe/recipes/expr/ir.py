"""The compiled form of a filter expression: a small typed tree whose nodes evaluate over a
whole record batch with pyarrow.compute. Values are Arrow arrays (a column, or something
computed from one) or Arrow scalars (literals, and anything computed only from literals).

Null follows SQL: an operation on a null gives null, `and`/`or` are Kleene logic, and a row
whose filter value is null is dropped. Division or modulo by zero gives null rather than an
error, so one bad row cannot stop a run."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

Kind = Literal[
    "bool", "int", "float", "string", "messages", "list", "struct", "null", "other", "any"
]
# An Arrow array or scalar; spelt Any because pyarrow ships no type information.
Value: TypeAlias = Any
ArithOp = Literal["+", "-", "*", "/", "//", "%"]
NUMERIC: tuple[Kind, ...] = ("int", "float")

_ARROW_TYPES: dict[str, pa.DataType] = {
    "bool": pa.bool_(),
    "int": pa.int64(),
    "float": pa.float64(),
    "string": pa.string(),
}


def arrow_type(kind: Kind) -> pa.DataType:
    return _ARROW_TYPES.get(kind, pa.null())


@dataclass(frozen=True)
class Expr(ABC):
    kind: Kind
    offset: int

    @abstractmethod
    def evaluate(self, batch: pa.RecordBatch) -> Value:
        """The value of this expression for every row of `batch`."""


@dataclass(frozen=True)
class Column(Expr):
    name: str

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        return batch.column(self.name)


@dataclass(frozen=True)
class Constant(Expr):
    value: Any

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        return pa.scalar(self.value, arrow_type(self.kind))


@dataclass(frozen=True)
class Nulls(Expr):
    """An operation on a value that is always null (an all-null column, `None`): null."""

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        return pa.nulls(batch.num_rows, arrow_type(self.kind))


@dataclass(frozen=True)
class Call(Expr):
    function: Callable[..., Value]
    args: tuple[Expr, ...]
    literals: tuple[Any, ...]

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        return self.function(*(arg.evaluate(batch) for arg in self.args), *self.literals)


def _float(value: Value) -> Value:
    return value.cast(pa.float64())


def _nonzero(value: Value) -> Value:
    """The divisor with zeros turned into nulls."""
    if isinstance(value, pa.Scalar):
        return pa.scalar(None, value.type) if value.as_py() == 0 else value
    return pc.if_else(pc.equal(value, 0), pa.scalar(None, value.type), value)


def _floor_divide(left: Value, right: Value, whole: bool) -> Value:
    result = pc.floor(pc.divide(_float(left), _nonzero(_float(right))))
    return result.cast(pa.int64()) if whole else result


@dataclass(frozen=True)
class Binary(Expr):
    op: ArithOp
    left: Expr
    right: Expr

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        left, right = self.left.evaluate(batch), self.right.evaluate(batch)
        if self.op == "+" and self.kind == "string":
            return pc.binary_join_element_wise(left, right, "")
        if self.op == "+":
            return pc.add_checked(left, right)
        if self.op == "-":
            return pc.subtract_checked(left, right)
        if self.op == "*":
            return pc.multiply_checked(left, right)
        if self.op == "/":
            return pc.divide(_float(left), _nonzero(_float(right)))
        if self.op == "//":
            return _floor_divide(left, right, self.kind == "int")
        return pc.modulo(left, _nonzero(right))


_COMPARE: dict[str, Callable[[Value, Value], Value]] = {
    "==": pc.equal,
    "!=": pc.not_equal,
    "<": pc.less,
    "<=": pc.less_equal,
    ">": pc.greater,
    ">=": pc.greater_equal,
}


@dataclass(frozen=True)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        return _COMPARE[self.op](self.left.evaluate(batch), self.right.evaluate(batch))


@dataclass(frozen=True)
class Logical(Expr):
    op: Literal["and", "or"]
    values: tuple[Expr, ...]

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        combine = pc.and_kleene if self.op == "and" else pc.or_kleene
        result = self.values[0].evaluate(batch)
        for value in self.values[1:]:
            result = combine(result, value.evaluate(batch))
        return result


@dataclass(frozen=True)
class Not(Expr):
    value: Expr

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        return pc.invert(self.value.evaluate(batch))


@dataclass(frozen=True)
class Negate(Expr):
    value: Expr

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        return pc.negate_checked(self.value.evaluate(batch))


@dataclass(frozen=True)
class InList(Expr):
    """`value in [literals]`; null when the value is null."""

    value: Expr
    items: tuple[Any, ...]
    negate: bool

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        value = self.value.evaluate(batch)
        items = pa.array(self.items)
        if pa.types.is_floating(items.type) or pa.types.is_floating(value.type):
            value, items = _float(value), _float(items)
        elif value.type != items.type:
            items = items.cast(value.type)
        found = pc.is_in(value, value_set=items)
        found = pc.invert(found) if self.negate else found
        return pc.if_else(pc.is_null(value), pa.scalar(None, pa.bool_()), found)


@dataclass(frozen=True)
class Substring(Expr):
    """`"text" in column`: the column contains the literal."""

    needle: str
    haystack: Expr
    negate: bool

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        found = pc.match_substring(self.haystack.evaluate(batch), self.needle)
        return pc.invert(found) if self.negate else found


@dataclass(frozen=True)
class IsNull(Expr):
    value: Expr
    negate: bool

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        value = self.value.evaluate(batch)
        return pc.is_valid(value) if self.negate else pc.is_null(value)


@dataclass(frozen=True)
class IfElse(Expr):
    test: Expr
    then: Expr
    otherwise: Expr

    def evaluate(self, batch: pa.RecordBatch) -> Value:
        then, otherwise = self.then.evaluate(batch), self.otherwise.evaluate(batch)
        if self.kind == "float":
            then, otherwise = _float(then), _float(otherwise)
        return pc.if_else(self.test.evaluate(batch), then, otherwise)


def selection(expr: Expr, batch: pa.RecordBatch) -> pa.Array:
    """The expression as a boolean mask over the batch's rows (a constant is broadcast)."""
    value = expr.evaluate(batch)
    if isinstance(value, pa.Scalar):
        return pa.array([value.as_py()] * batch.num_rows, pa.bool_())
    return value


def literal_kind(value: Any) -> Kind:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return "float" if isinstance(value, float) else "string"


def family(kind: Kind) -> str:
    """Kinds that compare with each other: numbers with numbers, and each other kind alone."""
    return "number" if kind in NUMERIC else kind


def common_kind(kinds: Sequence[Kind]) -> Kind:
    """int and float mix to float; otherwise the kinds are one family already."""
    if "any" in kinds:
        return "any"
    if "float" in kinds:
        return "float"
    return kinds[0]
