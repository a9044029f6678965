"""Discover the inbox and turn each plan file into staged tables: the steps of a run that
need no Prefect, shared by the nightly flow and by `oneplan check`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import geothai
import pyarrow as pa
import pyarrow.parquet as pq
from oneplan.flows.errors import fault_point
from oneplan.flows.read import SUPPORTED_SUFFIXES, ReadError, read_file
from oneplan.flows.reference import (
    load_areas,
    load_level_patterns,
    load_matcher,
    load_rules,
    rules_fingerprint,
)
from oneplan.transforms.areas import CHAI_NAT, province_codes, resolve_district_folder
from oneplan.transforms.consolidate import with_file_columns
from oneplan.transforms.issues import make_issue
from oneplan.transforms.levels import FilePlan, file_plan, resolve_province_folder, title_texts
from oneplan.transforms.sheet import FileContext, FileResult, Sheet, read_sheets
from oneplan.transforms.staging import staged_tables


@dataclass(frozen=True)
class FileJob:
    """One file to parse: where it is, which district it belongs to, what it contains."""

    path: str
    source_file: str  # relative to the inbox, POSIX separators
    district_code: str
    district_name_th: str
    file_sha256: str
    file_modified_at: str  # ISO 8601, UTC
    provinces: str = CHAI_NAT  # the scope tambons are matched in (see transforms.areas)

    @property
    def submission_id(self) -> str:
        key = f"{self.district_code}\x1f{self.source_file}\x1f{self.file_sha256}"
        return hashlib.sha256(key.encode()).hexdigest()[:20]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inbox_issue(code: str, source_file: str, value: str) -> dict:
    issue = make_issue(load_rules(), code, source_file=source_file, value=value)
    return {"submission_id": None, "source_file": source_file, **issue, "source_sheet": ""}


def discover_inbox(inbox: Path, provinces: str = CHAI_NAT) -> tuple[list[FileJob], list[dict]]:
    """Every plan file under the inbox's district folders, and issues about what is not one.

    Folders are named by district code, Thai name (with or without อ./อำเภอ) or English
    name; anything else is reported, never guessed. Editor lock files (~$x.xlsx) and hidden
    files are ignored.
    """
    inbox = inbox.resolve()
    areas = load_areas(provinces)
    jobs, issues = [], []
    for entry in sorted(inbox.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            issues.append(_inbox_issue("file_outside_district", entry.name, entry.name))
            continue
        code = resolve_district_folder(entry.name, areas)
        province = None if code else resolve_province_folder(entry.name, province_codes(provinces))
        if code is None and province is None:
            issues.append(_inbox_issue("unknown_district_folder", entry.name, entry.name))
            continue
        if province:  # the province folder: province-level plans, rows placed by their cells
            code, name_th = province, "จังหวัด" + geothai.province(province).name_th
        else:
            name_th = areas.loc[areas["district_code"] == code, "district_name_th"].iloc[0]
        for path in sorted(entry.rglob("*")):
            rel = path.relative_to(inbox).as_posix()
            if path.name.startswith((".", "~$")) or path.is_dir():
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(inbox):
                    issues.append(_inbox_issue("symlink_outside_inbox", rel, str(target)))
                    continue
            if not path.is_file():
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                issues.append(_inbox_issue("unsupported_file_type", rel, path.suffix or path.name))
                continue
            stat = path.stat()
            modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC).isoformat()
            jobs.append(FileJob(str(path), rel, code, name_th, _sha256(path), modified, provinces))
    return jobs, issues


def read_plan_file(
    path: Path, source_file: str, district_code: str, district_name_th: str, provinces: str
) -> tuple[list[Sheet] | None, FileResult]:
    """Read and normalise one file as the nightly run does.

    Bad input never raises: a file that cannot be read, or that crashes the reader, yields
    one located issue and no sheets. Only OSError (a flaky disk or share) propagates, so the
    caller can retry rather than publish without the file.
    """
    rules = load_rules()
    try:
        sheets = read_file(path)
        plan = plan_of_file(source_file, district_code, sheets)
        ctx = FileContext(
            source_file, district_code, district_name_th, path.stem, plan.default_place
        )
        return sheets, read_sheets(sheets, ctx, rules, load_matcher(provinces))
    except OSError:
        raise
    except ReadError as err:
        code, detail = err.code, err.detail
    except Exception as err:  # a reader bug must cost one file, not the night's run
        code, detail = "unreadable_file", f"{type(err).__name__}: {err}"[:300]
    result = FileResult()
    result.issues.append(make_issue(rules, code, source_file=source_file, value=detail))
    return None, result


def plan_of_file(source_file: str, district_code: str, sheets: list[Sheet] | None) -> FilePlan:
    """The file's plan level (data/plan_levels.csv), from its name, titles and sheet names;
    a file of the province folder (district code = province code) is a province plan."""
    sheets = sheets or []
    titles = [text for sheet in sheets for text in title_texts(sheet.rows)]
    return file_plan(
        source_file,
        [sheet.name for sheet in sheets],
        titles,
        load_level_patterns(),
        district_code,
        in_province_folder=len(district_code) == 2,
    )


def parse_to_tables(job: FileJob) -> dict[str, pa.Table]:
    """The staged tables of one file."""
    tables, _ = parse_with_plan(job)
    return tables


def parse_with_plan(job: FileJob) -> tuple[dict[str, pa.Table], FilePlan]:
    """The staged tables of one file and what plan it is."""
    sheets, result = read_plan_file(
        Path(job.path), job.source_file, job.district_code, job.district_name_th, job.provinces
    )
    plan = plan_of_file(job.source_file, job.district_code, sheets)
    tables = staged_tables(result)
    return with_file_columns(tables, job.submission_id, job.source_file, job.district_code), plan


def stage_key(job: FileJob) -> str:
    """Staged parses are reused while the file's bytes, path and the reading rules are the same."""
    key = "\x1f".join(
        (job.file_sha256, job.source_file, job.district_code, job.provinces, rules_fingerprint())
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def stage_file(job: FileJob, staging_dir: str) -> dict:
    """Parse one file into staged Parquet, unless an identical parse is already staged."""
    target = Path(staging_dir) / stage_key(job)
    if (target / "done").exists() and (target / "plan.json").exists():
        plan = json.loads((target / "plan.json").read_text())
        return {"job": asdict(job), "staged": str(target), "reused": True, "plan": plan}
    tables, file_plan_ = parse_with_plan(job)
    plan = asdict(file_plan_)
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, table in tables.items():
        # Empty tables (most files have no rejected row) are not written: absent = empty.
        if table.num_rows:
            pq.write_table(
                table, tmp / f"{name}.parquet", compression="none", write_statistics=False
            )
    (tmp / "plan.json").write_text(json.dumps(plan, ensure_ascii=False))
    (tmp / "done").write_text(json.dumps(asdict(job), ensure_ascii=False))
    fault_point("staging")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return {"job": asdict(job), "staged": str(target), "reused": False, "plan": plan}
