"""Built-in sample datasets that ship with Lathe, so a new user can train something visible
within minutes on a CPU with the default model.

- `identity`: conversations that teach a model to be "Lathe Assistant" (messages).
- `instructions`: short general instruction-following pairs (messages).
- `preferences`: chosen/rejected reply pairs (preference).

The files are JSONL in canonical form under `sample_data/`, located with importlib.resources so
they are found in a source checkout and in an installed wheel alike.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, Field

from lathe.datasets.columns import CANONICAL_SCHEMAS
from lathe.datasets.normalise import normalise
from lathe.errors import InvalidInput


class SampleInfo(BaseModel):
    key: str = Field(description="Stable identifier, e.g. `identity`.")
    name: str
    description: str
    format: Literal["messages", "preference"] = Field(description="Canonical format of the rows.")
    rows: int = Field(description="Number of rows in the sample.")
    path: Path = Field(exclude=True, repr=False)


def _data_file(name: str) -> Path:
    resource = files("lathe.datasets").joinpath("sample_data", name)
    # Lathe installs as plain files (never zipped), so the resource is a real path.
    return Path(str(resource))


_SAMPLES: dict[str, SampleInfo] = {
    info.key: info
    for info in (
        SampleInfo(
            key="identity",
            name="Lathe identity",
            description=(
                "Conversations that teach a model a name and persona: Lathe Assistant, a "
                "concise, friendly helper made by the Lathe team. A few are in French, Spanish "
                "and German. Train on it, then ask your adapter who it is."
            ),
            format="messages",
            rows=114,
            path=_data_file("identity.jsonl"),
        ),
        SampleInfo(
            key="instructions",
            name="Short instructions",
            description=(
                "Short instruction-following pairs: rewriting, summaries, sentiment, extraction, "
                "word problems, unit conversions, small Python snippets and two-sentence "
                "explanations."
            ),
            format="messages",
            rows=183,
            path=_data_file("instructions.jsonl"),
        ),
        SampleInfo(
            key="preferences",
            name="Preference pairs",
            description=(
                "Prompts with a chosen reply (helpful, correct, concise) and a rejected one "
                "(wrong, rude or rambling), for preference training."
            ),
            format="preference",
            rows=62,
            path=_data_file("preferences.jsonl"),
        ),
    )
}


def list_samples() -> list[SampleInfo]:
    return list(_SAMPLES.values())


def get_sample(key: str) -> SampleInfo:
    """The sample named `key`; InvalidInput naming the field `sample` when there is none."""
    try:
        return _SAMPLES[key]
    except KeyError:
        known = list(_SAMPLES)
        raise InvalidInput(
            f"sample: unknown sample {key!r}; known samples: {', '.join(known)}",
            field="sample",
            details={"known": known},
        ) from None


def sample_path(key: str) -> Path:
    return get_sample(key).path


def sample_table(key: str) -> pa.Table:
    """The sample's rows as an Arrow table with its canonical schema."""
    info = get_sample(key)
    with info.path.open(encoding="utf-8") as lines:
        rows = [normalise(json.loads(line), info.format) for line in lines if line.strip()]
    return pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMAS[info.format])
