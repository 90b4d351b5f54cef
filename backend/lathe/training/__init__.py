"""LoRA training: how training sees a row (lathe.training.tokens: chat template rendering,
tokenisation, assistant-only label masking, token counts, the training-view preview)."""
