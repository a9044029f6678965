"""Benchmark of the One Plan pipeline at province, region and national scale.

    python -m bench [--scale province|region|nation|all] [--runs 3] [--out bench/results]

`bench.corpus` writes deterministic corpora (the sample's messy layouts, geothai's real codes),
`bench.measure` times ours against a naive pandas baseline and a python-calamine floor, each run
in a fresh subprocess, and `bench.profile` profiles `run_plan` on one corpus.
"""
