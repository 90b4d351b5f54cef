"""The one training configuration: posted by the UI, written as YAML for `lathe train`, stored
on the job row. Every field has a default except the model and the dataset, so

    model: SmolLM2-135M-Instruct
    dataset: identity
    preset: quick-cpu-demo

is a whole config. A `preset` fills the fields the config does not set from a data file in
lathe/training/presets/ (see `load_preset`). What depends on the machine or the registry (the
model's context length, the target modules, CUDA for QLoRA) is checked by
`lathe.training.service.validate_config`, not here."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lathe.errors import InvalidInput

__all__ = [
    "ADAPTER_NAME_PATTERN",
    "DEFAULT_SAMPLE_PROMPTS",
    "PRESETS",
    "LoraSettings",
    "TrainingConfig",
    "load_preset",
]

ADAPTER_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
PRESETS = ("quick-cpu-demo", "balanced", "quality")
DEFAULT_SAMPLE_PROMPTS = (
    "What is your name?",
    "Explain in one sentence what a LoRA adapter is.",
    "Write a haiku about the sea.",
)

LrScheduler = Literal[
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
]
Optimizer = Literal["adamw_torch", "adamw_torch_fused", "adafactor", "sgd", "adamw_8bit"]
Precision = Literal["auto", "fp32", "bf16", "fp16"]
Switch = Literal["auto", "on", "off"]
LoraInit = Literal["default", "gaussian", "pissa", "olora"]


class LoraSettings(BaseModel):
    """The adapter: rank, scale, dropout and which linear layers get one."""

    model_config = ConfigDict(extra="forbid")

    r: int = Field(
        default=16,
        ge=1,
        le=4096,
        title="LoRA rank",
        description="LoRA rank (size of the low-rank update).",
    )
    alpha: float = Field(
        default=32.0,
        title="LoRA alpha",
        gt=0,
        description="LoRA alpha: the update is scaled by alpha/r (alpha/sqrt(r) with rsLoRA).",
    )
    dropout: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        title="LoRA dropout",
        description="Dropout on the LoRA input during training.",
    )
    target_modules: list[str] | Literal["all-linear"] = Field(
        default="all-linear",
        description='Module names to adapt (e.g. ["q_proj", "v_proj"]), or "all-linear" for '
        "every linear layer except the output head.",
    )
    use_rslora: bool = Field(
        default=False,
        title="Use rsLoRA",
        description="Rank-stabilised LoRA: scale by alpha/sqrt(r).",
    )
    use_dora: bool = Field(
        default=False,
        title="Use DoRA",
        description="Weight-decomposed LoRA (DoRA): slower, sometimes better.",
    )
    init_lora_weights: LoraInit = Field(
        default="default",
        title="LoRA init",
        description="How the adapter starts: default (B=0, Kaiming A), gaussian, pissa or olora.",
    )

    @model_validator(mode="after")
    def _modules_not_empty(self) -> LoraSettings:
        if isinstance(self.target_modules, list) and not self.target_modules:
            raise ValueError('target_modules must name at least one module, or be "all-linear"')
        return self


class TrainingConfig(BaseModel):
    """A supervised fine-tuning run of a LoRA adapter on a registered base model."""

    model_config = ConfigDict(extra="forbid")

    preset: str | None = Field(
        default=None,
        description="A preset (quick-cpu-demo, balanced, quality) whose values fill the fields "
        "this config does not set.",
    )
    name: str | None = Field(
        default=None,
        pattern=ADAPTER_NAME_PATTERN,
        title="Adapter name",
        description="Name of the adapter model this run registers; derived from the model, the "
        "dataset and the job id when empty.",
    )
    model: str = Field(
        min_length=1, title="Base model", description="Registered base model to train (name or id)."
    )
    dataset: str = Field(min_length=1, description="Training dataset (name or id).")
    dataset_version: int = Field(default=0, ge=0, description="Dataset version; 0 = the newest.")
    eval_dataset: str | None = Field(
        default=None, description="Held-out dataset (name or id) for eval loss; optional."
    )
    eval_dataset_version: int = Field(
        default=0, ge=0, description="Version of eval_dataset; 0 = the newest."
    )
    eval_fraction: float = Field(
        default=0.0,
        ge=0.0,
        lt=1.0,
        description="Fraction of the training rows held out for eval (split with the seed) when "
        "no eval_dataset is given; 0 = no eval.",
    )
    lora: LoraSettings = Field(default_factory=LoraSettings, description="The adapter.")
    qlora: bool = Field(
        default=False,
        title="QLoRA",
        description="Load the base model in 4-bit (QLoRA); needs a CUDA GPU and bitsandbytes.",
    )
    max_length: int = Field(
        default=1024,
        ge=8,
        description="Maximum tokens per example (longer ones are cut at the end); at most the "
        "model's context length.",
    )
    packing: bool = Field(
        default=False,
        description="Pack examples into one row without padding (position ids restart per "
        "example, so attention never crosses examples).",
    )
    completion_only_loss: bool = Field(
        default=True,
        description="Learn only the assistant turns of conversations; off = every token.",
    )
    epochs: float = Field(default=1.0, gt=0, description="Passes over the training rows.")
    max_steps: int | None = Field(
        default=None, ge=1, description="Optimizer steps to run; overrides epochs when set."
    )
    batch_size: int = Field(default=4, ge=1, description="Examples per device per forward pass.")
    gradient_accumulation_steps: int = Field(
        default=1, ge=1, description="Forward passes per optimizer step."
    )
    learning_rate: float = Field(default=2e-4, gt=0, description="Peak learning rate.")
    lr_scheduler: LrScheduler = Field(
        default="cosine", title="LR schedule", description="Learning-rate schedule."
    )
    warmup_ratio: float = Field(
        default=0.03, ge=0.0, le=1.0, description="Fraction of the steps spent warming up."
    )
    weight_decay: float = Field(default=0.0, ge=0.0, description="AdamW weight decay.")
    optimizer: Optimizer = Field(
        default="adamw_torch",
        description="Optimizer; adamw_8bit needs a CUDA GPU and bitsandbytes.",
    )
    max_grad_norm: float = Field(
        default=1.0, ge=0.0, description="Gradient clipping norm; 0 = no clipping."
    )
    precision: Precision = Field(
        default="auto",
        description="Compute precision: auto = bf16 on GPUs that support it, else fp16 on "
        "CUDA, fp32 on the CPU.",
    )
    gradient_checkpointing: bool = Field(
        default=False, description="Recompute activations in the backward pass: less memory."
    )
    eval_steps: int | None = Field(
        default=None,
        ge=1,
        description="Evaluate every N steps; empty = only at the end (when there is eval data).",
    )
    save_steps: int = Field(default=100, ge=1, description="Save a checkpoint every N steps.")
    save_total_limit: int = Field(
        default=2,
        ge=1,
        description="Checkpoints kept: the last K, plus the best by eval loss when there is eval. "
        "Only a step that is both evaluated and saved can be the best: make eval_steps a "
        "multiple of save_steps.",
    )
    logging_steps: int = Field(default=1, ge=1, description="Write metrics every N steps.")
    seed: int = Field(default=42, ge=0, description="Seed for the split, the order and init.")
    gpus: int = Field(
        default=0, ge=0, le=64, title="GPUs", description="GPUs to train on; 0 = the CPU."
    )
    kernels: Switch = Field(
        default="auto",
        title="Fused kernels",
        description="Lathe's fused Triton kernels: auto = when present and on a CUDA GPU; on = "
        "required; off = never.",
    )
    sample_prompts: list[str] = Field(
        # A default, not a factory, so the JSON schema (the UI's form) shows it; pydantic copies
        # a mutable default for each instance.
        default=list(DEFAULT_SAMPLE_PROMPTS),
        max_length=32,
        description="Prompts answered with the adapter at the end of the run (stored with it).",
    )
    sample_max_new_tokens: int = Field(
        default=64, ge=1, le=2048, description="Tokens generated per sample prompt."
    )

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data.get("preset"):
            return data
        name = str(data["preset"])
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r} (known: {', '.join(PRESETS)})")
        preset = load_preset(name)
        merged = {**preset, **data}
        if isinstance(preset.get("lora"), dict) and isinstance(data.get("lora"), dict):
            merged["lora"] = {**preset["lora"], **data["lora"]}
        return merged

    @model_validator(mode="after")
    def _check_eval(self) -> TrainingConfig:
        if self.eval_dataset and self.eval_fraction > 0:
            raise ValueError("set either eval_dataset or eval_fraction, not both")
        return self

    @property
    def has_eval(self) -> bool:
        return bool(self.eval_dataset) or self.eval_fraction > 0


@cache
def _preset_text(name: str) -> str:
    return (files("lathe.training") / "presets" / f"{name}.yaml").read_text(encoding="utf-8")


def load_preset(name: str) -> dict[str, Any]:
    """The values of a preset (a partial TrainingConfig without model and dataset)."""
    if name not in PRESETS:
        raise InvalidInput(f"unknown preset {name!r} (known: {', '.join(PRESETS)})", field="preset")
    values = yaml.safe_load(_preset_text(name)) or {}
    if not isinstance(values, dict):
        raise InvalidInput(f"preset {name!r} is not a mapping", field="preset")
    return dict(values)
