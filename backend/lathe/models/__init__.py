"""Model registry: the built-in default model, imports of HF folders, GGUF files and hub ids.

The service functions live in lathe.models.registry; the other modules are its parts (names,
metadata, storage, gguf_import, hub, builtin, records, progress)."""
