"""Benchmarks: gradwise against PyTorch, Keras and scikit-learn, side by side in one run.

``python -m bench.harness`` runs every workload for every tool, each tool in its own
subprocess, and writes one JSON file of results; ``python -m bench.report`` turns it
into the tables of BENCHMARKS.md. See ``bench/README.md``.
"""
