"""A LoRA SFT run on transformers' Trainer + peft: the base model and adapter, the training
arguments from a TrainingConfig, a callback that writes metrics and progress to the job and
honours stop requests (saving a checkpoint first), and resume from the newest checkpoint.

The loss is transformers' own: Llama-style models accept `num_items_in_batch`, so the summed
token loss of every micro-batch is divided by the number of target tokens across the whole
gradient-accumulation step (not averaged per micro-batch). With Lathe's fused kernels
(lathe.training.kernels) the model is patched after peft wrapping and its fused loss takes the
same `num_items_in_batch`."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from lathe.errors import LatheError
from lathe.settings import Settings
from lathe.training.checkpoint_rotation import (
    CHECKPOINT_PREFIX,
    latest_checkpoint,
    make_retention_callback,
)
from lathe.training.config import TrainingConfig
from lathe.training.data import ExampleDataset, PreparedData, make_collator, prepare_data
from lathe.training.kernels import apply_kernels
from lathe.training.tokens import load_tokenizer

if TYPE_CHECKING:
    from peft import PeftModel
    from transformers import PreTrainedTokenizerBase, TrainerCallback

logger = logging.getLogger(__name__)

__all__ = [
    "CHECKPOINT_PREFIX",
    "RunHooks",
    "TrainOutcome",
    "latest_checkpoint",
    "resolve_precision",
    "train_adapter",
]


class RunHooks(Protocol):
    """What a run reports to and asks of its job (lathe.jobs.context.JobContext has these)."""

    def should_stop(self) -> bool: ...

    def progress(
        self,
        completed: float,
        total: float | None = None,
        message: str = "",
        details: Mapping[str, object] | None = None,
    ) -> None: ...

    def log(self, line: str) -> None: ...

    def metrics(self, step: int, values: Mapping[str, float]) -> None: ...


@dataclass
class TrainOutcome:
    stopped: bool
    model: PeftModel
    tokenizer: PreTrainedTokenizerBase
    data: PreparedData
    global_step: int
    max_steps: int
    metrics: dict[str, float] = field(default_factory=dict)
    best_checkpoint: str | None = None
    resumed_from: str | None = None
    precision: str = "fp32"
    kernels: bool = False  # trained on Lathe's fused kernels (lathe.training.kernels)


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def _cuda_device_count() -> int:
    import torch

    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0


def resolve_precision(config: TrainingConfig) -> str:
    """fp32, bf16 or fp16: auto picks bf16 on a GPU that supports it, fp16 on other CUDA GPUs,
    fp32 on the CPU."""
    if config.precision != "auto":
        return config.precision
    if config.gpus == 0 or not cuda_available():
        return "fp32"
    import torch

    return "bf16" if torch.cuda.is_bf16_supported() else "fp16"


def _lora_config(config: TrainingConfig) -> Any:
    from peft import LoraConfig, TaskType

    lora = config.lora
    init: Any = True if lora.init_lora_weights == "default" else lora.init_lora_weights
    return LoraConfig(
        task_type=TaskType.CAUSAL_LM,
        r=lora.r,
        lora_alpha=lora.alpha,  # type: ignore[arg-type]  # peft takes any number
        lora_dropout=lora.dropout,
        target_modules=lora.target_modules,
        use_rslora=lora.use_rslora,
        use_dora=lora.use_dora,
        init_lora_weights=init,
    )


def load_peft_model(base_folder: Path, config: TrainingConfig, precision: str) -> PeftModel:
    """The base model (4-bit with QLoRA) with a fresh LoRA adapter, seeded by config.seed."""
    import torch
    from peft import get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, set_seed

    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]
    options: dict[str, Any] = {"dtype": dtype, "local_files_only": True}
    if config.qlora:
        from transformers import BitsAndBytesConfig

        options["quantization_config"] = BitsAndBytesConfig(  # type: ignore[no-untyped-call]
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16 if precision == "bf16" else torch.float16,
        )
    set_seed(config.seed)
    model = AutoModelForCausalLM.from_pretrained(
        str(base_folder), attn_implementation="sdpa", **options
    )
    if config.qlora:
        model = prepare_model_for_kbit_training(  # type: ignore[no-untyped-call]
            model, use_gradient_checkpointing=config.gradient_checkpointing
        )
    elif config.gradient_checkpointing:
        model.enable_input_require_grads()  # type: ignore[no-untyped-call]
    model.config.use_cache = False
    set_seed(config.seed)
    peft_model: PeftModel = get_peft_model(model, _lora_config(config))
    return peft_model


def training_arguments(
    config: TrainingConfig, output_dir: Path, precision: str, has_eval: bool
) -> Any:
    from transformers import TrainingArguments

    optim = {"adamw_8bit": "adamw_bnb_8bit"}.get(config.optimizer, config.optimizer)
    eval_every = config.eval_steps if has_eval and config.eval_steps else None
    return TrainingArguments(
        output_dir=str(output_dir),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps or -1,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler,
        # A float below 1 is a fraction of the steps.
        warmup_steps=min(config.warmup_ratio, 0.999),
        weight_decay=config.weight_decay,
        optim=optim,
        max_grad_norm=config.max_grad_norm,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        use_cpu=config.gpus == 0,
        activation_checkpointing=config.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False},
        # DDP (lathe.training.distributed): every adapter weight is used in every forward pass,
        # and the search for unused ones breaks activation checkpointing.
        ddp_find_unused_parameters=False,
        eval_strategy="steps" if eval_every else "no",
        eval_steps=eval_every,
        metric_for_best_model="eval_loss" if eval_every else None,
        greater_is_better=False if eval_every else None,
        save_strategy="steps",
        save_steps=config.save_steps,
        # Lathe keeps the last save_total_limit plus the best (checkpoint_rotation); Trainer's
        # own rotation would count the best inside the limit.
        save_total_limit=None,
        logging_strategy="steps",
        logging_steps=config.logging_steps,
        logging_first_step=True,
        seed=config.seed,
        data_seed=config.seed,
        report_to="none",
        disable_tqdm=True,
        remove_unused_columns=False,
        label_names=["labels"],
        dataloader_num_workers=0,
        include_num_input_tokens_seen="all" if config.packing else "non_padding",
    )


def _metric_values(logs: Mapping[str, Any]) -> dict[str, float]:
    names = {
        "loss": "train_loss",
        "learning_rate": "learning_rate",
        "grad_norm": "grad_norm",
        "epoch": "epoch",
        "eval_loss": "eval_loss",
    }
    values = {
        ours: float(logs[theirs])
        for theirs, ours in names.items()
        if isinstance(logs.get(theirs), int | float) and math.isfinite(float(logs[theirs]))
    }
    if "eval_loss" in values:
        values["eval_perplexity"] = math.exp(min(values["eval_loss"], 50.0))
    return values


def make_callback(hooks: RunHooks) -> TrainerCallback:
    from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

    class JobCallback(TrainerCallback):
        """Metrics and progress to the job; a stop request saves a checkpoint and ends."""

        def __init__(self) -> None:
            self.stopped = False
            self.started = time.monotonic()
            self.first_step = 0
            self.last_log = (time.monotonic(), 0)

        def on_train_begin(
            self,
            args: TrainingArguments,
            state: TrainerState,
            control: TrainerControl,
            **kwargs: Any,
        ) -> None:
            self.started = time.monotonic()
            self.first_step = state.global_step
            self.last_log = (self.started, state.num_input_tokens_seen)
            hooks.progress(state.global_step, state.max_steps, "training")

        def on_step_end(
            self,
            args: TrainingArguments,
            state: TrainerState,
            control: TrainerControl,
            **kwargs: Any,
        ) -> None:
            done = state.global_step - self.first_step
            elapsed = time.monotonic() - self.started
            left = max(state.max_steps - state.global_step, 0)
            eta = elapsed / done * left if done else None
            details: dict[str, object] = {"epoch": state.epoch or 0.0}
            if eta is not None:
                details["eta_s"] = round(eta, 1)
            hooks.progress(state.global_step, state.max_steps, f"step {state.global_step}", details)
            if hooks.should_stop():
                self.stopped = True
                control.should_save = True
                control.should_training_stop = True

        def on_log(
            self,
            args: TrainingArguments,
            state: TrainerState,
            control: TrainerControl,
            logs: dict[str, Any] | None = None,
            **kwargs: Any,
        ) -> None:
            if not logs or state.global_step == 0:
                return
            values = _metric_values(logs)
            if "train_loss" in values:
                now, tokens = time.monotonic(), state.num_input_tokens_seen
                seconds = now - self.last_log[0]
                if seconds > 0 and tokens > self.last_log[1]:
                    values["tokens_per_s"] = (tokens - self.last_log[1]) / seconds
                self.last_log = (now, tokens)
            if values:
                hooks.metrics(state.global_step, values)

    return JobCallback()


def train_adapter(
    settings: Settings,
    config: TrainingConfig,
    *,
    base_folder: Path,
    output_dir: Path,
    hooks: RunHooks,
) -> TrainOutcome:
    """Train (or resume, when output_dir holds a checkpoint) and return the trained model; a
    stop request ends the run early with a checkpoint (outcome.stopped)."""
    from transformers import PrinterCallback, Trainer

    tokenizer = load_tokenizer(settings, config.model)
    data = prepare_data(settings, config, tokenizer)
    summary = data.summary()
    hooks.log(
        f"data: {summary['train_rows']} train rows, {summary['eval_rows']} eval rows, "
        f"{summary['dropped_rows']} dropped (no trainable tokens), "
        f"{summary['truncated_rows']} cut at {config.max_length} tokens"
    )
    precision = resolve_precision(config)
    model = load_peft_model(base_folder, config, precision)
    trainable, total = model.get_nb_trainable_parameters()
    hooks.log(f"model: {trainable:,} trainable of {total:,} parameters, {precision}")
    kernels = apply_kernels(config, model, _cuda_device_count(), hooks)
    has_eval = data.eval is not None
    args = training_arguments(config, output_dir, precision, has_eval)
    callback = make_callback(hooks)
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=ExampleDataset(data.train.examples),
        eval_dataset=ExampleDataset(data.eval.examples) if data.eval else None,
        data_collator=make_collator(tokenizer, packing=config.packing),
        processing_class=tokenizer,
        callbacks=[callback, make_retention_callback(config.save_total_limit)],
    )
    trainer.remove_callback(PrinterCallback)  # the job gets the metrics; no prints
    if not trainer.model_accepts_loss_kwargs:
        raise LatheError(
            f"model {config.model} does not take num_items_in_batch; its loss would not be "
            "normalised across gradient accumulation"
        )
    resume = latest_checkpoint(output_dir)
    if resume is not None:
        hooks.log(f"resuming from {resume.name}")
    output = trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    stopped = bool(getattr(callback, "stopped", False))
    metrics: dict[str, float] = {
        key: float(value) for key, value in output.metrics.items() if isinstance(value, int | float)
    }
    if not stopped and data.eval is not None:
        evaluated = trainer.evaluate()
        final = _metric_values(evaluated)
        hooks.metrics(trainer.state.global_step, final)
        metrics.update(final)
    metrics["global_step"] = float(trainer.state.global_step)
    metrics["train_tokens"] = float(trainer.state.num_input_tokens_seen)
    return TrainOutcome(
        stopped=stopped,
        model=model,
        tokenizer=tokenizer,
        data=data,
        global_step=trainer.state.global_step,
        max_steps=trainer.state.max_steps,
        metrics=metrics,
        best_checkpoint=trainer.state.best_model_checkpoint,
        resumed_from=resume.name if resume else None,
        precision=precision,
        kernels=kernels,
    )
