"""Benchmarks run by hand; each script prints a table (see docs/benchmarks.md)."""
