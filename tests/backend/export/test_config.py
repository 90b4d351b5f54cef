"""ExportConfig: quantisation and dtype in any case, unknown ones refused under their field,
names that would leave the export's folder refused under `name`, and the default name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lathe.export.config import ExportConfig
from lathe.export.service import default_export_name


def error_field(values: dict[str, object]) -> str:
    with pytest.raises(ValidationError) as caught:
        ExportConfig.model_validate({"source": "a", **values})
    return ".".join(str(part) for part in caught.value.errors()[0]["loc"])


def test_quant_and_dtype_in_any_case_are_normalised() -> None:
    config = ExportConfig.model_validate({"source": "a", "quant": " q8_0", "dtype": "BF16"})
    assert (config.format, config.quant, config.dtype) == ("gguf", "Q8_0", "bf16")
    assert (config.used_quant, config.used_dtype) == ("Q8_0", None)
    merged = ExportConfig(source="a", format="merged", dtype="fp32")
    assert (merged.used_quant, merged.used_dtype, merged.variant()) == (None, "fp32", "merged-fp32")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"quant": "q3_k_zz"}, "quant"),
        ({"quant": 8}, "quant"),
        ({"dtype": "fp8"}, "dtype"),
        ({"format": "onnx"}, "format"),
        ({"name": "a/b"}, "name"),
        ({"name": "a\\b"}, "name"),
        ({"name": "../up"}, "name"),
        ({"name": "a..b"}, "name"),
        ({"name": ".hidden"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 129}, "name"),
        ({"name": "sp ace"}, "name"),
        ({"source": ""}, "source"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_values_are_refused_under_their_field(values: dict[str, object], field: str) -> None:
    assert error_field(values) == field


def test_a_path_separator_is_named_in_the_message() -> None:
    with pytest.raises(ValidationError, match="path separator"):
        ExportConfig(source="a", name="dir/file")


def test_default_names_carry_the_format_and_its_variant() -> None:
    assert default_export_name("my-lora", ExportConfig(source="x")) == "my-lora"
    merged = ExportConfig(source="x", format="merged", dtype="bf16")
    assert default_export_name("my-lora", merged) == "my-lora-merged-bf16"
    adapter = ExportConfig(source="x", format="adapter")
    long = default_export_name("a" * 128, adapter)
    assert long.endswith("-adapter") and len(long) == 128
    ExportConfig(source="x", name=long)  # a default name is always a valid name
