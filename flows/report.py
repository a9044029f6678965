"""The data quality report of a published One Plan: one section per district, in Markdown (for
the Prefect artifact and the repository) and as one self-contained HTML page (for the districts).

Per district: the current files and their rows by outcome (`submissions`), the issues by severity
and code (`data_issues` joined to `submissions`), the files in the district's folder that were
not read at all (inbox-level issues, `submission_id` NULL), and the tambons with no plan yet
(`coverage`). Reads the published database read-only; never writes to it.
"""

from __future__ import annotations

import html
from datetime import timedelta, timezone
from pathlib import Path

import pandas as pd
from oneplan.flows.db import connect
from oneplan.flows.reference import load_rules
from oneplan.transforms.areas import resolve_district_folder

SEVERITIES = ("error", "warning", "info")
BANGKOK = timezone(timedelta(hours=7))  # Thailand keeps UTC+7 all year
SEVERITY_TH = {"error": "ข้อผิดพลาด", "warning": "คำเตือน", "info": "ข้อสังเกต"}
OUTCOMES = ("read", "accepted", "rejected", "skipped")
OUTCOME_TH = {"read": "แถวที่อ่าน", "accepted": "รับ", "rejected": "ปฏิเสธ", "skipped": "ข้าม"}

_FILES = """
select district_code, source_file, n_rows_read, n_rows_accepted, n_rows_rejected,
    n_rows_skipped, submission_id
from submissions
where status = 'current'
order by district_code, source_file
"""

_FILE_SEVERITIES = """
select i.submission_id, i.severity, count(*) as n_issues
from data_issues as i
inner join submissions as s on s.submission_id = i.submission_id
where s.status = 'current'
group by i.submission_id, i.severity
"""

_CODES = """
select s.district_code, i.severity, i.code, count(*) as n_issues
from data_issues as i
inner join submissions as s on s.submission_id = i.submission_id
where s.status = 'current'
group by s.district_code, i.severity, i.code
"""

_INBOX = """
select source_file, severity, code, message, message_en
from data_issues
where submission_id is null
order by source_file, code
"""

_MISSING = """
select district_code, tambon_code, tambon_name_th
from coverage
where not is_covered
order by tambon_code
"""


def collect_quality(db_path: Path) -> dict:
    """Everything the report shows, read from the published database (read-only)."""
    con = connect(db_path, read_only=True)
    try:
        areas = pd.DataFrame(
            con.execute(
                "select district_code, district_name_th, district_name_en, tambon_code, "
                "area_level from areas order by tambon_code"
            ).fetchall(),
            columns=[
                "district_code",
                "district_name_th",
                "district_name_en",
                "tambon_code",
                "area_level",
            ],
        )
        files = con.execute(_FILES).fetchall()
        file_severities = con.execute(_FILE_SEVERITIES).fetchall()
        codes = con.execute(_CODES).fetchall()
        inbox = con.execute(_INBOX).fetchall()
        missing = con.execute(_MISSING).fetchall()
        loaded_at = con.execute(
            "select max(loaded_at) from submissions where status = 'current'"
        ).fetchone()[0]
    finally:
        con.close()
    rules = load_rules()
    per_file_sev: dict[str, dict[str, int]] = {}
    for submission_id, severity, n in file_severities:
        per_file_sev.setdefault(submission_id, dict.fromkeys(SEVERITIES, 0))[severity] = n
    districts: dict[str, dict] = {}
    # The province's own row (provincial plans) shows only when a file of it was read.
    with_files = {code for code, *_ in files}
    tambons = areas[areas["area_level"] == "tambon"]
    shown = areas[areas["district_code"].isin(set(tambons["district_code"]) | with_files)]
    for row in shown.drop_duplicates("district_code").itertuples(index=False):
        districts[row.district_code] = {
            "district_code": row.district_code,
            "district_name_th": row.district_name_th,
            "district_name_en": row.district_name_en,
            "n_tambons": int((tambons["district_code"] == row.district_code).sum()),
            "files": [],
            "rows": dict.fromkeys(OUTCOMES, 0),
            "severities": dict.fromkeys(SEVERITIES, 0),
            "codes": [],
            "unread_files": [],
            "missing_tambons": [],
        }
    for code, source_file, n_read, n_acc, n_rej, n_skip, submission_id in files:
        d = districts[code]
        rows = dict(zip(OUTCOMES, (n_read, n_acc, n_rej, n_skip), strict=True))
        sev = per_file_sev.get(submission_id, dict.fromkeys(SEVERITIES, 0))
        d["files"].append({"source_file": source_file, "rows": rows, "severities": sev})
        for key, n in rows.items():
            d["rows"][key] += n
    for code, severity, issue_code, n in codes:
        d = districts[code]
        d["severities"][severity] += n
        entry = rules.issue_codes.get(issue_code)
        d["codes"].append(
            {
                "severity": severity,
                "code": issue_code,
                "n": n,
                "fix_th": entry.fix_th if entry else "",
            }
        )
    for d in districts.values():
        d["codes"].sort(key=lambda c: (SEVERITIES.index(c["severity"]), -c["n"], c["code"]))
    inbox_rest = []
    for source_file, severity, code, message, message_en in inbox:
        item = {
            "source_file": source_file,
            "severity": severity,
            "code": code,
            "message": message,
            "message_en": message_en,
        }
        folder = source_file.split("/", 1)[0] if "/" in source_file else None
        district = resolve_district_folder(folder, areas) if folder else None
        if district in districts:
            districts[district]["unread_files"].append(item)
        else:
            inbox_rest.append(item)
    for code, tambon_code, tambon_name_th in missing:
        districts[code]["missing_tambons"].append(
            {"tambon_code": tambon_code, "tambon_name_th": tambon_name_th}
        )
    return {
        "db": str(db_path),
        "loaded_at": None
        if loaded_at is None
        else loaded_at.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M น. (เวลาประเทศไทย)"),
        "districts": list(districts.values()),
        "inbox_issues": inbox_rest,
    }


def _n(value: int) -> str:
    return f"{value:,}"


def _overview_rows(report: dict) -> tuple[list[str], list[list[str]]]:
    head = [
        "อำเภอ",
        "ไฟล์",
        *[OUTCOME_TH[o] for o in OUTCOMES],
        *[SEVERITY_TH[s] for s in SEVERITIES],
        "ตำบลที่ยังไม่มีแผน",
    ]
    body = []
    for d in report["districts"]:
        body.append(
            [
                f"{d['district_code']} {d['district_name_th']}",
                _n(len(d["files"])),
                *[_n(d["rows"][o]) for o in OUTCOMES],
                *[_n(d["severities"][s]) for s in SEVERITIES],
                f"{len(d['missing_tambons'])} / {d['n_tambons']}",
            ]
        )
    districts = report["districts"]
    body.append(
        [
            "รวม",
            _n(sum(len(d["files"]) for d in districts)),
            *[_n(sum(d["rows"][o] for d in districts)) for o in OUTCOMES],
            *[_n(sum(d["severities"][s] for d in districts)) for s in SEVERITIES],
            f"{sum(len(d['missing_tambons']) for d in districts)} / "
            f"{sum(d['n_tambons'] for d in districts)}",
        ]
    )
    return head, body


def _file_head() -> list[str]:
    return ["ไฟล์", *[OUTCOME_TH[o] for o in OUTCOMES], *[SEVERITY_TH[s] for s in SEVERITIES]]


def _file_row(f: dict) -> list[str]:
    return [
        f["source_file"],
        *[_n(f["rows"][o]) for o in OUTCOMES],
        *[_n(f["severities"][s]) for s in SEVERITIES],
    ]


def _md_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _md_table(head: list[str], body: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(h) for h in head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in body]
    return lines


def render_markdown(report: dict) -> str:
    """The report as Markdown (Thai, with the issue codes of data/issue_codes.csv)."""
    out = [
        "# รายงานคุณภาพข้อมูลแผนพัฒนาตำบล (Data quality report)",
        "",
        f"ฐานข้อมูล `{report['db']}`"
        + (f" · ประมวลผล {report['loaded_at']}" if report["loaded_at"] else ""),
        "",
        "## ภาพรวมรายอำเภอ",
        "",
        *_md_table(*_overview_rows(report)),
    ]
    for d in report["districts"]:
        out += [
            "",
            f"## {d['district_code']} อำเภอ{d['district_name_th']} ({d['district_name_en']})",
            "",
        ]
        rows = d["rows"]
        out.append(
            f"ไฟล์ {_n(len(d['files']))} · แถวที่อ่าน {_n(rows['read'])} "
            f"(รับ {_n(rows['accepted'])} · ปฏิเสธ {_n(rows['rejected'])} · "
            f"ข้าม {_n(rows['skipped'])}) · "
            + " · ".join(f"{SEVERITY_TH[s]} {_n(d['severities'][s])}" for s in SEVERITIES)
        )
        if d["files"]:
            out += [
                "",
                "### ไฟล์ที่อ่าน",
                "",
                *_md_table(_file_head(), [_file_row(f) for f in d["files"]]),
            ]
        else:
            out += ["", "ยังไม่ได้ส่งไฟล์"]
        if d["codes"]:
            out += [
                "",
                "### ปัญหาตามรหัส",
                "",
                *_md_table(
                    ["ระดับ", "รหัส", "จำนวน", "วิธีแก้"],
                    [
                        [SEVERITY_TH[c["severity"]], c["code"], _n(c["n"]), c["fix_th"]]
                        for c in d["codes"]
                    ],
                ),
            ]
        if d["unread_files"]:
            out += ["", "### ไฟล์ที่ไม่ได้อ่าน", ""]
            out += [f"- {_md_cell(i['message'])}" for i in d["unread_files"]]
        missing = d["missing_tambons"]
        out += ["", f"### ตำบลที่ยังไม่มีแผน ({len(missing)} จาก {d['n_tambons']})", ""]
        if missing:
            out += [f"- {t['tambon_code']} ต.{_md_cell(t['tambon_name_th'])}" for t in missing]
        else:
            out.append("ครบทุกตำบล")
    if report["inbox_issues"]:
        out += ["", "## ปัญหาในกล่องรับไฟล์ (นอกโฟลเดอร์อำเภอ)", ""]
        out += [f"- {_md_cell(i['message'])}" for i in report["inbox_issues"]]
    return "\n".join(out) + "\n"


_CSS = """
body { font-family: "Noto Sans Thai", "Sarabun", "Tahoma", "Leelawadee UI", "Thonburi",
  sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1f2328;
  line-height: 1.5; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2.5rem;
  border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f6f8fa; }
.error { background: #ffd7d7; } .warning { background: #ffe8b3; } .info { background: #dbeafe; }
.muted { color: #57606a; } ul.tambons { columns: 3; }
"""


def _h(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _html_table(head: list[str], body: list[list[str]], total: bool = False, classes=None) -> str:
    out = ["<table>", "<tr>" + "".join(f"<th>{_h(h)}</th>" for h in head) + "</tr>"]
    for i, row in enumerate(body):
        css = ' class="total"' if total and i == len(body) - 1 else ""
        cells = []
        for j, cell in enumerate(row):
            cls = classes[i][j] if classes and classes[i][j] else ""
            if not cls and j > 0 and str(cell).replace(",", "").replace(" / ", "").isdigit():
                cls = "n"
            attr = f' class="{cls}"' if cls else ""
            cells.append(f"<td{attr}>{_h(cell)}</td>")
        out.append(f"<tr{css}>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def render_html(report: dict) -> str:
    """The report as one self-contained HTML page (inline CSS, no scripts, no web fonts)."""
    loaded = f" · ประมวลผล {_h(report['loaded_at'])}" if report["loaded_at"] else ""
    out = [
        "<!DOCTYPE html>",
        '<html lang="th">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>รายงานคุณภาพข้อมูลแผนพัฒนาตำบล</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<h1>รายงานคุณภาพข้อมูลแผนพัฒนาตำบล <span class="muted">(Data quality report)</span></h1>',
        f'<p class="muted">ฐานข้อมูล {_h(report["db"])}{loaded}</p>',
        "<h2>ภาพรวมรายอำเภอ</h2>",
        _html_table(*_overview_rows(report), total=True),
    ]
    for d in report["districts"]:
        rows = d["rows"]
        out.append(
            f'<h2 id="d{_h(d["district_code"])}">{_h(d["district_code"])} '
            f"อำเภอ{_h(d['district_name_th'])} "
            f'<span class="muted">({_h(d["district_name_en"])})</span></h2>'
        )
        out.append(
            f"<p>ไฟล์ {_n(len(d['files']))} · แถวที่อ่าน {_n(rows['read'])} "
            f"(รับ {_n(rows['accepted'])} · ปฏิเสธ {_n(rows['rejected'])} · "
            f"ข้าม {_n(rows['skipped'])}) · "
            + " · ".join(
                f'<span class="{s}">{SEVERITY_TH[s]} {_n(d["severities"][s])}</span>'
                for s in SEVERITIES
            )
            + "</p>"
        )
        if d["files"]:
            out += [
                "<h3>ไฟล์ที่อ่าน</h3>",
                _html_table(_file_head(), [_file_row(f) for f in d["files"]]),
            ]
        else:
            out.append("<p>ยังไม่ได้ส่งไฟล์</p>")
        if d["codes"]:
            body = [
                [SEVERITY_TH[c["severity"]], c["code"], _n(c["n"]), c["fix_th"]] for c in d["codes"]
            ]
            classes = [[c["severity"], "", "n", ""] for c in d["codes"]]
            out += [
                "<h3>ปัญหาตามรหัส</h3>",
                _html_table(["ระดับ", "รหัส", "จำนวน", "วิธีแก้"], body, classes=classes),
            ]
        if d["unread_files"]:
            out += _html_issue_list("<h3>ไฟล์ที่ไม่ได้อ่าน</h3>", d["unread_files"])
        missing = d["missing_tambons"]
        out.append(f"<h3>ตำบลที่ยังไม่มีแผน ({len(missing)} จาก {d['n_tambons']})</h3>")
        if missing:
            out.append('<ul class="tambons">')
            out += [f"<li>{_h(t['tambon_code'])} ต.{_h(t['tambon_name_th'])}</li>" for t in missing]
            out.append("</ul>")
        else:
            out.append("<p>ครบทุกตำบล</p>")
    if report["inbox_issues"]:
        heading = "<h2>ปัญหาในกล่องรับไฟล์ (นอกโฟลเดอร์อำเภอ)</h2>"
        out += _html_issue_list(heading, report["inbox_issues"])
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_issue_list(heading: str, issues: list[dict]) -> list[str]:
    """A heading and a bullet list of issue messages, each marked by its severity."""
    items = [f'<li class="{_h(i["severity"])}">{_h(i["message"])}</li>' for i in issues]
    return [f"{heading}<ul>", *items, "</ul>"]


def quality_report_markdown(db_path: Path) -> str:
    """The report as Markdown, for a Prefect markdown artifact."""
    return render_markdown(collect_quality(Path(db_path)))


def write_quality_report(
    db_path: Path, out_dir: Path, published_as: Path | None = None
) -> dict[str, Path]:
    """Write quality_report.md and quality_report.html into `out_dir`; returns their paths.

    `published_as` is the database path the report names, when it is written from the
    temporary file that is about to be published there."""
    report = collect_quality(Path(db_path))
    if published_as is not None:
        report["db"] = str(published_as)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind, text in (("md", render_markdown(report)), ("html", render_html(report))):
        path = out_dir / f"quality_report.{kind}"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written[kind] = path
    return written
