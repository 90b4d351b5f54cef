"""The filter language: valid expressions give the answers Python gives; everything outside the
whitelist is refused with its offset; evaluation is vectorised (no per-row Python)."""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pytest

from lathe.datasets.columns import MESSAGES_TYPE
from lathe.recipes.expr import ExprError, compile_expression, selection
from tests.backend.recipes.conftest import Apply, turns

ROWS: list[dict[str, Any]] = [
    {
        "text": "Hello world",
        "n": 3,
        "x": 2.5,
        "flag": True,
        "tags": ["a", "b"],
        "label": "spam",
        "messages": turns("What is 2+2?", "It is 4.", system="Be brief."),
        "my col": "x",
    },
    {
        "text": "  padded text  ",
        "n": -4,
        "x": 0.5,
        "flag": False,
        "tags": ["b", "c", "d"],
        "label": "ham",
        "messages": turns("hi", "hello there, friend"),
        "my col": "y",
    },
    {
        "text": "Ünïcödé ÉCRIT 42",
        "n": 10,
        "x": -1.25,
        "flag": True,
        "tags": ["z", "q"],
        "label": "eggs",
        "messages": turns("Give me a number", "42"),
        "my col": "x",
    },
    {
        "text": "as an AI language model I cannot",
        "n": 0,
        "x": 100.0,
        "flag": False,
        "tags": ["a", "a", "a", "a"],
        "label": "spam",
        "messages": turns("q", "as an AI I cannot help"),
        "my col": "z",
    },
]

REFERENCE_FUNCTIONS = {
    "len": len,
    "lower": str.lower,
    "upper": str.upper,
    "strip": str.strip,
    "contains": lambda s, t: t in s,
    "startswith": str.startswith,
    "endswith": str.endswith,
    "matches": lambda s, pattern: re.search(pattern, s) is not None,
    "num": float,
    "abs": abs,
    "turns": len,
    "chars": lambda v: len(v) if isinstance(v, str) else sum(len(t["content"]) for t in v),
    "words": lambda v: len(
        (v if isinstance(v, str) else " ".join(t["content"] for t in v)).split()
    ),
    "role": lambda m, i: m[i]["role"],
    "content": lambda m, i: m[i]["content"],
}

VALID = [
    "n > 2",
    "n >= 3 and x < 3",
    "n == 3 or label == 'ham'",
    "not flag",
    "flag and not n < 0",
    "-n > 3",
    "n + x > 5",
    "n - 1 == 2",
    "n * 2 >= 6",
    "n / 4 > 0.5",
    "n // 3 == 1",
    "n % 3 == 1",
    "x * x > 1",
    "1 < n < 11",
    "label in ['spam', 'eggs']",
    "label not in ['spam']",
    "n in [0, 10]",
    "'world' in text",
    "'AI' not in text",
    "len(text) > 12",
    "len(tags) == 3",
    "len(messages) == 2",
    "lower(text) == 'hello world'",
    "upper(label) == 'SPAM'",
    "strip(text) == 'padded text'",
    "contains(lower(text), 'as an ai')",
    "startswith(text, 'Hello')",
    "endswith(text, '42')",
    "matches(text, '[0-9]+')",
    "matches(text, '^[A-Z]')",
    "num(strip('12.5')) > n",
    "abs(n) >= 4",
    "turns(messages) == 3",
    "chars(messages) > 15",
    "chars(text) < 16",
    "words(text) == 2",
    "words(messages) >= 4",
    "role(messages, 0) == 'system'",
    "role(messages, -1) == 'assistant'",
    "content(messages, -1) == '42'",
    "tags[0] == 'a'",
    "tags[-1] in ['b', 'd']",
    "col('my col') == 'x'",
    "(n if flag else -n) > 2",
    "label + '!' == 'spam!'",
    "x > 0 and (n > 5 or label == 'spam')",
    "True",
    "(n > 0) == False",
]


def table() -> pa.RecordBatch:
    columns = {name: [row[name] for row in ROWS] for name in ROWS[0]}
    arrays = [
        pa.array(values, MESSAGES_TYPE) if name == "messages" else pa.array(values)
        for name, values in columns.items()
    ]
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def reference(expression: str, row: dict[str, Any]) -> bool:
    names = {
        **REFERENCE_FUNCTIONS,
        **{key: value for key, value in row.items() if key.isidentifier()},
        "col": lambda name: row[name],
    }
    result = eval(expression, {"__builtins__": {}}, names)
    assert isinstance(result, bool)
    return result


@pytest.mark.parametrize("expression", VALID)
def test_valid_expressions_agree_with_python(expression: str) -> None:
    batch = table()
    compiled = compile_expression(expression, batch.schema)
    got = selection(compiled, batch).to_pylist()
    assert got == [reference(expression, row) for row in ROWS]


def test_every_function_is_exercised() -> None:
    used = {name for name in REFERENCE_FUNCTIONS if any(f"{name}(" in e for e in VALID)}
    assert used == set(REFERENCE_FUNCTIONS)


REFUSED = [
    ("text.__class__", 4, "attribute access"),
    ("text.upper() == 'A'", 4, "attribute access"),
    ("__import__('os')", 0, "names starting with '__' are not allowed"),
    ("__builtins__ == 1", 0, "names starting with '__'"),
    ("(lambda: True)()", 1, "lambda is not allowed"),
    ("[t for t in tags] == []", 0, "comprehensions are not allowed"),
    ("any(t for t in tags)", 0, "unknown function 'any'"),
    ("nope > 1", 0, "unknown column 'nope'"),
    ("n > 1 and shout(text)", 10, "unknown function 'shout'"),
    ("len(text, 2) > 1", 0, "len() takes 1 argument"),
    ("len(x=text) > 1", 6, "keyword arguments"),
    ("lower(messages) == 'a'", 6, "lower() needs string, got messages"),
    ("text > 3", 0, "cannot compare string with int"),
    ("text + 1 == 'a'", 0, "+ needs two numbers or two strings"),
    ("len(text)", 0, "must be true or false"),
    ("n == None", 0, "is None"),
    ("label in tags", 9, "`in` needs a list of literals"),
    ("matches(text, '(')", 14, "invalid regex"),
    ("contains(text, label)", 15, "needs a literal string"),
    ("text[0] == 'a'", 0, "subscripts need a list column"),
    ("{'a': 1} == 1", 0, "dict literals"),
    ("f'{n}' == '1'", 0, "f-strings"),
    ("(y := 1) == 1", 1, "assignment"),
    ("n ** 2 > 1", 0, "only + - * / // %"),
    ("n & 1", 0, "only + - * / // %"),
    ("n >", 3, "syntax error"),
    ("  nope", 2, "unknown column"),
    ("", 0, "empty"),
    ("messages[0] == 'a'", 0, "use role(messages, i) or content(messages, i)"),
    ("len == 1", 0, "len is a function"),
]


@pytest.mark.parametrize(("expression", "offset", "words"), REFUSED)
def test_refused_expressions_name_the_offset(expression: str, offset: int, words: str) -> None:
    with pytest.raises(ExprError) as caught:
        compile_expression(expression, table().schema)
    assert caught.value.offset == offset, caught.value.message
    assert caught.value.message.startswith(f"at offset {offset}: ") or offset == 0
    assert words in caught.value.message


def test_without_a_schema_only_the_shape_is_checked() -> None:
    compile_expression("anything > 1 and len(other) < 3", None)
    with pytest.raises(ExprError, match="attribute access"):
        compile_expression("anything.real > 1", None)


def test_nulls_and_division_by_zero_drop_the_row() -> None:
    batch = pa.RecordBatch.from_pylist(
        [{"n": 1, "d": 0, "s": "a"}, {"n": None, "d": 1, "s": None}, {"n": 4, "d": 2, "s": "b"}]
    )

    def run(expression: str) -> list[bool | None]:
        values: list[bool | None] = selection(
            compile_expression(expression, batch.schema), batch
        ).to_pylist()
        return values

    assert run("n / d > 1") == [None, None, True]
    assert run("n % d == 0") == [None, None, True]
    assert run("n // d == 2") == [None, None, True]
    assert run("s in ['a']") == [True, None, False]
    assert run("n > 0 or d > 0") == [True, True, True]  # Kleene or
    assert run("s is None") == [False, True, False]
    assert run("s is not None and num(s) > 0") == [None, False, None]


def test_all_null_columns_compile_and_give_null() -> None:
    batch = pa.RecordBatch.from_pylist([{"a": None, "n": 1}, {"a": None, "n": 2}])
    assert batch.schema.field("a").type == pa.null()
    compiled = compile_expression("len(a) > 1 or n > 1", batch.schema)
    assert selection(compiled, batch).to_pylist() == [None, True]


def test_filter_node_drops_false_and_null_rows(apply: Apply) -> None:
    rows: list[dict[str, Any]] = [
        {"text": "keep me", "n": 2},
        {"text": "no", "n": 0},
        {"text": "x", "n": None},
    ]
    kept = apply("filter", rows, expression="n > 1 or len(text) > 5")
    assert kept == [{"text": "keep me", "n": 2}]
