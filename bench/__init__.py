"""Benchmarks of plantrace (``python bench/run.py`` runs them all); a package so that the scripts
share :mod:`bench.common` and the tests can import their rendering."""
