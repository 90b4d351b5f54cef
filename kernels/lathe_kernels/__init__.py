"""Triton kernels for Llama-family LoRA training (see DESIGN.md section 7).

Each op lives in ops/<op>.py as private Triton kernels, plain launcher functions and one
autograd.Function, with a PyTorch reference used where Triton cannot run."""
