"""Time the plan-levels step (flows.levels.link_levels) alone on a benchmark corpus, or
measure how right its links are on the sample.

    python -m bench.linkage [--corpus district-region] [--runs 3]
    python -m bench.linkage --sample [--inbox data/sample/inbox]

--sample stages and links the sample inbox and compares with its expected.json: precision
and recall of the accepted links, the links left to review, and the baht counted twice (a
true copy or roll-up still counted) or never (a false link took a project's money away).

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

    def capture(consolidated, rules, place_names, decisions=None):
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


def link_quality(inbox, expected: dict) -> dict:
    """Precision and recall of the accepted links of the inbox against the expected links,
    and the baht counted twice or never (per project and year, against the true links)."""
    from decimal import Decimal

    from oneplan.flows import steps
    from oneplan.flows.reference import load_areas

    staging = tempfile.mkdtemp(prefix="oneplan-linkage-")
    try:
        jobs, _ = steps.discover_inbox(inbox, "18")
        staged = [steps.parse(job, staging) for job in jobs]
        consolidated, links = steps.consolidate_levels(staged, load_areas("18"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    projects = consolidated.projects
    where = {
        pid: (f, sh or "", int(r))
        for pid, f, sh, r in zip(
            projects["project_id"],
            projects["source_file"],
            projects["source_sheet"].fillna(""),
            projects["source_row"],
            strict=True,
        )
    }

    def key(kind, a, b):
        return (kind, frozenset((a, b))) if kind == "possible_duplicate" else (kind, a, b)

    true = {
        key(x["link_kind"], tuple(x["project"]), tuple(x["linked_project"]))
        for x in expected["links"]
    }
    found = {
        key(k, where[a], where[b]): st
        for k, a, b, st in zip(
            links["link_kind"],
            links["project_id"],
            links["linked_project_id"],
            links["status"],
            strict=True,
        )
    }
    accepted = {k for k, st in found.items() if st == "accepted"}
    # The project whose money the plans above (or the kept copy) count: a true copy may be
    # either of the two (which one is the copy is the linkage's choice).
    copy_of = {
        frozenset((where[a], where[b])): where[a]
        for k, a, b in zip(
            links["link_kind"], links["project_id"], links["linked_project_id"], strict=True
        )  # fmt: skip
        if k == "possible_duplicate"
    }
    true_children = {
        copy_of.get(frozenset((tuple(x["project"]), tuple(x["linked_project"]))))
        or tuple(x["project"])
        if x["link_kind"] == "possible_duplicate"
        else tuple(x["project"])
        for x in expected["links"]
    }
    amounts: dict = {}
    for pid, amount in zip(consolidated.budgets["project_id"], consolidated.budgets["amount_thb"],
                           strict=True):  # fmt: skip
        amounts[pid] = amounts.get(pid, Decimal(0)) + Decimal(amount)
    counted = dict(zip(projects["project_id"], projects["is_counted"], strict=True))
    twice = sum(
        (amounts.get(p, Decimal(0)) for p, c in counted.items() if c and where[p] in true_children),
        Decimal(0),
    )
    never = sum(
        (amounts.get(p, Decimal(0)) for p, c in counted.items()
         if not c and where[p] not in true_children),
        Decimal(0),
    )  # fmt: skip
    return {
        "true": len(true),
        "accepted": len(accepted),
        "review": len(found) - len(accepted),
        "true_accepted": len(accepted & true),
        "precision": len(accepted & true) / len(accepted) if accepted else 1.0,
        "recall": len(accepted & true) / len(true) if true else 1.0,
        "baht_counted_twice": twice,
        "baht_counted_never": never,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="district-region")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", action="store_true", help="measure links on the sample")
    parser.add_argument("--inbox", default=None, help="with --sample: another sample's inbox")
    args = parser.parse_args(argv)
    if args.sample:
        import json
        from pathlib import Path

        from oneplan.flows.defaults import DATA

        inbox = Path(args.inbox) if args.inbox else DATA / "sample" / "inbox"
        expected = json.loads((inbox.parent / "expected.json").read_text(encoding="utf-8"))
        q = link_quality(inbox, expected)
        print(
            f"links on {inbox}: {q['true']} true, {q['accepted']} accepted "
            f"({q['true_accepted']} true), {q['review']} to review; "
            f"precision {q['precision']:.3f}, recall {q['recall']:.3f} (accepted); "
            f"baht counted twice {q['baht_counted_twice']:,}, never {q['baht_counted_never']:,}"
        )
        return 0
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
