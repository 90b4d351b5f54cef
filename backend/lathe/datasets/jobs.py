"""Dataset jobs: `dataset.import` (an uploaded file becomes a version) and `dataset.stats`
(recompute a version's stats for another model or max length). The API checks the input first
(lathe.datasets.service), so a job only starts with a request that made sense when queued."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from pydantic import Field

from lathe.datasets import records
from lathe.datasets.importer import ImportOptions, StatsOptions, import_file, measure
from lathe.datasets.storage import read_batches, schema_of, version_file
from lathe.datasets.uploads import discard_upload
from lathe.errors import InvalidInput
from lathe.jobs.context import JobContext
from lathe.jobs.kinds import job_kind
from lathe.schemas.jobs import Resources

IMPORT_KIND = "dataset.import"
STATS_KIND = "dataset.stats"
DATASET_RESOURCES = Resources(slot="aux", memory="small")


class ImportParams(ImportOptions):
    dataset_id: int = Field(description="The dataset that receives the new version.")
    upload: str = Field(description="The uploaded file, relative to LATHE_HOME/uploads.")
    filename: str = Field(description="The file's name as uploaded.")


class StatsParams(StatsOptions):
    dataset_id: int
    version: int


@job_kind(IMPORT_KIND, params=ImportParams, resources=DATASET_RESOURCES, max_attempts=2)
def run_import(ctx: JobContext, params: ImportParams) -> dict[str, Any]:
    upload = ctx.settings.uploads_dir / params.upload
    dataset = records.get(ctx.settings, params.dataset_id)
    try:
        row = import_file(
            ctx.settings,
            upload,
            dataset.name,
            params,
            progress=ctx.progress,
            raise_if_stopped=ctx.raise_if_stopped,
            job_id=ctx.job_id,
            filename=params.filename,
        )
    except InvalidInput:
        discard_upload(upload)  # the file itself is at fault: a retry cannot help
        raise
    discard_upload(upload)
    ctx.log(f"dataset {dataset.name} version {row.version}: {row.row_count} rows")
    return {"dataset_id": dataset.id, "version": row.version, "rows": row.row_count}


@job_kind(STATS_KIND, params=StatsParams, resources=DATASET_RESOURCES, max_attempts=2)
def run_stats(ctx: JobContext, params: StatsParams) -> dict[str, Any]:
    version = records.get_version(ctx.settings, params.dataset_id, params.version)
    ctx.progress(0, version.row_count, "computing stats")
    path = version_file(ctx.settings, version.path)
    stats = measure(ctx.settings, _stoppable(ctx, read_batches(path)), params, schema_of(path))
    records.set_stats(ctx.settings, version.id, stats.model_dump(mode="json"))
    ctx.progress(version.row_count, version.row_count, "done")
    return {"dataset_id": params.dataset_id, "version": version.version}


def _stoppable(ctx: JobContext, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        ctx.raise_if_stopped()
        yield batch
