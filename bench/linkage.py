"""Time the plan-levels step (flows.levels.link_levels) alone on a benchmark corpus.

    python -m bench.linkage [--corpus district-region] [--runs 3]

Stages and consolidates the corpus once (as run_plan does), then runs link_levels on the
consolidated rows `--runs` times with the linkage caches cleared before each, and prints
wall and CPU seconds (median) with the load average: on a shared machine CPU time is the
steadier figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time

from bench import corpus, corpus_district
from bench.measure import scope


def consolidated_input(name: str) -> dict:
    """The arguments link_levels gets in a cold run_plan of the corpus."""
    from oneplan.flows import steps
    from oneplan.flows.reference import load_areas

    if name.startswith("district-"):
        manifest = corpus_district.ensure_corpus(name.removeprefix("district-"))
    else:
        manifest = corpus.ensure_corpus(name)
    provinces = scope(manifest)
    staging = tempfile.mkdtemp(prefix="oneplan-linkage-")
    captured: dict = {}
    real = steps.link_levels

    def capture(consolidated, rules, place_names):
        captured.update(consolidated=consolidated, rules=rules, place_names=place_names)
        return consolidated, None

    try:
        jobs, _ = steps.discover_inbox(corpus.inbox_of(name), provinces)
        staged = [steps.parse(job, staging) for job in jobs]
        steps.link_levels = capture
        steps.consolidate_levels(staged, load_areas(provinces))
    finally:
        steps.link_levels = real
        shutil.rmtree(staging, ignore_errors=True)
    return captured


def time_link_levels(captured: dict, runs: int) -> tuple[list[float], list[float], int, int]:
    from oneplan.flows.levels import link_levels
    from oneplan.transforms import linkage

    walls, cpus, links = [], [], None
    for _ in range(runs):
        for value in vars(linkage).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()
        wall, cpu = time.perf_counter(), time.process_time()
        _, links = link_levels(captured["consolidated"], captured["rules"], captured["place_names"])
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, len(captured["consolidated"].projects), len(links)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="district-region")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    walls, cpus, projects, links = time_link_levels(consolidated_input(args.corpus), args.runs)
    print(
        f"link_levels on {args.corpus}: {projects} projects, {links} links; "
        f"wall median {statistics.median(walls):.2f} s {[round(w, 2) for w in walls]}, "
        f"CPU median {statistics.median(cpus):.2f} s {[round(c, 2) for c in cpus]}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
