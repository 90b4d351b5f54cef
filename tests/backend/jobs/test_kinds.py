"""The kind registry: unknown kinds and bad params are refused at enqueue time (422),
naming the field."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from lathe.errors import InvalidInput
from lathe.jobs import kinds, service
from lathe.schemas.jobs import Resources
from lathe.settings import Settings


def test_unknown_kind_is_refused(job_settings: Settings) -> None:
    with pytest.raises(InvalidInput, match=r"kind: unknown job kind 'nope'") as info:
        service.enqueue(job_settings, "nope", {})
    assert info.value.status_code == 422
    assert info.value.details[0]["field"] == "kind"
    assert service.list_jobs(job_settings, limit=5) == ([], None)


def test_invalid_params_name_the_field(job_settings: Settings) -> None:
    with pytest.raises(InvalidInput, match=r"^params\.steps: Input should be") as info:
        service.enqueue(job_settings, "sleep", {"steps": "many"})
    assert info.value.status_code == 422
    with pytest.raises(InvalidInput, match=r"params\.steps: .*greater than or equal to 1"):
        service.enqueue(job_settings, "sleep", {"steps": 0})
    with pytest.raises(InvalidInput, match=r"params\.steps: .*\(and 1 more\)$") as info:
        service.enqueue(job_settings, "sleep", {"sconds": 3, "steps": -1})
    assert {d["field"] for d in info.value.details} == {"params.sconds", "params.steps"}
    assert service.list_jobs(job_settings, limit=5) == ([], None)


def test_resources_can_depend_on_params(job_settings: Settings) -> None:
    job = service.enqueue(job_settings, "t_train", {"gpus": 2, "record": "x"})
    assert (job.gpus, job.slot, job.resources) == (
        2,
        "train",
        {"gpus": 2, "slot": "train", "memory": "large"},
    )


def test_builtin_and_loaded_kinds_are_known(job_settings: Settings) -> None:
    kinds.load(job_settings.job_kind_modules)
    assert {"noop", "sleep", "t_steps"} <= set(kinds.known())
    noop = kinds.get("noop")
    assert noop.inline and noop.module == "lathe.jobs.builtin"
    assert kinds.get("t_steps").module == "tests.backend.jobs.kinds_for_tests"


def test_a_name_belongs_to_one_module() -> None:
    class Params(BaseModel):
        pass

    def handler(_ctx: object, _params: Params) -> None:
        return None

    handler.__module__ = "somewhere.else"
    with pytest.raises(ValueError, match=r"already registered by lathe\.jobs\.builtin"):
        kinds.job_kind("noop", params=Params, resources=Resources())(handler)  # type: ignore[arg-type]
