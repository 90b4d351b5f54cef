"""The baseline Lathe's training is held against: the script a person would write by hand with
plain transformers Trainer + peft `get_peft_model` + the standard `DataCollatorForSeq2Seq`, and
nothing of Lathe's (no job, no callback, no database, no collator or arguments of Lathe's).

It trains on examples that are already tokenised (input_ids + labels, as Lathe's data step makes
them), so a comparison measures the training loop and not two tokenisations. The parity test
(tests/backend/training/test_parity.py) compares its losses with a Lathe run step by step, and
bench/train_overhead.py compares its speed; both use this one script.

The hyperparameters are written out as plain TrainingArguments here on purpose: Lathe's own
translation of a TrainingConfig (lathe.training.trainer.training_arguments) is what is under
test, so it must not be reused."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lathe.training.config import TrainingConfig

__all__ = ["BareResult", "BareRun", "train_bare"]

IGNORE_INDEX = -100  # what the standard collator and the model's loss skip


@dataclass(frozen=True)
class BareRun:
    """What the bare script needs: the model folder and the hyperparameters, fp32 on the CPU."""

    model_folder: Path
    output_dir: Path
    seed: int
    lora_r: int
    lora_alpha: float
    lora_dropout: float
    target_modules: list[str] | str
    learning_rate: float
    lr_scheduler: str
    warmup_steps: int
    weight_decay: float
    max_grad_norm: float
    batch_size: int
    gradient_accumulation_steps: int
    max_steps: int
    save_steps: int
    save_total_limit: int
    logging_steps: int

    @classmethod
    def from_config(cls, config: TrainingConfig, model_folder: Path, output_dir: Path) -> BareRun:
        """The same run as a Lathe config with max_steps set, read field by field."""
        if config.max_steps is None:
            raise ValueError("the bare script runs a fixed number of steps: set max_steps")
        return cls(
            model_folder=model_folder,
            output_dir=output_dir,
            seed=config.seed,
            lora_r=config.lora.r,
            lora_alpha=config.lora.alpha,
            lora_dropout=config.lora.dropout,
            target_modules=config.lora.target_modules,
            learning_rate=config.learning_rate,
            lr_scheduler=config.lr_scheduler,
            warmup_steps=math.ceil(config.warmup_ratio * config.max_steps),
            weight_decay=config.weight_decay,
            max_grad_norm=config.max_grad_norm,
            batch_size=config.batch_size,
            gradient_accumulation_steps=config.gradient_accumulation_steps,
            max_steps=config.max_steps,
            save_steps=config.save_steps,
            save_total_limit=config.save_total_limit,
            logging_steps=config.logging_steps,
        )


@dataclass(frozen=True)
class BareResult:
    losses: dict[int, float]  # the logged train loss per step
    train_runtime_s: float  # Trainer's train_runtime: the whole trainer.train() loop
    tokens: int  # non-padding input tokens the loop saw (Trainer's num_input_tokens_seen)

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.train_runtime_s


def train_bare(run: BareRun, examples: Sequence[dict[str, list[int]]]) -> BareResult:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        DataCollatorForSeq2Seq,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    set_seed(run.seed)
    tokenizer = AutoTokenizer.from_pretrained(str(run.model_folder))
    # Right padding: Llama-style models take position ids from the token index, so left
    # padding would shift every position of a padded row.
    tokenizer.padding_side = "right"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(str(run.model_folder), dtype=torch.float32)
    model.config.use_cache = False
    lora = LoraConfig(
        task_type="CAUSAL_LM",
        r=run.lora_r,
        lora_alpha=run.lora_alpha,  # type: ignore[arg-type]  # peft takes any number
        lora_dropout=run.lora_dropout,
        target_modules=run.target_modules,
    )
    set_seed(run.seed)  # the adapter's initial weights depend only on the seed
    peft_model = get_peft_model(model, lora)
    args = TrainingArguments(
        output_dir=str(run.output_dir),
        max_steps=run.max_steps,
        per_device_train_batch_size=run.batch_size,
        gradient_accumulation_steps=run.gradient_accumulation_steps,
        learning_rate=run.learning_rate,
        lr_scheduler_type=run.lr_scheduler,
        warmup_steps=run.warmup_steps,
        weight_decay=run.weight_decay,
        max_grad_norm=run.max_grad_norm,
        optim="adamw_torch",
        use_cpu=True,
        seed=run.seed,
        data_seed=run.seed,
        logging_steps=run.logging_steps,
        save_strategy="steps",
        save_steps=run.save_steps,
        save_total_limit=run.save_total_limit,
        report_to="none",
        disable_tqdm=True,
        # The examples carry input_ids and labels only: nothing for Trainer to drop.
        remove_unused_columns=False,
        include_num_input_tokens_seen="non_padding",
    )
    dataset: list[dict[str, Any]] = [dict(example) for example in examples]
    trainer = Trainer(
        model=peft_model,
        args=args,
        train_dataset=dataset,  # any map-style dataset will do
        data_collator=DataCollatorForSeq2Seq(
            tokenizer, padding=True, label_pad_token_id=IGNORE_INDEX
        ),
    )
    output = trainer.train()
    losses = {
        int(entry["step"]): float(entry["loss"])
        for entry in trainer.state.log_history
        if "loss" in entry
    }
    return BareResult(
        losses=losses,
        train_runtime_s=float(output.metrics["train_runtime"]),
        tokens=int(trainer.state.num_input_tokens_seen),
    )
