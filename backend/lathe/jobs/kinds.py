"""The job-kind registry. A kind is a name, a pydantic params schema, the resources it needs
and a handler `handler(ctx, params) -> dict | None`:

    @job_kind("sleep", params=SleepParams)
    def sleep(ctx: JobContext, params: SleepParams) -> dict[str, Any]: ...

Params are validated when a job is enqueued, so a bad job is refused (422) and never reaches a
worker. Each kind remembers the module that registered it: a worker only claims kinds it has
loaded, and a job's child process imports that module to find the handler again."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from lathe.errors import InvalidInput, LatheError
from lathe.schemas.jobs import Resources

if TYPE_CHECKING:
    from lathe.jobs.context import JobContext

P = TypeVar("P", bound=BaseModel)
Handler = Callable[["JobContext", P], "dict[str, Any] | None"]

# Modules whose import registers Lathe's own kinds; later services add theirs here.
BUILTIN_KIND_MODULES = (
    "lathe.jobs.builtin",
    "lathe.models.jobs",
    "lathe.datasets.jobs",
    "lathe.recipes.jobs",
    "lathe.training.jobs",
    "lathe.export.jobs",
)


@dataclass(frozen=True)
class JobKind(Generic[P]):
    name: str
    params: type[P]
    handler: Handler[P]
    resources: Resources | Callable[[P], Resources]
    module: str
    inline: bool
    max_attempts: int | None

    def resources_for(self, params: P) -> Resources:
        return self.resources(params) if callable(self.resources) else self.resources


_registry: dict[str, JobKind[Any]] = {}


def job_kind(
    name: str,
    *,
    params: type[P],
    resources: Resources | Callable[[P], Resources] | None = None,
    inline: bool = False,
    max_attempts: int | None = None,
) -> Callable[[Handler[P]], Handler[P]]:
    """Register a handler as job kind `name`.

    `resources` is fixed or computed from the params (a training job's GPU count comes from its
    config). `inline=True` runs the handler in a thread of the worker instead of a child
    process: only for kinds that finish in milliseconds, since a thread cannot be killed."""

    def register(handler: Handler[P]) -> Handler[P]:
        existing = _registry.get(name)
        if existing is not None and existing.module != handler.__module__:
            raise ValueError(f"job kind {name!r} is already registered by {existing.module}")
        _registry[name] = JobKind(
            name=name,
            params=params,
            handler=handler,
            resources=resources if resources is not None else Resources(),
            module=handler.__module__,
            inline=inline,
            max_attempts=max_attempts,
        )
        return handler

    return register


def load(modules: Iterable[str] = ()) -> None:
    """Import the built-in kind modules and `modules` (settings.job_kind_modules)."""
    for module in (*BUILTIN_KIND_MODULES, *modules):
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise LatheError(f"job_kind_modules: cannot import {module}: {error}") from error


def known() -> list[str]:
    return sorted(_registry)


def get(name: str) -> JobKind[Any]:
    kind = _registry.get(name)
    if kind is None:
        choices = ", ".join(known()) or "none"
        raise InvalidInput(
            f"kind: unknown job kind {name!r} (known: {choices})",
            field="kind",
        )
    return kind


def validate(name: str, params: Mapping[str, Any] | None) -> tuple[JobKind[Any], BaseModel]:
    """The kind and its validated params; InvalidInput naming the field (params.steps: ...)."""
    kind = get(name)
    try:
        model = kind.params.model_validate(dict(params or {}))
    except ValidationError as error:
        raise _params_error(error) from None
    return kind, model


def _params_error(error: ValidationError) -> InvalidInput:
    details = [
        {
            "field": ".".join(["params", *(str(part) for part in err["loc"])]),
            "message": err["msg"],
            "type": err["type"],
        }
        for err in error.errors()
    ]
    first = details[0]
    summary = f"{first['field']}: {first['message']}"
    if len(details) > 1:
        summary += f" (and {len(details) - 1} more)"
    return InvalidInput(summary, details=details)
