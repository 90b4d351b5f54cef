"""Export of trained adapters: PEFT adapter folder, merged safetensors model, GGUF file (plus an
Ollama Modelfile), each verified by loading it back with the library its users use."""
