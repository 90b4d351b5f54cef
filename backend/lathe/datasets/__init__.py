"""Datasets: read uploaded files, detect their format, normalise to canonical rows."""
