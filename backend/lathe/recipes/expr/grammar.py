"""The operators a filter expression may use, and the Python syntax it refuses with a
reason (what `compile` checks each `ast` node against)."""

from __future__ import annotations

import ast

from lathe.recipes.expr import ir

ARITHMETIC: dict[type[ast.operator], ir.ArithOp] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
}
COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
REFUSED: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access ('.') is not allowed; use functions such as lower(x)",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.NamedExpr: "assignment (:=) is not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.Dict: "dict literals are not allowed",
    ast.Set: "set literals are not allowed",
    ast.List: "a list is only allowed on the right of `in`",
    ast.Tuple: "a tuple is only allowed on the right of `in`",
    ast.Starred: "* is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}
