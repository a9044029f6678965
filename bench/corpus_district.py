"""District-sized benchmark corpora: the files a district office really sends.

    python -m bench.corpus_district [--scale province|region|nation|all] [--force] [--dry-run]

The tiny corpora of bench.corpus hold 3-8 projects a tambon (about 28 rows a file). A district
office sends one workbook per district (every tambon in it, on one sheet or a sheet a tambon)
or one per tambon, of 100 to 1,000 rows. These corpora are the same districts (real DOPA codes,
geothai), the same layouts, layout order, fall-backs and writers (sample.generator, through
bench.corpus), with the number of projects a tambon chosen so that each file lands on a target
row count:

- a file per district (layouts whose split is "one" or "sheet"): target drawn log-uniform in
  DISTRICT_FILE_ROWS, spread over the district's tambons;
- a file per tambon (split "file"): target drawn log-uniform in TAMBON_FILE_ROWS;
- rows a project: ROWS_PER_PROJECT by the layout's shape (long layouts: one row a project and
  fiscal year, two and a quarter on average); projects a tambon drawn between 80% and 100%
  of the target's; titles, headers, subtotals, summary sheets and planted rows come on top,
  so files land between 100 and about 1,000 rows. Exceptions, as in the sample: a layout
  that sends last round's .xls beside the new .xlsx (one tambon's rows again) and the ผ.02/2
  requests file can be smaller.

The draw is seeded by the district code and batch, so a corpus is the same on every machine.
Files go to `<root>/district-<scale>/inbox/...` with manifest.json (bench.corpus.generate: one
district in memory at a time). The manifest records each file's rows; `file_rows` summarises
them. Big plans repeat a project name with a phase suffix (ระยะที่ 2, ...) once the names of a
district run out, as real multi-year plans do.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from pathlib import Path
from typing import Any

from oneplan.sample import generator as sample

from bench import corpus

SCALES = ("province", "region", "nation")
DISTRICT_FILE_ROWS = (300, 850)  # a district's workbook: every tambon in it
TAMBON_FILE_ROWS = (120, 400)  # one tambon's workbook
ROWS_PER_PROJECT = {"wide": 1.0, "long": 2.25}  # long: 1, 2, 3, 3 years drawn per project
SPREAD = 0.2


def corpus_name(scale: str) -> str:
    return f"district-{scale}"


def target_rows(job: corpus.Job, layout: str) -> int:
    """The seeded row target of the job's files in a layout."""
    per_tambon_file = sample.LAYOUTS[layout]["split"] == "file"
    lo, hi = TAMBON_FILE_ROWS if per_tambon_file else DISTRICT_FILE_ROWS
    rng = random.Random(f"district-{corpus.SEED}-{job.code}-{job.batch}-{layout}")
    return round(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def projects_per_tambon(job: corpus.Job, layout: str) -> tuple[int, int]:
    """(lo, hi) projects a tambon for build_district, so each file lands near its target."""
    spec = sample.LAYOUTS[layout]
    n_tambons = 1 if spec["split"] == "file" else len(corpus._tambons(job.code))
    mean = target_rows(job, layout) / ROWS_PER_PROJECT[spec["shape"]] / max(1, n_tambons)
    return max(1, round(mean * (1 - SPREAD))), max(1, round(mean))


def build_job(job: corpus.Job) -> tuple[list[sample.File], str]:
    """bench.corpus.build_job with district-sized tambon plans."""
    province_tambons = [t for d in corpus._districts(job.province) for t in corpus._tambons(d.code)]
    others = [t for t in province_tambons if not t.code.startswith(job.code)]
    errors = []
    for layout in job.layouts:
        rng = random.Random(f"bench-{corpus.SEED}-{job.code}-{job.batch}-{layout}")
        try:
            files = sample.build_district(
                job.code,
                corpus._tambons(job.code),
                layout,
                rng,
                job.folder,
                others,
                per_tambon=projects_per_tambon(job, layout),
            )
        except (IndexError, ValueError, AssertionError) as err:
            errors.append(f"{layout}: {type(err).__name__}: {err}")
            continue
        return files, layout
    raise RuntimeError(f"district {job.code}: no layout fits: {errors}")


def spec(scale: str) -> dict[str, Any]:
    return {
        **corpus.spec(scale),
        "kind": "district-sized",
        "district_file_rows": list(DISTRICT_FILE_ROWS),
        "tambon_file_rows": list(TAMBON_FILE_ROWS),
    }


def file_rows(manifest: dict[str, Any]) -> dict[str, int]:
    """min, median and max non-blank rows a file of a corpus."""
    rows = sorted(f["rows"] for f in manifest["files"])
    return {"min": rows[0], "median": round(statistics.median(rows)), "max": rows[-1]}


def load_manifest(scale: str, root: Path = corpus.CORPUS_ROOT) -> dict[str, Any] | None:
    import json

    path = Path(root) / corpus_name(scale) / "manifest.json"
    if not path.exists() or not (path.parent / "inbox").is_dir():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("generator_version") != corpus.generator_version():
        return None
    return manifest if manifest.get("spec") == spec(scale) else None


def ensure_corpus(
    scale: str, root: Path = corpus.CORPUS_ROOT, force: bool = False, log=print
) -> dict[str, Any]:
    """The district-sized corpus of a scale, generated unless an up-to-date one is there."""
    manifest = None if force else load_manifest(scale, root)
    if manifest is not None:
        log(f"  {corpus_name(scale)}: corpus up to date ({manifest['n_files']} files)")
        return manifest
    log(f"  {corpus_name(scale)}: generating in {Path(root) / corpus_name(scale)} ...")
    return corpus.generate(scale, root, log, name=corpus_name(scale), build=build_job, spec_of=spec)


def inbox_of(scale: str, root: Path = corpus.CORPUS_ROOT) -> Path:
    return Path(root) / corpus_name(scale) / "inbox"


def dry_run(scale: str, limit: int = 20, log=print) -> dict[str, Any]:
    """Build (in memory, nothing written) the first `limit` districts of a scale and estimate
    the whole corpus's rows and generation time from them (for nation, never generated here)."""
    jobs = corpus.plan(scale)
    started, rows, files = time.perf_counter(), 0, 0
    for job in jobs[:limit]:
        built, _ = build_job(job)
        counted = sample.build_manifest(built)
        rows += sum(s["n_rows_read"] for s in counted["files"].values())
        files += len(built)
    took = time.perf_counter() - started
    scale_up = len(jobs) / min(limit, len(jobs))
    estimate = {
        "districts": len(jobs),
        "sampled": min(limit, len(jobs)),
        "est_files": round(files * scale_up),
        "est_rows": round(rows * scale_up),
        "est_build_s (no writing)": round(took * scale_up, 1),
    }
    log(f"  {corpus_name(scale)} dry run: {estimate}")
    return estimate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=(*SCALES, "all"), default="province")
    parser.add_argument("--root", type=Path, default=corpus.CORPUS_ROOT)
    parser.add_argument("--force", action="store_true", help="regenerate even if up to date")
    parser.add_argument("--dry-run", action="store_true", help="estimate size, write nothing")
    args = parser.parse_args(argv)
    for scale in SCALES if args.scale == "all" else (args.scale,):
        if args.dry_run:
            dry_run(scale)
        else:
            manifest = ensure_corpus(scale, args.root, args.force)
            print(f"  rows a file: {file_rows(manifest)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
