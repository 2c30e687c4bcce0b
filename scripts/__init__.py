"""Benchmarks and tools run as ``python -m scripts.<name>`` (see each script)."""
