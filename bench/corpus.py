"""Deterministic benchmark corpora: real DOPA codes (geothai), the sample's messy layouts.

    python -m bench.corpus [--scale province|region|nation|province-xN|all] [--force]

Scales:
- province: Chai Nat (18), 8 districts, 53 tambons.
- region: the districts of CENTRAL (central-region provinces, in code order) until at least
  REGION_MIN_DISTRICTS districts: 81 districts, 716 tambons.
- nation: every province, 928 districts, 7,436 tambons.
- province-xN: Chai Nat's 8 district folders, each holding N batches of that district's plan
  (`<folder>/batch-NN/...`), N = round(region tambons / province tambons) = 14, so the row count
  is the region's. The pipeline reads Chai Nat folders only (transforms.areas.CHAI_NAT), so this
  is what "ours" can be measured on at region size; it is NOT the region corpus.

Each district gets a layout of sample.generator.LAYOUTS round-robin over a seeded shuffle of the
layout names; when a district cannot be laid out that way (sample.generator raises: 2-tambon
districts have no third sheet to copy in xlsx_sheets, some tambon names have no unambiguous
typo for the fuzzy plant) the next layout in the order is used, and the manifest says so.
Chai Nat districts are in the sample's folders (1801, มโนรมย์, Wat Sing, ...), the others in
folders named by district code.

Files go to `<root>/<scale>/inbox/<district folder>/...` (bench/corpus/ is gitignored) with a
`manifest.json` written last; generation is skipped when the manifest there has the same
generator version (which covers sample/generator.py's source) and spec. Generation streams: one
district is in memory at a time, and the manifest keeps counts and digests, not projects.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import geothai
from oneplan.sample import generator as sample

BENCH_CORPUS_VERSION = "1"
SEED = 2568
ROOT = Path(__file__).resolve().parent
CORPUS_ROOT = ROOT / "corpus"
CHAI_NAT = "18"
# Central-region provinces taken in code order until REGION_MIN_DISTRICTS districts: Nonthaburi,
# Pathum Thani, Ang Thong, Lop Buri, Sing Buri, Chai Nat, Saraburi, Nakhon Sawan, Uthai Thani
# (Suphan Buri and Nakhon Pathom are spares that are not reached).
CENTRAL = ("12", "13", "15", "16", "17", "18", "19", "60", "61", "72", "73")
REGION_MIN_DISTRICTS = 80
SCALES = ("province", "region", "nation", "province-xN")


@dataclass(frozen=True)
class Job:
    """One build_district call: a district (in one batch) and its layout preference order."""

    province: str
    code: str
    folder: str  # inbox-relative folder the files go to (district folder first)
    layouts: tuple[str, ...]  # the assigned layout first, then the fall-backs
    batch: int = 0


def generator_version() -> str:
    """BENCH_CORPUS_VERSION (bump it when this module's output changes) plus a digest of
    sample/generator.py (the layouts and writers it reuses)."""
    source = Path(sample.__file__).read_bytes()
    return f"{BENCH_CORPUS_VERSION}+{hashlib.sha256(source).hexdigest()[:12]}"


def layout_order() -> list[str]:
    """The layout names in a seeded shuffled order: district i gets order[i % 8]."""
    names = sorted(sample.LAYOUTS)
    random.Random(f"{SEED}-layouts").shuffle(names)
    return names


@cache
def _districts(province: str) -> tuple[Any, ...]:
    return tuple(sorted(geothai.districts(province), key=lambda d: d.code))


@cache
def _tambons(district: str) -> tuple[Any, ...]:
    return tuple(sorted(geothai.subdistricts(district), key=lambda s: s.code))


def region_provinces() -> list[str]:
    """CENTRAL provinces in code order, as many as it takes to reach REGION_MIN_DISTRICTS."""
    out, n = [], 0
    for code in sorted(CENTRAL):
        if n >= REGION_MIN_DISTRICTS:
            break
        out.append(code)
        n += len(_districts(code))
    return out


def replicas() -> int:
    """N of province-xN: region tambons / province tambons, rounded."""
    region = sum(len(_tambons(d.code)) for p in region_provinces() for d in _districts(p))
    province = sum(len(_tambons(d.code)) for d in _districts(CHAI_NAT))
    return max(1, round(region / province))


def _folder(code: str) -> str:
    """Chai Nat districts in the sample's folders (named as each office names them), else code."""
    return sample.DISTRICTS[code][0] if code in sample.DISTRICTS else code


def provinces_of(scale: str) -> list[str]:
    if scale in ("province", "province-xN"):
        return [CHAI_NAT]
    if scale == "region":
        return region_provinces()
    if scale == "nation":
        return [p.code for p in sorted(geothai.provinces(), key=lambda p: p.code)]
    raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")


def plan(scale: str) -> list[Job]:
    """Every build of the scale, in order (districts in code order, batch by batch)."""
    order = layout_order()
    codes = [(p, d.code) for p in provinces_of(scale) for d in _districts(p)]
    batches = replicas() if scale == "province-xN" else 1
    jobs = []
    for batch in range(batches):
        for i, (province, code) in enumerate(codes):
            k = i + batch  # batches rotate the layouts, so every district sees several
            prefs = tuple(order[(k + j) % len(order)] for j in range(len(order)))
            folder = _folder(code) + (f"/batch-{batch + 1:02d}" if batches > 1 else "")
            jobs.append(Job(province, code, folder, prefs, batch))
    return jobs


def spec(scale: str) -> dict[str, Any]:
    """What the corpus of a scale is made of (compared before reusing a generated corpus)."""
    jobs = plan(scale)
    return {
        "scale": scale,
        "seed": SEED,
        "provinces": provinces_of(scale),
        "replicas": replicas() if scale == "province-xN" else 1,
        "n_districts": len({j.code for j in jobs}),
        "n_tambons": len({t.code for j in jobs for t in _tambons(j.code)}),
        "n_tambon_plans": sum(len(_tambons(j.code)) for j in jobs),
    }


def build_job(job: Job) -> tuple[list[sample.File], str]:
    """The files of one job (in memory) and the layout actually used."""
    province_tambons = [t for d in _districts(job.province) for t in _tambons(d.code)]
    others = [t for t in province_tambons if not t.code.startswith(job.code)]
    errors = []
    for layout in job.layouts:
        rng = random.Random(f"bench-{SEED}-{job.code}-{job.batch}-{layout}")
        try:
            files = sample.build_district(
                job.code, _tambons(job.code), layout, rng, job.folder, others
            )
        except (IndexError, ValueError, AssertionError) as err:
            errors.append(f"{layout}: {type(err).__name__}: {err}")
            continue
        return files, layout
    raise RuntimeError(f"district {job.code}: no layout fits: {errors}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generate(
    scale: str,
    root: Path = CORPUS_ROOT,
    log=print,
    *,
    name: str | None = None,
    build=None,
    spec_of=None,
) -> dict[str, Any]:
    """(Re)write `<root>/<name or scale>/inbox` and its manifest.json, one district at a time.

    build(job) -> (files, layout) and spec_of(scale) default to this module's build_job and
    spec (bench.corpus_district passes its own: the district-sized corpora)."""
    build, spec_of = build or build_job, spec_of or spec
    out = Path(root) / (name or scale)
    inbox = out / "inbox"
    shutil.rmtree(out, ignore_errors=True)
    inbox.mkdir(parents=True)
    started = time.perf_counter()
    jobs = plan(scale)
    districts: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    totals: Counter[str] = Counter()
    formats: Counter[str] = Counter()
    layouts: Counter[str] = Counter()
    for n, job in enumerate(jobs, 1):
        built, layout = build(job)
        sample.write_files(inbox, built)
        counted = sample.build_manifest(built)  # one district: duplicates are per district
        rows = accepted = 0
        for f in built:
            path = inbox / f.path
            stats = counted["files"][f.path]
            size = path.stat().st_size
            files.append(
                {
                    "path": f.path,
                    "district_code": job.code,
                    "format": f.fmt,
                    "sheets": len(f.sheets),
                    "rows": stats["n_rows_read"],
                    "bytes": size,
                    "sha256": _sha256(path),
                }
            )
            rows += stats["n_rows_read"]
            accepted += stats["n_rows_accepted"]
            formats[f.fmt] += 1
            totals["bytes"] += size
        projects = sum(d["n_projects"] for d in counted["districts"].values())
        totals.update(rows=rows, accepted=accepted, projects=projects, files=len(built))
        layouts[layout] += 1
        districts.append(
            {
                "code": job.code,
                "batch": job.batch,
                "folder": job.folder,
                "layout": layout,
                "assigned_layout": job.layouts[0],
                "n_tambons": len(_tambons(job.code)),
                "n_files": len(built),
                "n_rows": rows,
                "n_projects": projects,
            }
        )
        del built, counted
        if n % 100 == 0:
            log(f"  {scale}: {n}/{len(jobs)} districts, {totals['files']} files")
    manifest = {
        "generator_version": generator_version(),
        "spec": spec_of(scale),
        "n_files": totals["files"],
        "n_rows": totals["rows"],
        "n_rows_accepted": totals["accepted"],
        "n_projects": totals["projects"],
        "bytes": totals["bytes"],
        "formats": dict(sorted(formats.items())),
        "layouts": dict(sorted(layouts.items())),
        "layout_fallbacks": [
            {k: d[k] for k in ("code", "batch", "assigned_layout", "layout")}
            for d in districts
            if d["layout"] != d["assigned_layout"]
        ],
        "districts": districts,
        "files": files,
    }
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, out / "manifest.json")
    log(
        f"  {scale}: wrote {manifest['n_files']} files, {manifest['n_rows']} rows, "
        f"{manifest['n_projects']} projects in {time.perf_counter() - started:.1f}s"
    )
    return manifest


def load_manifest(scale: str, root: Path = CORPUS_ROOT) -> dict[str, Any] | None:
    """The manifest of an up-to-date generated corpus, else None."""
    path = Path(root) / scale / "manifest.json"
    if not path.exists() or not (path.parent / "inbox").is_dir():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("generator_version") != generator_version():
        return None
    if manifest.get("spec") != spec(scale):
        return None
    return manifest


def ensure_corpus(
    scale: str, root: Path = CORPUS_ROOT, force: bool = False, log=print
) -> dict[str, Any]:
    """The corpus of a scale, generated unless an up-to-date one is already there."""
    manifest = None if force else load_manifest(scale, root)
    if manifest is not None:
        log(f"  {scale}: corpus up to date ({manifest['n_files']} files), not regenerated")
        return manifest
    log(f"  {scale}: generating corpus in {Path(root) / scale} ...")
    return generate(scale, root, log)


def inbox_of(scale: str, root: Path = CORPUS_ROOT) -> Path:
    return Path(root) / scale / "inbox"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=(*SCALES, "all"), default="province")
    parser.add_argument("--root", type=Path, default=CORPUS_ROOT)
    parser.add_argument("--force", action="store_true", help="regenerate even if up to date")
    args = parser.parse_args(argv)
    for scale in SCALES if args.scale == "all" else (args.scale,):
        ensure_corpus(scale, args.root, args.force)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
