"""The artifact builders behind an export: a PEFT adapter folder, a merged transformers model
folder, or a GGUF file with an Ollama Modelfile, each written inside the export's staging folder
and verified by loading it back with the library its users use. `build_export` is the one
entry point; everything else here is its parts."""

from lathe.export.artifacts.build import build_export

__all__ = ["build_export"]
