"""Inference: the folders of registered models and adapters (model_files), loading them for
generation with a small per-process cache (loader), and offline batched generation for data
recipes (batch)."""
