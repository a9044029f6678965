"""Discover the inbox and turn each plan file into staged tables: the steps of a run that
need no Prefect, shared by the nightly flow and by `oneplan check`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import geothai
import pyarrow as pa
from oneplan.flows.durable import fsync_dir, read_regular, read_verified, write_durable
from oneplan.flows.errors import fault_point
from oneplan.flows.read import (
    LIMITS,
    SUPPORTED_SUFFIXES,
    ReadError,
    file_kind,
    read_bytes,
    read_file,
)
from oneplan.flows.reference import (
    load_areas,
    load_error_values,
    load_level_patterns,
    load_matcher,
    load_rules,
    rules_fingerprint,
)
from oneplan.transforms import schema
from oneplan.transforms.areas import CHAI_NAT, province_codes, resolve_district_folder
from oneplan.transforms.completeness import error_cell_issues
from oneplan.transforms.consolidate import with_file_columns
from oneplan.transforms.integrity import incomplete_reason
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
    file_size: int = -1  # bytes at discovery (-1: not recorded)
    settled: bool = True  # last modified before the quiet period (see discover_inbox)

    @property
    def submission_id(self) -> str:
        key = f"{self.district_code}\x1f{self.source_file}\x1f{self.file_sha256}"
        return hashlib.sha256(key.encode()).hexdigest()[:20]


class FileChanged(Exception):
    """The file changed between discovery and its read, or during the read."""


def _read_bytes(path: Path) -> bytes:
    """The bytes of the regular file at `path` (a real path, as discovery made it), read
    without following a link swapped in since (see `open_in_inbox`) and never more than the
    size limit (a file grown past it, or swapped for a FIFO or device, is a changed file)."""
    with os.fdopen(open_in_inbox(path), "rb") as handle:
        data = handle.read(LIMITS.max_file_bytes + 1)
    if len(data) > LIMITS.max_file_bytes:
        raise FileChanged(f"{len(data):,} bytes")
    return data


def read_stable(job: FileJob) -> bytes:
    """The file's bytes, read once, when they are the ones discovery saw: size and mtime
    the same before and after the read, and the SHA-256 of exactly these bytes equal to
    the job's (which names its staged parse and submission). Else FileChanged."""
    path = Path(job.path)
    try:
        before = path.stat()
        data = _read_bytes(path)
        after = path.stat()
    except FileNotFoundError:
        raise FileChanged("-") from None  # removed (or renamed) since discovery
    seen = (before.st_size, before.st_mtime_ns)
    if seen != (after.st_size, after.st_mtime_ns) or len(data) != after.st_size:
        raise FileChanged(_modified_at(after))
    if job.file_size >= 0 and after.st_size != job.file_size:
        raise FileChanged(_modified_at(after))
    if hashlib.sha256(data).hexdigest() != job.file_sha256:
        raise FileChanged(_modified_at(after))
    return data


def _modified_at(stat: os.stat_result) -> str:
    return datetime.fromtimestamp(stat.st_mtime, tz=UTC).isoformat()


def _inbox_issue(code: str, source_file: str, value: str) -> dict:
    issue = make_issue(load_rules(), code, source_file=source_file, value=value)
    return {"submission_id": None, "source_file": source_file, **issue, "source_sheet": ""}


def discover_inbox(
    inbox: Path,
    provinces: str = CHAI_NAT,
    quiet_seconds: float = 0.0,
    now: float | None = None,
) -> tuple[list[FileJob], list[dict]]:
    """Every plan file under the inbox's district folders, and issues about what is not one.

    Folders are named by district code, Thai name (with or without อ./อำเภอ) or English
    name; anything else is reported, never guessed. Editor lock files (~$x.xlsx) and hidden
    files are ignored. A link (a district folder, a folder below it or a file) that leads out
    of the inbox is refused (`symlink_outside_inbox`) at every depth and never followed; a
    folder link inside the inbox is not followed either (its target is read once, as itself).

    A file modified less than `quiet_seconds` before `now` (default: the time of the call)
    is not `settled`: it may still be uploading (see `keep_previous_versions`).
    """
    inbox = inbox.resolve()
    quiet_since = (time.time() if now is None else now) - quiet_seconds
    areas = load_areas(provinces)
    jobs, issues = [], []
    for entry in sorted(inbox.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            target = Path(os.path.realpath(entry))
            if not target.is_relative_to(inbox):
                issues.append(_inbox_issue("symlink_outside_inbox", entry.name, str(target)))
                continue
            if target.is_dir():
                continue  # a folder of the inbox under another name: read as itself
        if entry.is_file():
            issues.append(_inbox_issue("file_outside_district", entry.name, entry.name))
            continue
        if not entry.is_dir():
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
        for path in _files_below(entry, inbox, issues):
            rel = path.relative_to(inbox).as_posix()
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                issues.append(_inbox_issue("unsupported_file_type", rel, path.suffix or path.name))
                continue
            real = Path(os.path.realpath(path))  # a file link inside the inbox: its target
            try:
                digest, info = _sha256_in(real, inbox)
            except FileChanged:
                continue  # gone or swapped for a link since the walk: the next run sees it
            jobs.append(
                FileJob(
                    str(real),
                    rel,
                    code,
                    name_th,
                    digest,
                    _modified_at(info),
                    provinces,
                    info.st_size,
                    info.st_mtime <= quiet_since,
                )
            )
    return jobs, issues


def _files_below(folder: Path, inbox: Path, issues: list[dict]) -> list[Path]:
    """The files under `folder` (a real folder of the inbox), in path order, walking real
    folders only: a link out of the inbox is reported (`symlink_outside_inbox`) and not
    followed, a folder link inside the inbox is not followed (its target is walked as
    itself), a file link inside the inbox stays a file. Hidden and ~$ files are left out."""
    found: list[Path] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                target = Path(os.path.realpath(path))
                if not target.is_relative_to(inbox):
                    if not path.name.startswith((".", "~$")):
                        rel = path.relative_to(inbox).as_posix()
                        issues.append(_inbox_issue("symlink_outside_inbox", rel, str(target)))
                    continue
                if target.is_dir():
                    continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif path.name.startswith((".", "~$")):
                continue
            elif path.is_file():
                found.append(path)
            else:  # a FIFO, device or socket (or a link to one, or to nothing): never read
                try:
                    kind = file_kind(path.stat().st_mode)
                except OSError:
                    kind = "link"
                rel = path.relative_to(inbox).as_posix()
                issues.append(_inbox_issue("not_a_regular_file", rel, kind))
    return sorted(found)


def open_in_inbox(path: Path, inbox: Path | None = None) -> int:
    """A read-only descriptor of the regular file at `path`, opened without following a link
    in its last component, when `path` is still where discovery found it: no folder on the
    way is a link out of the inbox (`inbox`; else the path itself must be real, as discovery
    made it), and the file opened is the one at that path. Else FileChanged."""
    path = Path(path)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        raise FileChanged("-") from None  # gone, or now a link
    try:
        info = os.fstat(fd)
        parent = Path(os.path.realpath(path.parent))
        where_ok = parent.is_relative_to(inbox) if inbox is not None else parent == path.parent
        same = os.stat(path, follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode):  # swapped for a FIFO, device or socket
            raise FileChanged(file_kind(info.st_mode))
        if not where_ok or (same.st_dev, same.st_ino) != (info.st_dev, info.st_ino):
            raise FileChanged(_modified_at(info))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _sha256_in(path: Path, inbox: Path) -> tuple[str, os.stat_result]:
    """The SHA-256 and stat of the file at `path`, read through `open_in_inbox`."""
    fd = open_in_inbox(path, inbox)
    digest = hashlib.sha256()
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), info


def read_plan_file(
    path: Path,
    source_file: str,
    district_code: str,
    district_name_th: str,
    provinces: str,
    folders: tuple[str, ...] | None = None,
    data: bytes | None = None,
) -> tuple[list[Sheet] | None, FileResult]:
    """Read and normalise one file as the nightly run does (see `read_plan`)."""
    sheets, result, _ = read_plan(
        path, source_file, district_code, district_name_th, provinces, folders, data
    )
    return sheets, result


def read_plan(
    path: Path,
    source_file: str,
    district_code: str,
    district_name_th: str,
    provinces: str,
    folders: tuple[str, ...] | None = None,
    data: bytes | None = None,
) -> tuple[list[Sheet] | None, FileResult, FilePlan]:
    """Read and normalise one file as the nightly run does (`data`: its bytes, when the
    caller has read them already), with the plan it is (level, default place).

    Bad input never raises: a file that cannot be read, or that crashes the reader, yields
    one located issue and no sheets. Only OSError (a flaky disk or share) propagates, so the
    caller can retry rather than publish without the file.
    """
    if folders is None:  # the folders between the district folder and the file (per tambon)
        folders = tuple(Path(source_file).parts[1:-1])
    rules = load_rules()
    try:
        if data is None:
            sheets = read_file(path)
        else:
            sheets = read_bytes(data, path.suffix.lower() or path.name)
        plan = plan_of_file(source_file, district_code, sheets)
        ctx = FileContext(
            source_file, district_code, district_name_th, path.stem, folders, plan.default_place
        )
        result = read_sheets(sheets, ctx, rules, load_matcher(provinces))
        # Cells showing #NAME?, #REF!, ... on any sheet, summary sheets too.
        result.issues += error_cell_issues(
            sheets, result.issues, rules, source_file, load_error_values()
        )
        return sheets, result, plan
    except OSError:
        raise
    except ReadError as err:
        code, detail, expected, sheet = err.code, err.detail, err.expected, err.sheet or None
    except Exception as err:  # a reader bug must cost one file, not the night's run
        code, detail = "unreadable_file", f"{type(err).__name__}: {err}"[:300]
        expected = sheet = None
    result = FileResult()
    result.issues.append(
        make_issue(
            rules, code, source_file=source_file, sheet=sheet, value=detail, expected=expected
        )
    )
    return None, result, plan_of_file(source_file, district_code, None)


def plan_of_file(source_file: str, district_code: str, sheets: list[Sheet] | None) -> FilePlan:
    """The file's plan level (data/plan_levels.csv), from its name, titles and sheet names;
    a file of the province folder (district code = province code) is a province plan. The
    titles of sheets skipped by their kind (a ผ.01/1 summary of what came from the village
    plans, a chart) do not name the file's plan."""
    rules = load_rules()
    sheets = [s for s in sheets or [] if not rules.sheet_kind(s.name)]
    titles = [text for sheet in sheets for text in title_texts(sheet.rows)]
    return file_plan(
        source_file,
        [sheet.name for sheet in sheets],
        titles,
        load_level_patterns(),
        district_code,
        in_province_folder=len(district_code) == 2,
    )


def parse_to_tables(job: FileJob, data: bytes | None = None) -> dict[str, pa.Table]:
    """The staged tables of one file (`data`: the bytes to parse, read by `read_stable`)."""
    tables, _ = parse_with_plan(job, data)
    return tables


def parse_with_plan(
    job: FileJob, data: bytes | None = None
) -> tuple[dict[str, pa.Table], FilePlan]:
    """The staged tables of one file and what plan it is."""
    if data is None:
        data = read_stable(job)
    _, result, plan = read_plan(
        Path(job.path),
        job.source_file,
        job.district_code,
        job.district_name_th,
        job.provinces,
        data=data,
    )
    tables = staged_tables(result)
    tables = with_file_columns(tables, job.submission_id, job.source_file, job.district_code)
    return tables, plan


# How a staged parse is stored; part of the stage key, so a folder staged in another format
# is never found (it is parsed again), never misread.
STAGE_FORMAT = "arrow-ipc-streams-2"
# One file per staged parse: an Arrow IPC stream per table kind, one after the other, in the
# order of schema.STAGED_TABLES (an empty table is a stream with its schema and no batch).
STAGED_TABLES_FILE = "tables.arrows"
PLAN_FILE = "plan.json"
DONE_FILE = "done"  # written last: the job and the SHA-256 of the two files above
# Beside a staged parse of a file that looked cut short or damaged: why (transforms.integrity).
INCOMPLETE_FILE = "incomplete"


def stage_key(job: FileJob) -> str:
    """Staged parses are reused while the file's bytes, path, the reading rules and the
    staging format are the same."""
    key = "\x1f".join(
        (
            job.file_sha256,
            job.source_file,
            job.district_code,
            job.provinces,
            rules_fingerprint(),
            STAGE_FORMAT,
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def staged_already(job: FileJob, staging_dir: str) -> dict | None:
    """The staged parse of this exact file under these rules, if one is there whole (the
    file's hash is known from discovery; the staged files are checked against the hashes
    recorded when they were written), else None: it is parsed again."""
    target = Path(staging_dir) / stage_key(job)
    plan = verified_plan(target)
    if plan is None:
        return None
    item = {"job": asdict(job), "staged": str(target), "reused": True, "plan": plan}
    incomplete = target / INCOMPLETE_FILE
    if incomplete.is_file() and not incomplete.is_symlink():
        item["incomplete"] = incomplete.read_text(encoding="utf-8")[:300] or "-"
    return item


def _done_hashes(target: Path) -> dict | None:
    """The SHA-256 of each staged file as recorded in `done`, or None."""
    raw = read_regular(target / DONE_FILE, 1 << 20)
    try:
        done = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    hashes = done.get("sha256") if isinstance(done, dict) else None
    return hashes if isinstance(hashes, dict) else None


def verified_plan(target: Path) -> dict | None:
    """The plan of a staged parse whose files are all there and match the hashes recorded
    in its `done` (a zero-length file left by a crash, or one edited on disk, does not), else
    None."""
    hashes = _done_hashes(target)
    if hashes is None:
        return None
    if read_verified(target / STAGED_TABLES_FILE, hashes.get(STAGED_TABLES_FILE)) is None:
        return None
    raw = read_verified(target / PLAN_FILE, hashes.get(PLAN_FILE), 1 << 20)
    try:
        plan = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    return plan if isinstance(plan, dict) else None


def read_staged_verified(target: Path) -> dict[str, pa.Table]:
    """The staged tables of a parse, read once and checked against the hash in its `done`;
    ValueError when they are not the bytes written."""
    hashes = _done_hashes(target)
    data = read_verified(target / STAGED_TABLES_FILE, (hashes or {}).get(STAGED_TABLES_FILE))
    if data is None:
        raise ValueError(f"{target}: staged parse missing or not as written")
    return staged_tables_of(data, target / STAGED_TABLES_FILE)


def stage_file(job: FileJob, staging_dir: str) -> dict:
    """Parse one file into its staged tables (one Arrow IPC file), unless an identical parse
    is already staged.

    A file that changes while it is read is not staged: the result says so ("changed"), and
    `keep_previous_versions` keeps its previously published version instead."""
    reused = staged_already(job, staging_dir)
    if reused is not None:
        return reused
    target = Path(staging_dir) / stage_key(job)
    try:
        data = read_stable(job)
    except FileChanged as err:
        changed = str(err)
        return {
            "job": asdict(job),
            "staged": None,
            "reused": False,
            "changed": changed,
            "staging_dir": staging_dir,
        }
    try:
        tables, file_plan_ = parse_with_plan(job, data)
        plan = asdict(file_plan_)
        incomplete = incomplete_reason(data, Path(job.path).suffix.lower())
    except OSError:
        raise
    except Exception as err:  # a bug met by this file: its district keeps its previous version
        return {
            "job": asdict(job),
            "staged": None,
            "reused": False,
            "failed": f"{type(err).__name__}: {err}"[:300],
            "staging_dir": staging_dir,
        }
    write_staged(target, tables, plan, asdict(job), incomplete)
    item = {"job": asdict(job), "staged": str(target), "reused": False, "plan": plan}
    if incomplete:
        item["incomplete"] = incomplete
    if not job.settled:
        item["recent"] = job.file_modified_at
    return item


def write_staged(
    target: Path,
    tables: dict[str, pa.Table],
    plan: dict,
    job: dict,
    incomplete: str | None = None,
) -> str:
    """Write one file's staged tables, its plan and the `done` marker (the job and the
    SHA-256 of both) into a temporary folder, each flushed to disk, then swap it in at
    `target` (a parse killed midway, or a crash before the data reached the disk, leaves no
    half-staged file that would be trusted)."""
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    hashes = {
        STAGED_TABLES_FILE: write_durable(tmp / STAGED_TABLES_FILE, staged_tables_bytes(tables)),
        PLAN_FILE: write_durable(tmp / PLAN_FILE, json.dumps(plan, ensure_ascii=False).encode()),
    }
    if incomplete:  # the file looked cut short: kept with its parse, so a reuse knows it
        write_durable(tmp / INCOMPLETE_FILE, incomplete.encode())
    done = {"job": job, "sha256": hashes}
    write_durable(tmp / DONE_FILE, json.dumps(done, ensure_ascii=False).encode())
    fsync_dir(tmp)
    fault_point("staging")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    fsync_dir(target.parent)
    return str(target)


def staged_tables_bytes(tables: dict[str, pa.Table]) -> bytes:
    """One file's staged tables as one buffer: an Arrow IPC stream per kind, in the order of
    schema.STAGED_TABLES, each with its staged schema (file columns included)."""
    sink = pa.BufferOutputStream()
    for kind, spec in schema.STAGED_TABLES.items():
        full = schema.staged_arrow_schema(spec)
        table = tables[kind]
        if table.schema != full:
            table = table.select(full.names).cast(full)
        with pa.ipc.new_stream(sink, full) as writer:
            writer.write_table(table)
    return sink.getvalue().to_pybytes()


def write_staged_tables(path: Path, tables: dict[str, pa.Table]) -> None:
    """`staged_tables_bytes` written to `path` (flushed to disk)."""
    write_durable(path, staged_tables_bytes(tables))


def read_staged_tables(path: Path) -> dict[str, pa.Table]:
    """The staged tables `write_staged_tables` wrote (read into memory: the staging folder
    may be replaced while they are in use)."""
    return staged_tables_of(path.read_bytes(), path)


def staged_tables_of(data: bytes, path: Path) -> dict[str, pa.Table]:
    """The staged tables in the bytes of a staged file (`path` names it in errors)."""
    tables = {}
    with pa.BufferReader(data) as source:
        try:
            for kind in schema.STAGED_TABLES:
                tables[kind] = pa.ipc.open_stream(source).read_all()
        except (pa.ArrowInvalid, OSError) as err:  # cut short: the bytes ran out mid-stream
            raise ValueError(f"{path}: not a whole staged parse ({err})") from None
        if source.tell() != source.size():
            raise ValueError(f"{path}: data after the last staged table")
    return tables


def keep_previous_versions(
    staged: list[dict], previous_submissions: pa.Table | None
) -> tuple[list[dict], list[dict]]:
    """Staged results with each file that is not yet a new plan replaced by its previously
    published version (when that parse is still staged and whole), and one issue per file:

    - changed while it was read (not staged): `file_changed_during_read`, warning;
    - its parse or its district's consolidation failed: `processing_failed`, error; without
      a previous version the file is left out;
    - modified within the quiet period (may still be uploading): `file_recently_modified`,
      info; with no previous version, the new one is used;
    - cut short or damaged (transforms.integrity): `file_incomplete`, warning; with no
      previous version, the new one is used, with the warning.

    The file is read again by the next run."""
    kept, issues = [], []
    current = {}
    if previous_submissions is not None and previous_submissions.num_rows:
        for row in previous_submissions.to_pylist():
            if row["status"] == "current":
                current[(row["district_code"], row["source_file"])] = row
    for item in staged:
        if "changed" in item:
            code, value = "file_changed_during_read", item["changed"]
        elif "failed" in item:
            code, value = "processing_failed", item["failed"]
        elif item.get("incomplete"):
            code, value = "file_incomplete", item["incomplete"]
        elif item.get("recent"):
            code, value = "file_recently_modified", item["recent"]
        else:
            kept.append(item)
            continue
        staging_dir = item.get("staging_dir") or str(Path(item["staged"]).parent)
        job = FileJob(**item["job"])
        issue = _inbox_issue(code, job.source_file, value)
        old = current.get((job.district_code, job.source_file))
        prior = _prior_version(job, old, staging_dir) if old is not None else None
        if prior is not None:
            kept.append(prior)
            issue["submission_id"] = FileJob(**prior["job"]).submission_id
        elif "changed" not in item and "failed" not in item:  # nothing earlier: the new one
            kept.append(item)
            if code == "file_recently_modified":
                continue
            issue["submission_id"] = job.submission_id
        issues.append(issue)
    return kept, issues


def _prior_version(job: FileJob, old: dict, staging_dir: str) -> dict | None:
    """The staged parse of the previously published version of `job`'s file (`old`: its
    current submission), when it is still staged; else None."""
    modified = old["file_modified_at"]
    prior = replace(
        job,
        file_sha256=old["file_sha256"],
        file_modified_at=modified.isoformat() if modified else job.file_modified_at,
        file_size=-1,
    )
    target = Path(staging_dir) / stage_key(prior)
    plan = verified_plan(target)
    if plan is None:
        return None
    return {"job": asdict(prior), "staged": str(target), "reused": True, "plan": plan}
