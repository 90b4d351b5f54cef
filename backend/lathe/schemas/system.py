"""Health and system status."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class CudaDevice(BaseModel):
    index: int
    name: str
    memory_total_bytes: int
    memory_free_bytes: int


class SystemInfo(BaseModel):
    lathe_version: str
    python_version: str
    platform: str
    torch_version: str
    transformers_version: str | None
    peft_version: str | None
    triton_version: str | None
    gguf_version: str | None
    cpu_count: int
    cpu_model: str
    memory_total_bytes: int
    memory_available_bytes: int
    cuda_available: bool
    cuda_devices: list[CudaDevice]
    triton_usable: bool = Field(description="Whether Lathe's Triton kernels can run here.")
    triton_mode: Literal["cuda", "interpreter", "reference", "unavailable"] = Field(
        description=(
            "cuda: compiled kernels on the GPU; interpreter: TRITON_INTERPRET=1 on the CPU "
            "(fp32, slow, for correctness); reference: PyTorch reference ops on the CPU; "
            "unavailable: triton is not installed."
        )
    )
    training_kernels: bool = Field(
        description=(
            "Whether training runs with `kernels: auto` use Lathe's fused Triton kernels here "
            "(they need a CUDA GPU; `kernels: on` also runs them interpreted with "
            "TRITON_INTERPRET=1)."
        )
    )
    lathe_home: str
    database_url: str = Field(description="With any password hidden.")
    default_model_present: bool
