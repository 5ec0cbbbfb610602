"""Benchmarks that print measured JSON. Run them from the repository root as modules, e.g.
`.venv/bin/python -m bench.bench_train --preset toy`, so they import each other without path edits."""
