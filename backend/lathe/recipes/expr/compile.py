"""Compile a filter expression into the typed tree of `ir`, refusing anything outside the
language. Nothing is ever evaluated by Python: the source is parsed with `ast` in eval mode and
each node is checked against a whitelist.

The language: column names (or `col('any name')`), literals (numbers, strings, True, False,
None), `+ - * / // %`, comparisons (chained too), `and`/`or`/`not`, `x if cond else y`,
`x in [literals]`, `'text' in column`, `x is None`, the functions of `functions.FUNCTIONS`,
and `column[i]` on list columns. Refused, each with the character offset: attribute access,
other subscripts, lambdas, comprehensions, names starting with `__`, unknown names and
functions, and values of the wrong kind (`lower(messages)`, `text > 3`)."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from lathe.datasets.columns import column_type
from lathe.recipes.expr import ir
from lathe.recipes.expr.functions import COLUMN_FUNCTION, FUNCTIONS, Function
from lathe.recipes.expr.grammar import ARITHMETIC, COMPARISONS, REFUSED
from lathe.recipes.expr.ir import Expr, Kind
from lathe.recipes.messages import list_item


class ExprError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _field_kind(dtype: pa.DataType) -> Kind:
    if pa.types.is_null(dtype):
        return "null"
    kind: Kind = column_type(dtype)
    return kind


class _Compiler:
    def __init__(self, source: str, lead: int, schema: pa.Schema | None) -> None:
        self.lines = source.splitlines(keepends=True)
        self.lead = lead
        self.schema = schema

    def offset(self, node: ast.AST) -> int:
        if isinstance(node, ast.Attribute):  # point at the dot, not at what precedes it
            line, column = node.value.end_lineno or 1, node.value.end_col_offset or 0
        else:
            line, column = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        before = "".join(self.lines[: line - 1])
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        in_line = text.encode()[:column].decode("utf-8", errors="ignore")
        return self.lead + len(before) + len(in_line)

    def error(self, node: ast.AST, message: str) -> ExprError:
        offset = self.offset(node)
        return ExprError(f"at offset {offset}: {message}", offset)

    # --- names and literals ------------------------------------------------------------------

    def column(self, node: ast.AST, name: str) -> Expr:
        offset = self.offset(node)
        if self.schema is None:
            return ir.Column("any", offset, name)
        if name not in self.schema.names:
            raise self.error(
                node, f"unknown column {name!r}; columns: {', '.join(self.schema.names)}"
            )
        kind = _field_kind(self.schema.field(name).type)
        return ir.Nulls("null", offset) if kind == "null" else ir.Column(kind, offset, name)

    def name(self, node: ast.Name) -> Expr:
        if node.id.startswith("__"):
            raise self.error(node, f"names starting with '__' are not allowed ({node.id})")
        is_column = self.schema is None or node.id in self.schema.names
        if not is_column and (node.id in FUNCTIONS or node.id == COLUMN_FUNCTION):
            raise self.error(node, f"{node.id} is a function; call it, e.g. {node.id}(...)")
        return self.column(node, node.id)

    def literal_value(self, node: ast.AST) -> Any:
        """The Python value of a literal (a negative number is a literal too)."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self.literal_value(node.operand)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.error(node, "a sign needs a number")
            return -value if isinstance(node.op, ast.USub) else value
        if not isinstance(node, ast.Constant):
            raise self.error(node, "expected a literal here")
        value = node.value
        if value is not None and not isinstance(value, bool | int | float | str):
            raise self.error(
                node, "only numbers, strings, True, False and None are allowed literals"
            )
        return value

    # --- operators ---------------------------------------------------------------------------

    def unary(self, node: ast.UnaryOp) -> Expr:
        value = self.expr(node.operand)
        offset = self.offset(node)
        if isinstance(node.op, ast.Not):
            self.expect(node.operand, value, ("bool",), "not")
            return (
                ir.Nulls("bool", offset) if value.kind == "null" else ir.Not("bool", offset, value)
            )
        if isinstance(node.op, ast.USub | ast.UAdd):
            self.expect(node.operand, value, ir.NUMERIC, "a sign")
            if value.kind == "null":
                return ir.Nulls("null", offset)
            return value if isinstance(node.op, ast.UAdd) else ir.Negate(value.kind, offset, value)
        raise self.error(node, "~ is not supported; use not")

    def binary(self, node: ast.BinOp) -> Expr:
        op = ARITHMETIC.get(type(node.op))
        if op is None:
            raise self.error(node, "only + - * / // % are supported (use and/or/not for logic)")
        left, right = self.expr(node.left), self.expr(node.right)
        kinds = (left.kind, right.kind)
        offset = self.offset(node)
        if "null" in kinds:
            return ir.Nulls("null", offset)
        if op == "+" and "string" in kinds:
            if any(kind not in ("string", "any") for kind in kinds):
                raise self.error(
                    node, f"+ needs two numbers or two strings; got {kinds[0]}, {kinds[1]}"
                )
            return ir.Binary("string", offset, "+", left, right)
        self.expect(node.left, left, ir.NUMERIC, op)
        self.expect(node.right, right, ir.NUMERIC, op)
        kind: Kind = "float" if op == "/" else ir.common_kind(kinds)
        return ir.Binary(kind, offset, op, left, right)

    def boolean(self, node: ast.BoolOp) -> Expr:
        word: Literal["and", "or"] = "and" if isinstance(node.op, ast.And) else "or"
        values = tuple(self.expr(value) for value in node.values)
        for source, value in zip(node.values, values, strict=True):
            self.expect(source, value, ("bool",), word)
        return ir.Logical("bool", self.offset(node), word, values)

    def compare(self, node: ast.Compare) -> Expr:
        parts: list[Expr] = []
        left_node = node.left
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            parts.append(self.comparison(node, left_node, op, right_node))
            left_node = right_node
        if len(parts) == 1:
            return parts[0]
        return ir.Logical("bool", self.offset(node), "and", tuple(parts))

    def comparison(
        self, node: ast.Compare, left_node: ast.expr, op: ast.cmpop, right_node: ast.expr
    ) -> Expr:
        offset = self.offset(left_node)
        if isinstance(op, ast.In | ast.NotIn):
            return self.membership(left_node, right_node, isinstance(op, ast.NotIn))
        if isinstance(op, ast.Is | ast.IsNot):
            if not (isinstance(right_node, ast.Constant) and right_node.value is None):
                raise self.error(
                    right_node, "`is` only compares with None; use == to compare values"
                )
            return ir.IsNull("bool", offset, self.expr(left_node), isinstance(op, ast.IsNot))
        symbol = COMPARISONS[type(op)]
        left, right = self.expr(left_node), self.expr(right_node)
        if "null" in (left.kind, right.kind):
            if any(
                isinstance(side, ast.Constant) and side.value is None
                for side in (left_node, right_node)
            ):
                raise self.error(node, "compare with None using `is None` or `is not None`")
            return ir.Nulls("bool", offset)
        if "any" not in (left.kind, right.kind):
            same = ir.family(left.kind) == ir.family(right.kind)
            ordered = ir.family(left.kind) in ("number", "string")
            if not same or (symbol not in ("==", "!=") and not ordered):
                raise self.error(
                    node, f"cannot compare {left.kind} with {right.kind} using {symbol}"
                )
        return ir.Compare("bool", offset, symbol, left, right)

    def membership(self, left_node: ast.expr, right_node: ast.expr, negate: bool) -> Expr:
        offset = self.offset(left_node)
        if isinstance(right_node, ast.List | ast.Tuple):
            items = tuple(self.literal_value(item) for item in right_node.elts)
            if not items:
                raise self.error(right_node, "the list after `in` is empty")
            if any(item is None for item in items):
                raise self.error(right_node, "None cannot be in the list; use `is None`")
            kinds = {ir.family(ir.literal_kind(item)) for item in items}
            if len(kinds) > 1:
                raise self.error(right_node, "the list after `in` mixes kinds of values")
            value = self.expr(left_node)
            if value.kind == "null":
                return ir.Nulls("bool", offset)
            if value.kind != "any" and ir.family(value.kind) not in kinds:
                raise self.error(
                    left_node, f"{value.kind} values cannot be in a list of {kinds.pop()}"
                )
            return ir.InList("bool", offset, value, items, negate)
        if isinstance(left_node, ast.Constant) and isinstance(left_node.value, str):
            haystack = self.expr(right_node)
            self.expect(right_node, haystack, ("string",), "in")
            return ir.Substring("bool", offset, left_node.value, haystack, negate)
        raise self.error(
            right_node,
            "`in` needs a list of literals on the right (x in ['a', 'b']) or a literal string "
            "on the left ('word' in text)",
        )

    def conditional(self, node: ast.IfExp) -> Expr:
        test, then, otherwise = self.expr(node.test), self.expr(node.body), self.expr(node.orelse)
        self.expect(node.test, test, ("bool",), "if")
        kinds = [kind for kind in (then.kind, otherwise.kind) if kind != "null"]
        if len({ir.family(kind) for kind in kinds}) > 1 and "any" not in kinds:
            raise self.error(
                node, f"both branches must be of one kind; got {then.kind}, {otherwise.kind}"
            )
        kind = ir.common_kind(kinds) if kinds else "null"
        return ir.IfElse(kind, self.offset(node), test, then, otherwise)

    # --- calls and subscripts ----------------------------------------------------------------

    def call(self, node: ast.Call) -> Expr:
        if not isinstance(node.func, ast.Name):
            self.expr(node.func)  # refuses a lambda or an attribute with its own message
            raise self.error(node.func, "only the filter functions can be called, by name")
        name = node.func.id
        if name.startswith("__"):
            raise self.error(node.func, f"names starting with '__' are not allowed ({name})")
        if node.keywords:
            raise self.error(node.keywords[0].value, "keyword arguments are not allowed")
        if name == COLUMN_FUNCTION:
            if len(node.args) != 1:
                raise self.error(node, "col() takes one column name")
            column = self.literal_value(node.args[0])
            if not isinstance(column, str):
                raise self.error(node.args[0], "col() takes a column name in quotes")
            return self.column(node, column)
        function = FUNCTIONS.get(name)
        if function is None:
            known = ", ".join([*FUNCTIONS, COLUMN_FUNCTION])
            raise self.error(node.func, f"unknown function {name!r}; functions: {known}")
        return self.apply(node, function, node.args)

    def apply(self, node: ast.Call, function: Function, args: Sequence[ast.expr]) -> Expr:
        if len(args) != len(function.args):
            raise self.error(
                node, f"{function.name}() takes {len(function.args)} argument(s): {function.doc}"
            )
        values: list[Expr] = []
        literals: list[Any] = []
        for arg, kinds, literal in zip(args, function.args, function.literal, strict=True):
            if literal is None:
                value = self.expr(arg)
                self.expect(arg, value, kinds, f"{function.name}()")
                values.append(value)
                continue
            wanted = self.error(
                arg, f"{function.name}() needs a literal {literal} here: {function.doc}"
            )
            try:
                given = self.literal_value(arg)
            except ExprError:
                raise wanted from None
            if ir.literal_kind(given) != literal:
                raise wanted
            if function.name == "matches":
                self.check_regex(arg, given)
            literals.append(given)
        offset = self.offset(node)
        if any(value.kind == "null" for value in values):
            return ir.Nulls(function.result, offset)
        return ir.Call(function.result, offset, function.impl, tuple(values), tuple(literals))

    def check_regex(self, node: ast.AST, pattern: str) -> None:
        try:
            pc.match_substring_regex(pa.array([""]), pattern)
        except pa.ArrowInvalid as error:
            raise self.error(node, f"invalid regex {pattern!r}: {error}") from None

    def subscript(self, node: ast.Subscript) -> Expr:
        target = node.value
        is_column = isinstance(target, ast.Name) or (
            isinstance(target, ast.Call)
            and isinstance(target.func, ast.Name)
            and target.func.id == COLUMN_FUNCTION
        )
        if not is_column:
            raise self.error(node, "subscripts are only allowed on list columns, e.g. tags[0]")
        value = self.expr(target)
        if value.kind == "messages":
            raise self.error(node, "use role(messages, i) or content(messages, i) for a turn")
        if value.kind not in ("list", "any", "null"):
            raise self.error(node, f"subscripts need a list column; this one is {value.kind}")
        index = self.literal_value(node.slice)
        if isinstance(index, bool) or not isinstance(index, int):
            raise self.error(node.slice, "the index must be a whole number")
        offset = self.offset(node)
        if value.kind == "null":
            return ir.Nulls("null", offset)
        kind: Kind = "any"
        if isinstance(value, ir.Column) and self.schema is not None:
            kind = _field_kind(self.schema.field(value.name).type.value_type)
        return ir.Call(kind, offset, list_item, (value,), (index,))

    # --- dispatch ----------------------------------------------------------------------------

    def expect(self, node: ast.AST, value: Expr, kinds: Sequence[Kind], what: str) -> None:
        if value.kind in ("any", "null") or value.kind in kinds:
            return
        labels = dict.fromkeys("number" if kind in ir.NUMERIC else kind for kind in kinds)
        raise self.error(node, f"{what} needs {' or '.join(labels)}, got {value.kind}")

    def expr(self, node: ast.AST) -> Expr:
        refused = REFUSED.get(type(node))
        if refused is not None:
            raise self.error(node, refused)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Constant):
            value = self.literal_value(node)
            return ir.Constant(ir.literal_kind(value), self.offset(node), value)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.BoolOp):
            return self.boolean(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.IfExp):
            return self.conditional(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        raise self.error(node, f"{type(node).__name__} is not allowed in a filter")


def compile_expression(source: str, schema: pa.Schema | None) -> Expr:
    """The checked expression; ExprError (with the 0-based offset) when it is not valid.
    With `schema` None only the shape is checked (names are not resolved)."""
    stripped = source.lstrip()
    lead = len(source) - len(stripped)
    if not stripped.strip():
        raise ExprError("the expression is empty", 0)
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        compiler = _Compiler(stripped, lead, schema)
        lines = compiler.lines
        line = max(1, error.lineno or 1)
        if not error.offset:  # Python reports the end of the input as offset 0
            offset = len(source.rstrip())
        else:
            offset = lead + len("".join(lines[: line - 1])) + error.offset - 1
        raise ExprError(f"at offset {offset}: syntax error: {error.msg}", offset) from None
    compiler = _Compiler(stripped, lead, schema)
    expr = compiler.expr(tree.body)
    if expr.kind not in ("bool", "any", "null"):
        raise ExprError(
            f"at offset {lead}: the expression must be true or false for each row, not "
            f"{expr.kind}; compare it, e.g. len(text) > 0",
            lead,
        )
    return expr
