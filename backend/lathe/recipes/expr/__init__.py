"""The filter expression language: parsed with `ast`, checked against a whitelist and the
input schema, evaluated over record batches with pyarrow.compute."""

from lathe.recipes.expr.compile import ExprError, compile_expression
from lathe.recipes.expr.ir import Expr, selection

__all__ = ["Expr", "ExprError", "compile_expression", "selection"]
