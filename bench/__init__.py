"""Benchmarks. ``python -m bench.api_bench``: the public read API against a one-query baseline."""
