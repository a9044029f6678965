"""A person's word on a link: the decisions file (`link_decisions.csv`) read, checked and
matched to this night's projects; the `link_decisions` table with its history.

One row of the file is one decision about two projects, each named by its project_id or by
its file and row (source_file + source_row, then with its name, so that a row that now holds
another project is noticed):

    decision,project_id,linked_project_id,source_file,source_row,project_name,
    linked_source_file,linked_source_row,linked_project_name,decided_by,decided_at,note

`decision` is accept (the two are one project: counted once) or reject (never link them).
A decision whose projects are gone or have changed is reported (link_decision_stale) and not
applied; a row that cannot be read is reported (link_decision_invalid); the last row about a
pair wins (a person changing their mind appends a row).

Pure functions: bytes and frames in, frames and issue records out.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable

import pandas as pd
from oneplan.transforms import schema
from oneplan.transforms.text import clean_text

MAX_DECISION_BYTES = 2 * 1024 * 1024  # a committee's decisions: thousands of rows, not more
MAX_DECISION_ROWS = 10_000
MAX_FIELD_CHARS = 1000
DECISION_WORDS = ("accept", "reject")
FIELDS = (
    "decision",
    "project_id",
    "linked_project_id",
    "source_file",
    "source_row",
    "project_name",
    "linked_source_file",
    "linked_source_row",
    "linked_project_name",
    "decided_by",
    "decided_at",
    "note",
)
SIDES = (
    ("project_id", "source_file", "source_row", "project_name"),
    ("linked_project_id", "linked_source_file", "linked_source_row", "linked_project_name"),
)


def parse_decisions(data: bytes, source: str) -> tuple[list[dict], list[tuple]]:
    """The rows of a decisions file (each a dict of its FIELDS as text, with `line`, the
    line a person sees) and the problems found reading it, as (code, line, value, expected).
    Limits come before anything is kept: size, rows, field length; unknown columns are
    reported, a file without a `decision` column is read as no decision."""
    problems: list[tuple] = []
    if len(data) > MAX_DECISION_BYTES:
        return [], [("link_decisions_unreadable", None, f"{len(data)} bytes", MAX_DECISION_BYTES)]
    text = None
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        return [], [("link_decisions_unreadable", None, source, "UTF-8 / cp874 CSV")]
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
    except csv.Error as err:
        return [], [("link_decisions_unreadable", None, str(err)[:200], "CSV")]
    if header is None:
        return [], []
    names = [(clean_text(h) or "").lower() for h in header]
    unknown = [h for h in names if h and h not in FIELDS]
    if unknown:
        problems.append(("link_decision_invalid", 1, ", ".join(unknown)[:200], ", ".join(FIELDS)))
    if "decision" not in names:
        problems.append(("link_decisions_unreadable", 1, ", ".join(names)[:200], "decision"))
        return [], problems
    rows = []
    try:
        for line, cells in enumerate(reader, start=2):
            if len(rows) >= MAX_DECISION_ROWS:
                problems.append(
                    ("link_decisions_unreadable", line, f"> {MAX_DECISION_ROWS}", MAX_DECISION_ROWS)
                )
                break
            if not any((c or "").strip() for c in cells):
                continue
            row = {"line": line}
            for name, cell in zip(names, cells, strict=False):
                if name in FIELDS:
                    row[name] = (clean_text(cell[:MAX_FIELD_CHARS]) or None) if cell else None
            rows.append(row)
    except csv.Error as err:
        problems.append(("link_decisions_unreadable", None, str(err)[:200], "CSV"))
    return rows, problems


def _row_number(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    if not text.isdigit() or len(text) > 9 or int(text) < 1:
        return -1
    return int(text)


def _decided_at(text: str | None):
    if text is None:
        return None
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return "bad"
    if pd.isna(stamp):
        return "bad"
    return stamp.tz_localize("Asia/Bangkok") if stamp.tzinfo is None else stamp


def decision_id(row: dict) -> str:
    """The same decision (the same words in the same fields) has the same id every night."""
    key = "\x1f".join(str(row.get(f) or "") for f in FIELDS)
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def resolve_decisions(
    rows: list[dict], projects: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple]]:
    """Each decision matched to this night's projects.

    Returns the decisions to apply (project_id, linked_project_id, decision, decided_by:
    the last valid row about each pair), every row with its outcome (applied, superseded,
    stale, invalid) and reason, and the problems as (code, line, value, expected)."""
    by_id = set(projects["project_id"])
    at_row = {
        (f, int(r)): pid
        for pid, f, r in zip(
            projects["project_id"], projects["source_file"], projects["source_row"], strict=True
        )
        if r is not None and not pd.isna(r)
    }
    names = dict(zip(projects["project_id"], projects["project_name"], strict=True))
    records, problems, seen = [], [], set()
    for row in rows:
        ident = decision_id(row)
        if ident in seen:  # the same row twice: one decision
            continue
        seen.add(ident)
        record = {f: row.get(f) for f in FIELDS} | {"decision_id": ident, "line": row["line"]}
        record |= {"resolved_project_id": None, "resolved_linked_project_id": None}
        outcome, reason = _check(row)
        if outcome is None:
            ids = []
            for side in SIDES:
                pid, why = _resolve_side(row, side, by_id, at_row, names)
                ids.append(pid)
                reason = reason or why
            if reason is None and ids[0] == ids[1]:
                reason = "the two sides are one project"
            outcome = "stale" if reason else "applied"
            record["resolved_project_id"], record["resolved_linked_project_id"] = ids
        record["outcome"], record["reason"] = outcome, reason
        code = {"invalid": "link_decision_invalid", "stale": "link_decision_stale"}.get(outcome)
        if code:
            problems.append((code, row["line"], _describe(row), reason))
        records.append(record)
    latest: dict[frozenset, int] = {}
    for k, record in enumerate(records):
        if record["outcome"] == "applied":
            pair = frozenset((record["resolved_project_id"], record["resolved_linked_project_id"]))
            if pair in latest:
                records[latest[pair]]["outcome"] = "superseded"
            latest[pair] = k
    applied = [records[k] for k in sorted(latest.values())]
    apply = pd.DataFrame(
        {
            "project_id": [r["resolved_project_id"] for r in applied],
            "linked_project_id": [r["resolved_linked_project_id"] for r in applied],
            "decision": [r["decision"] for r in applied],
            "decided_by": [r["decided_by"] for r in applied],
        },
        dtype=object,
    )
    return apply, pd.DataFrame(records), problems


def _check(row: dict) -> tuple[str | None, str | None]:
    """("invalid", why) for a row that cannot be a decision; (None, None) otherwise."""
    decision = (row.get("decision") or "").strip().lower()
    if decision not in DECISION_WORDS:
        return "invalid", "decision must be accept or reject"
    row["decision"] = decision
    for pid, file, line, name in SIDES:
        if row.get(pid) is None and (row.get(file) is None or row.get(line) is None):
            return "invalid", f"{pid}, or {file} and {line}, needed"
        if row.get(pid) is None and row.get(name) is None:
            return "invalid", f"{name} needed with {file} and {line}"
        if _row_number(row.get(line)) == -1:
            return "invalid", f"{line} must be a row number"
    if _decided_at(row.get("decided_at")) == "bad":
        return "invalid", "decided_at must be a date (2026-12-07 or 2026-12-07T10:30)"
    return None, None


def _resolve_side(row, side, by_id, at_row, names) -> tuple[str | None, str | None]:
    """(project_id, None) for a side that names a project of tonight, else (None, why)."""
    pid_field, file_field, line_field, name_field = side
    pid = row.get(pid_field)
    if row.get(file_field) is not None and row.get(line_field) is not None:
        found = at_row.get((row[file_field], _row_number(row[line_field])))
        if found is None:
            return None, f"no project at {row[file_field]} row {row[line_field]} now"
        if pid is not None and pid != found:
            return None, f"{pid_field} {pid} is not the project at that row now"
        pid = found
    if pid not in by_id:
        return None, f"project {pid} is not in tonight's plans (removed or renamed)"
    written = row.get(name_field)
    if written is not None and clean_text(written) != clean_text(names[pid]):
        return None, f"the project is now named {names[pid]!r}"
    return pid, None


def _describe(row: dict) -> str:
    sides = []
    for pid, file, line, name in SIDES:
        sides.append(row.get(name) or row.get(pid) or f"{row.get(file)}:{row.get(line)}")
    return f"{row.get('decision')}: {sides[0]} ↔ {sides[1]}"[:300]


def decision_issues(
    problems: list[tuple], source: str, make_issue: Callable[..., dict]
) -> list[dict]:
    """The data_issues records of the decisions file's problems (no submission: the file is
    the committee's, beside the inbox)."""
    out = []
    for code, line, value, expected in problems:
        issue = make_issue(code, source_file=source, row=line, value=value, expected=expected)
        out.append({"submission_id": None, "source_file": source, **issue})
    return out


def decisions_table(
    records: pd.DataFrame, previous: pd.DataFrame | None, now: pd.Timestamp
) -> pd.DataFrame:
    """`link_decisions`: this night's rows (is_current) and every earlier one no longer in
    the file (history), each with when it was first read."""
    columns = schema.LINK_DECISIONS.column_names
    current = pd.DataFrame(columns=columns)
    if records is not None and len(records):
        stamps = [_decided_at(t) for t in records["decided_at"]]
        current = pd.DataFrame(
            {
                "decision_id": records["decision_id"],
                "line": records["line"].astype("int64"),
                "decision": records["decision"],
                "project_id": records["resolved_project_id"],
                "linked_project_id": records["resolved_linked_project_id"],
                "written_project": [_written(r, SIDES[0]) for r in records.to_dict("records")],
                "written_linked_project": [
                    _written(r, SIDES[1]) for r in records.to_dict("records")
                ],
                "decided_by": records["decided_by"],
                "decided_at": pd.Series(
                    [None if s in (None, "bad") else s.tz_convert("UTC") for s in stamps],
                    dtype="datetime64[us, UTC]",
                ),
                "note": records["note"],
                "outcome": records["outcome"],
                "reason": records["reason"],
                "first_seen_at": now,
                "is_current": True,
            },
            columns=columns,
        )
    if previous is None or previous.empty:
        return current.reset_index(drop=True)
    first = dict(zip(previous["decision_id"], previous["first_seen_at"], strict=True))
    if len(current):
        current["first_seen_at"] = [first.get(d, now) for d in current["decision_id"]]
    gone = previous[~previous["decision_id"].isin(set(current["decision_id"]))]
    gone = gone.assign(is_current=False)
    return pd.concat([current, gone[columns]], ignore_index=True)


def _written(record: dict, side: tuple) -> str | None:
    """How the file names one side: its id, or file, row and name."""
    pid, file, line, name = side
    parts = [record.get(pid), record.get(file), record.get(line), record.get(name)]
    text = " | ".join(str(p) for p in parts if p is not None)
    return text or None
