"""The functions a filter expression may call, each vectorised with pyarrow.compute.

Arguments marked literal must be written as a literal in the expression (a substring, a regex,
a turn index), because Arrow takes them as kernel options rather than per-row values; a regex
is also checked when the expression is validated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from lathe.datasets.columns import column_type
from lathe.recipes.expr.ir import Kind, Value
from lathe.recipes.messages import join_contents, list_item

# What float() accepts, minus inf/nan and digit separators.
_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
_TEXT: tuple[Kind, ...] = ("string",)
_TEXTS: tuple[Kind, ...] = ("string", "messages")
_SCALARS: tuple[Kind, ...] = ("string", "int", "float", "bool")


def _is_messages(value: Value) -> bool:
    return column_type(value.type) == "messages"


def _length(value: Value) -> Value:
    if pa.types.is_string(value.type) or pa.types.is_large_string(value.type):
        return pc.utf8_length(value)
    return pc.list_value_length(value)


def _number(value: Value) -> Value:
    if not (pa.types.is_string(value.type) or pa.types.is_large_string(value.type)):
        return value.cast(pa.float64())
    numeric = pc.match_substring_regex(value, _NUMBER)
    cleaned = pc.if_else(numeric, pc.utf8_trim_whitespace(value), pa.scalar(None, pa.string()))
    return cleaned.cast(pa.float64())


def _chars(value: Value) -> Value:
    return pc.utf8_length(join_contents(value, "") if _is_messages(value) else value)


def _words(value: Value) -> Value:
    text = join_contents(value, " ") if _is_messages(value) else value
    return pc.count_substring_regex(text, r"\S+")


def _turn(field: str) -> Callable[[Value, int], Value]:
    def turn(value: Value, index: int) -> Value:
        return pc.struct_field(list_item(value, index), field)

    return turn


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[tuple[Kind, ...], ...]
    # Per argument: the literal kind it must be written as, or None for any expression.
    literal: tuple[Kind | None, ...]
    result: Kind
    impl: Callable[..., Value]
    doc: str


FUNCTIONS: dict[str, Function] = {
    function.name: function
    for function in (
        Function(
            "len",
            (("string", "list", "messages"),),
            (None,),
            "int",
            _length,
            "len(x): characters of a string, items of a list, turns of a conversation",
        ),
        Function("lower", (_TEXT,), (None,), "string", pc.utf8_lower, "lower(s): lower case"),
        Function("upper", (_TEXT,), (None,), "string", pc.utf8_upper, "upper(s): upper case"),
        Function(
            "strip",
            (_TEXT,),
            (None,),
            "string",
            pc.utf8_trim_whitespace,
            "strip(s): without leading and trailing whitespace",
        ),
        Function(
            "contains",
            (_TEXT, _TEXT),
            (None, "string"),
            "bool",
            lambda value, text: pc.match_substring(value, text),
            "contains(s, 'text'): s contains the literal text",
        ),
        Function(
            "startswith",
            (_TEXT, _TEXT),
            (None, "string"),
            "bool",
            lambda value, text: pc.starts_with(value, text),
            "startswith(s, 'text')",
        ),
        Function(
            "endswith",
            (_TEXT, _TEXT),
            (None, "string"),
            "bool",
            lambda value, text: pc.ends_with(value, text),
            "endswith(s, 'text')",
        ),
        Function(
            "matches",
            (_TEXT, _TEXT),
            (None, "string"),
            "bool",
            lambda value, pattern: pc.match_substring_regex(value, pattern),
            "matches(s, 'regex'): the regex (RE2 syntax) matches somewhere in s",
        ),
        Function(
            "num",
            (_SCALARS,),
            (None,),
            "float",
            _number,
            "num(x): x as a number; null when a string is not one",
        ),
        Function("abs", (("int", "float"),), (None,), "float", pc.abs_checked, "abs(n)"),
        Function(
            "turns",
            (("messages",),),
            (None,),
            "int",
            pc.list_value_length,
            "turns(messages): number of turns",
        ),
        Function(
            "chars",
            (_TEXTS,),
            (None,),
            "int",
            _chars,
            "chars(x): characters of a string or of all turns of a conversation",
        ),
        Function(
            "words",
            (_TEXTS,),
            (None,),
            "int",
            _words,
            "words(x): whitespace-separated words of a string or conversation",
        ),
        Function(
            "role",
            (("messages",), ("int",)),
            (None, "int"),
            "string",
            _turn("role"),
            "role(messages, i): role of turn i (negative counts from the end; null if none)",
        ),
        Function(
            "content",
            (("messages",), ("int",)),
            (None, "int"),
            "string",
            _turn("content"),
            "content(messages, i): text of turn i (negative counts from the end)",
        ),
    )
}
# `col('name')` reads a column whose name is not an identifier; the compiler handles it.
COLUMN_FUNCTION = "col"
