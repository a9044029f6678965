"""`oneplan status`: when the plan was last published, from which files, what changed, and
how the last run ended (a failed run publishes nothing, so it is read from `<db>.runs.jsonl`).
Thai by default (`--lang en`), times in Asia/Bangkok, in the Buddhist era in Thai as the
reports show them; a failed run's reason in Thai (data/failure_reasons.csv) with the recorded
English detail after it."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from oneplan.flows.db import connect, report_query
from oneplan.flows.defaults import DATA
from oneplan.flows.runs import read_runs
from oneplan.transforms.thaidate import thai_datetime

BANGKOK = ZoneInfo("Asia/Bangkok")

TEXT = {
    "th": {
        "published": "เผยแพร่ล่าสุด {when} ที่ {db}",
        "projects": "  {n_projects} โครงการ จาก {n_subs} ไฟล์ปัจจุบัน "
        "(อ่านใหม่ {parsed} ไฟล์, ไม่เปลี่ยนแปลงและใช้ซ้ำ {reused} ไฟล์)",
        "money": "  งบประมาณ (บาท นับครั้งเดียวทุกระดับแผน): {years}",
        "previous": "  เผยแพร่ครั้งก่อน: {when}",
        "none": "{db}: ยังไม่มีบันทึกการเผยแพร่",
        "submissions": "ไฟล์ที่ส่ง (ปัจจุบัน):",
        "district": "  {code} {name}: {n_files} ไฟล์, {n_proj} โครงการ, {when}",
        "latest_file": "ไฟล์ล่าสุด {when}",
        "no_file": "ไม่มีไฟล์",
        "money_fell": "  คำเตือน {message}",
        "history": "  ประวัติ: ",
        "first": "เผยแพร่ครั้งแรก: ไม่มีครั้งก่อนให้เปรียบเทียบ",
        "changes": "การเปลี่ยนแปลงจากการเผยแพร่ครั้งก่อน: {n}",
        "more": "    ... อีก {n} รายการ: select * from project_changes",
        "no_amount": "ไม่มี",
        "last_run": "การรันล่าสุด: {status} เมื่อ {when}",
        "failed_reason": "  สาเหตุ: {reason} ({detail})",
        "failed_kept": "  ข้อมูลที่เผยแพร่ไว้ก่อนหน้ายังคงเดิม",
        "no_run": "การรันล่าสุด: ไม่มีบันทึก",
        "status": {
            "published": "เผยแพร่สำเร็จ",
            "unchanged": "ไม่มีการเปลี่ยนแปลง",
            "failed": "ล้มเหลว",
        },
        "change": {
            "added": "เพิ่มใหม่",
            "removed": "ถูกนำออก",
            "budget_changed": "งบประมาณเปลี่ยน",
            "moved_tambon": "ย้ายตำบล",
            "details_changed": "รายละเอียดเปลี่ยน",
        },
        "submission_status": {"superseded": "ถูกแทนที่", "withdrawn": "ถูกถอน"},
    },
    "en": {
        "published": "Published {when} to {db}",
        "projects": "  {n_projects} projects from {n_subs} current file(s) "
        "({parsed} parsed, {reused} unchanged and reused)",
        "money": "  budget (baht, counted once over all plan levels): {years}",
        "previous": "  previous publication: {when}",
        "none": "{db}: no publication recorded",
        "submissions": "Submissions (current):",
        "district": "  {code} {name}: {n_files} file(s), {n_proj} projects, {when}",
        "latest_file": "latest file {when}",
        "no_file": "no file",
        "money_fell": "  WARNING {message}",
        "history": "  history: ",
        "first": "First publication: nothing to compare with.",
        "changes": "Changes since the previous publication: {n}",
        "more": "    ... {n} more: select * from project_changes",
        "no_amount": "none",
        "last_run": "Last run: {status} at {when}",
        "failed_reason": "  reason: {reason} ({detail})",
        "failed_kept": "  the previous publication is kept as it was",
        "no_run": "Last run: none recorded",
        "status": {"published": "published", "unchanged": "unchanged", "failed": "FAILED"},
        "change": {
            "added": "added",
            "removed": "removed",
            "budget_changed": "budget changed",
            "moved_tambon": "moved tambon",
            "details_changed": "details changed",
        },
        "submission_status": {},
    },
}


def bangkok(moment: datetime | str | None, seconds: bool = True) -> str:
    """A time as Asia/Bangkok local time (naive values are UTC)."""
    if moment is None:
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    fmt = "%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M"
    return moment.astimezone(BANGKOK).strftime(fmt)


def when(moment: datetime | str | None, lang: str, seconds: bool = True) -> str:
    """A time as the reports show it: Thai month and Buddhist era in Thai (`7 ธันวาคม 2569
    16:05:00 น.`), ISO-like with the zone in English; Bangkok time either way."""
    if moment is None:
        return "-"
    return thai_datetime(moment, seconds=seconds) if lang == "th" else bangkok(moment, seconds)


@lru_cache(maxsize=1)
def _failure_reasons() -> tuple[tuple[re.Pattern, str, str], ...]:
    with open(DATA / "failure_reasons.csv", encoding="utf-8", newline="") as handle:
        return tuple(
            (re.compile(row["pattern"]), row["reason_th"], row["reason_en"])
            for row in csv.DictReader(handle)
        )


def failure_reason(recorded: str, lang: str = "th") -> tuple[str, str]:
    """(why, detail) of a failed run: the first row of data/failure_reasons.csv whose
    pattern is found in the recorded English reason says why, in Thai or English; the
    detail is the recorded reason itself (the exception's type when it has no message)."""
    detail = " ".join((recorded or "").split()).rstrip(":").strip() or "-"
    for pattern, th, en in _failure_reasons():
        if pattern.search(detail):
            return (th if lang == "th" else en), detail
    return "-", detail


def last_run_lines(db_path: Path, lang: str = "th") -> list[str]:
    """How the last recorded run ended; a failure with its reason."""
    text = TEXT[lang]
    runs = read_runs(db_path, limit=1)
    if not runs:
        return [text["no_run"]]
    run = runs[-1]
    status = run.get("status", "")
    lines = [
        text["last_run"].format(
            status=text["status"].get(status, status),
            when=when(run.get("ended_at") or run.get("started_at"), lang),
        )
    ]
    if status == "failed":
        why, detail = failure_reason(run.get("reason") or "", lang)
        lines.append(text["failed_reason"].format(reason=why, detail=detail))
        lines.append(text["failed_kept"])
    return lines


def status_report(db_path: Path, max_changes: int = 20, lang: str = "th") -> str:
    """Plain-text status of a published database and of the last run."""
    text = TEXT[lang]
    run_lines = last_run_lines(db_path, lang)
    if not db_path.exists():
        return "\n".join([text["none"].format(db=db_path), *run_lines])
    con = connect(db_path, read_only=True)
    try:
        lines = _publication_lines(con, db_path, max_changes, text, lang)
    finally:
        con.close()
    return "\n".join([*run_lines, "", *lines])


def _publication_lines(
    con, db_path: Path, max_changes: int, text: dict, lang: str = "th"
) -> list[str]:
    pubs = con.execute(
        "select published_at, n_submissions, n_files_parsed, n_files_reused, n_projects, "
        "n_changes from publications order by published_at desc limit 2"
    ).fetchall()
    if not pubs:
        return [text["none"].format(db=db_path)]
    published_at, n_subs, parsed, reused, n_projects, n_changes = pubs[0]
    lines = [
        text["published"].format(when=when(published_at, lang), db=db_path),
        text["projects"].format(n_projects=n_projects, n_subs=n_subs, parsed=parsed, reused=reused),
    ]
    lines += _money_lines(con, text)
    if len(pubs) > 1:
        lines.append(text["previous"].format(when=when(pubs[1][0], lang)))
    lines.append("")
    lines.append(text["submissions"])
    for code, name, n_files, latest, n_proj in con.execute(
        """
        select a.district_code, a.district_name_th, count(distinct s.submission_id),
            max(s.file_modified_at),
            (select count(*) from projects p where p.district_code = a.district_code)
        from (select distinct district_code, district_name_th from areas) as a
        left join submissions as s
            on s.district_code = a.district_code and s.status = 'current'
        group by all order by a.district_code
        """
    ).fetchall():
        latest_text = (
            text["latest_file"].format(when=when(latest, lang, seconds=False))
            if latest
            else text["no_file"]
        )
        lines.append(
            text["district"].format(
                code=code, name=name, n_files=n_files, n_proj=n_proj, when=latest_text
            )
        )
    th = text is TEXT["th"]
    for code, message_th, message_en in con.execute(report_query("status_money_falls")).fetchall():
        message = message_th if th else message_en
        # our own template and figures (sql/reports/district_money_falls.sql), one line
        lines.append(text["money_fell"].format(message=" ".join((message or code).split())))
    history = con.execute(
        "select status, count(*) from submissions where status <> 'current' group by 1 order by 1"
    ).fetchall()
    if history:
        names = text["submission_status"]
        lines.append(
            text["history"] + ", ".join(f"{n} {names.get(status, status)}" for status, n in history)
        )
    lines.append("")
    if len(pubs) == 1:
        lines.append(text["first"])
        return lines
    labels = text["change"]
    lines.append(text["changes"].format(n=n_changes))
    for change, n in con.execute(
        "select change, count(*) from project_changes where changed_at = ? group by 1 order by 1",
        [published_at],
    ).fetchall():
        lines.append(f"  {labels.get(change, change)}: {n}")
    for row in con.execute(
        """
        select change, source_file, project_name, fiscal_year, old_amount_thb,
            new_amount_thb, old_tambon_code, c.tambon_code
        from project_changes as c
        left join submissions as s using (submission_id)
        where changed_at = ? order by change, source_file, project_name collate th
        limit ?
        """,
        [published_at, max_changes],
    ).fetchall():
        change, source, name, year, old, new, old_tambon, tambon = row
        detail = ""
        if change == "budget_changed":
            detail = f" {year}: {_money(old, text)} -> {_money(new, text)}"
        elif change == "moved_tambon":
            detail = f" {old_tambon} -> {tambon}"
        lines.append(f"    {labels.get(change, change)}: {name} ({source}){detail}")
    if n_changes > max_changes:
        lines.append(text["more"].format(n=n_changes - max_changes))
    return lines


def _money_lines(con, text: dict) -> list[str]:
    """The plan's money per fiscal year, counted once, as the plan_summary mart has it (the
    number the workbook, the report and the run summary show); none for a database published
    before the mart existed."""
    try:
        rows = con.execute(
            "select fiscal_year, counted_thb from plan_summary where is_plan_total "
            "order by fiscal_year"
        ).fetchall()
    except duckdb.CatalogException:
        return []
    if not rows:
        return []
    years = " · ".join(f"{year} {amount:,.2f}" for year, amount in rows)
    return [text["money"].format(years=years)]


def _money(amount, text: dict | None = None) -> str:
    return (text or TEXT["en"])["no_amount"] if amount is None else f"{amount:,.2f}"
