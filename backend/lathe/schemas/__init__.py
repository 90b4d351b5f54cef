"""Pydantic models shared by the API, the CLI and config files: one schema per concept."""
