"""A hostile inbox, generated here: every bad file becomes a located issue, never a crash, in
the nightly reader (discover_inbox + parse_to_tables, no Prefect run) and in `oneplan check`."""

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from oneplan.flows.cli import main
from oneplan.flows.stage import discover_inbox, parse_to_tables, stage_file
from oneplan.transforms.issues import render_issue

DISTRICT = "1804"
HEADER = ["ที่", "โครงการ", "2568", "2569"]
GOOD_PROJECTS = ["ก่อสร้างถนน คสล. หมู่ที่ 3", "ขุดลอกคลองส่งน้ำ", "ปรับปรุงศาลาประชาคม"]
ODD_NAME = "แผน ต.ตลุก \"ฉบับแก้\" 'ล่าสุด' 🚀 #1 (2).xlsx"
UNDECODABLE = b"\x81\x8d\x8f\x90\xdb\xdc\xdd\xde\xfc\xfd\xfe\xff"
UNREADABLE_VERDICT = "  ไม่ผ่าน: อ่านไฟล์ไม่ได้ ระบบจะข้ามไฟล์นี้ทั้งไฟล์"
ONE_MB = "ถนน " * (1 << 18)  # 1,048,576 characters


def write_xlsx(path: Path, rows: list[list], sheet: str = "ต.ตลุก") -> None:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()


def good(path: Path) -> None:
    rows = [HEADER] + [[i + 1, name, 10000 * (i + 1), ""] for i, name in enumerate(GOOD_PROJECTS)]
    write_xlsx(path, rows)


def empty(path: Path) -> None:
    path.write_bytes(b"")


def headers_only(path: Path) -> None:
    write_xlsx(path, [HEADER])


def truncated_zip(path: Path) -> None:
    good(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def zip_not_workbook(path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "นี่ไม่ใช่แผน")
    path.write_bytes(buffer.getvalue())


def text_named_xlsx(path: Path) -> None:
    path.write_text("ที่,โครงการ,2568\n1,ถนน,1000\n", encoding="utf-8")


def huge_blank(path: Path) -> None:
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("ต.ตลุก")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, [1, "ก่อสร้างถนน คสล. หมู่ที่ 3", 150000, 0])
    ws.write_string(200_001, 0, " ")  # a blank-looking cell far down: 200k blank rows
    wb.close()


def big_cell(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ต.ตลุก"
    ws.append(HEADER)
    ws.append([1, ONE_MB, 1000, None])
    wb.save(path)


def big_cell_csv(path: Path) -> None:
    path.write_text(f"ที่,โครงการ,ตำบล,2568\n1,{ONE_MB},ตลุก,1000\n", encoding="utf-8")


def formula_errors(path: Path) -> None:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("ต.ตลุก")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, [1, "ขุดลอกคลอง"])
    ws.write_formula(1, 2, "=#REF!*2", None, "#REF!")
    ws.write_formula(1, 3, "=1/0", None, "#DIV/0!")
    wb.close()


def odd_name(path: Path) -> None:
    write_xlsx(path, [HEADER, [1, "ถนนลูกรัง", "หนึ่งแสน", 5000]], sheet="Sheet1")


def undecodable_csv(path: Path) -> None:
    path.write_bytes("ที่,โครงการ\n".encode("cp874") + UNDECODABLE + b"\n")


def password_protected(path: Path) -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    path.write_bytes(ole2 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)


def unsupported_type(path: Path) -> None:
    zip_not_workbook(path)


# name in the inbox -> (builder, issues the nightly reader reports, exit code of oneplan check,
# a line the check report must contain)
CASES = {
    "ว่าง.xlsx": (
        empty,
        [("empty_file", "warning", None, None)],
        2,
        "    [คำเตือน] ไฟล์ว่าง ไม่มีข้อมูล",
    ),
    "headers only.xlsx": (
        headers_only,
        [("no_projects", "warning", None, None)],
        0,
        "    [คำเตือน] ไม่พบแถวโครงการในไฟล์นี้ (มีแต่หัวเรื่อง หัวตาราง หรือแถวสรุป)",
    ),
    "truncated.xlsx": (
        truncated_zip,
        [("unreadable_file", "error", None, None)],
        2,
        "    [ข้อผิดพลาด] เปิดไฟล์ไม่ได้: zip: File is not a zip file",
    ),
    "not a workbook.xlsx": (
        zip_not_workbook,
        [("not_a_spreadsheet", "error", None, None)],
        2,
        "    [ข้อผิดพลาด] ไฟล์นี้ไม่ใช่ตารางคำนวณ แม้จะตั้งชื่อเป็น .xlsx",
    ),
    "text.xlsx": (
        text_named_xlsx,
        [("not_a_spreadsheet", "error", None, None)],
        2,
        "    [ข้อผิดพลาด] ไฟล์นี้ไม่ใช่ตารางคำนวณ แม้จะตั้งชื่อเป็น .xlsx",
    ),
    "blank rows.xlsx": (huge_blank, [], 0, "  แถวที่อ่าน 2 แถว: รับ 1 · ปฏิเสธ 0 · ข้าม 1"),
    "big cell.xlsx": (
        big_cell,
        [("cell_truncated", "warning", "ต.ตลุก", "ต.ตลุก!B2")],
        0,
        "    [คำเตือน] เซลล์ ต.ตลุก!B2 · แถว 2 · คอลัมน์ โครงการ",
    ),
    ODD_NAME: (
        odd_name,
        [("unreadable_budget", "error", "Sheet1", "Sheet1!C2")],
        1,
        f"ไฟล์ {ODD_NAME}",
    ),
    "tis620.csv": (
        undecodable_csv,
        [("unsupported_encoding", "error", None, None)],
        2,
        "    [ข้อผิดพลาด] อ่านข้อความในไฟล์ CSV ไม่ได้ (ไม่ใช่ UTF-8 หรือ TIS-620)",
    ),
    "locked.xlsx": (
        password_protected,
        [("password_protected", "error", None, None)],
        2,
        "    [ข้อผิดพลาด] ไฟล์มีรหัสผ่าน อ่านไม่ได้",
    ),
}

CASES["formula errors.xlsx"] = (
    formula_errors,
    [
        ("unreadable_budget", "error", "ต.ตลุก", "ต.ตลุก!C2"),
        ("unreadable_budget", "error", "ต.ตลุก", "ต.ตลุก!D2"),
    ],
    1,
    "    [ข้อผิดพลาด] เซลล์ ต.ตลุก!C2 · แถว 2 · คอลัมน์ 2568",
)
CASES["big cell.csv"] = (
    big_cell_csv,
    [("cell_truncated", "warning", "", "B2")],
    0,
    "    [คำเตือน] เซลล์ B2 · แถว 2 · คอลัมน์ โครงการ",
)
PARAMS = list(CASES)


def build(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "inbox" / DISTRICT
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    CASES[name][0](path)
    return path


def test_the_undecodable_bytes_really_are_neither_utf8_nor_cp874():
    for encoding in ("utf-8", "utf-8-sig", "cp874", "tis-620"):
        with pytest.raises(UnicodeDecodeError):
            UNDECODABLE.decode(encoding)


@pytest.mark.parametrize("name", PARAMS)
def test_nightly_reader_reports_each_hostile_file(tmp_path, name, rules):
    build(tmp_path, name)
    jobs, inbox_issues = discover_inbox(tmp_path / "inbox")
    assert inbox_issues == []
    [job] = jobs
    assert job.source_file == f"{DISTRICT}/{name}"
    tables = parse_to_tables(job)
    issues = tables["issues"].to_pylist()
    found = [(i["code"], i["severity"], i["source_sheet"], i["cell"]) for i in issues]
    assert found == CASES[name][1]
    for issue in issues:
        located = {"source_file": job.source_file, **issue}
        assert render_issue(rules, located, "th").startswith(f"ไฟล์ {DISTRICT}/{name}")
        assert render_issue(rules, located, "en").startswith(f"{DISTRICT}/{name}")


@pytest.mark.parametrize("name", PARAMS)
def test_check_gives_the_documented_exit_code(tmp_path, capsys, name):
    path = build(tmp_path, name)
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert (code, err) == (CASES[name][2], "")
    assert CASES[name][3] in out.splitlines()
    verdict = out.splitlines()[-1]
    if code == 2:
        assert verdict == UNREADABLE_VERDICT
    else:
        assert verdict.startswith("  ไม่ผ่าน:" if code == 1 else "  ผ่าน:")


# Files the reader crashes on (big cell.csv) and the slow one are left to their own tests.
MIXED = [n for n in CASES if n not in {"big cell.csv", "blank rows.xlsx"}]


def test_check_over_the_whole_hostile_corpus_at_once(tmp_path, capsys):
    paths = [build(tmp_path, name) for name in MIXED]
    code = main(["check", *map(str, paths)])
    out, err = capsys.readouterr()
    assert (code, err) == (2, "")
    lines = out.splitlines()
    assert lines[0] == f"ตรวจไฟล์แผนพัฒนาตำบล อำเภอสรรพยา (1804): {len(MIXED)} ไฟล์"
    assert sum(line.startswith("ไฟล์ ") for line in lines) == len(MIXED)
    assert lines.count(UNREADABLE_VERDICT) == 6
    assert lines[-1] == "ไม่ผ่าน: อ่านไม่ได้ 6 ไฟล์"


def test_check_never_shows_a_traceback_when_the_reader_crashes(tmp_path, capsys, monkeypatch):
    import oneplan.flows.stage

    def crash(*args):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(oneplan.flows.stage, "read_sheets", crash)
    path = build(tmp_path, "headers only.xlsx")
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert (code, err) == (2, "")
    assert out == (
        "ตรวจไฟล์แผนพัฒนาตำบล อำเภอสรรพยา (1804): 1 ไฟล์\n"
        "ไม่ผ่าน: อ่านไม่ได้ 1 ไฟล์\n"
        "สรุป: ข้อผิดพลาด 1 · คำเตือน 0 · ข้อสังเกต 0\n"
        "  ข้อผิดพลาด 1 รายการ\n"
        "    อ่านไฟล์ไม่ได้ (unreadable_file) × 1: RecursionError: maximum recursion depth exceeded\n"
        "\n"
        "รายละเอียดทีละไฟล์และแผ่นงาน\n"
        "\n"
        "ไฟล์ headers only.xlsx\n"
        "  ทั้งไฟล์\n"
        "    [ข้อผิดพลาด] เปิดไฟล์ไม่ได้: RecursionError: maximum recursion depth exceeded\n"
        "      วิธีแก้: เปิดไฟล์ด้วย Excel แล้วบันทึกใหม่เป็น .xlsx\n"
        "  ปัญหาที่พบ: ข้อผิดพลาด 1 · คำเตือน 0 · ข้อสังเกต 0\n"
        f"{UNREADABLE_VERDICT}\n"
    )


def test_huge_blank_sheet_is_read_to_its_one_project(tmp_path):
    """200k blank rows: read within the child's time budget (flows/contain.py) to exactly its
    one project; how fast is the benchmark's business, not a timed test's."""
    build(tmp_path, "blank rows.xlsx")
    [job], _ = discover_inbox(tmp_path / "inbox")
    tables = parse_to_tables(job)
    assert tables["projects"].column("project_name").to_pylist() == ["ก่อสร้างถนน คสล. หมู่ที่ 3"]
    assert tables["row_log"].column("outcome").to_pylist() == ["skipped", "accepted"]


def test_big_cell_is_cut_to_the_limit(tmp_path):
    build(tmp_path, "big cell.xlsx")
    [job], _ = discover_inbox(tmp_path / "inbox")
    [name] = parse_to_tables(job)["projects"].column("project_name").to_pylist()
    assert len(name) == 2000
    assert name.startswith("ถนน ถนน")


def test_odd_file_name_still_names_the_tambon(tmp_path, rules):
    build(tmp_path, ODD_NAME)
    [job], _ = discover_inbox(tmp_path / "inbox")
    tables = parse_to_tables(job)
    [rejected] = tables["rejected"].to_pylist()
    assert (rejected["source_row"], rejected["reasons"]) == (2, ["unreadable_budget"])
    [issue] = tables["issues"].to_pylist()
    assert render_issue(rules, {"source_file": job.source_file, **issue}) == (
        f"ไฟล์ {DISTRICT}/{ODD_NAME} แผ่นงาน Sheet1 แถว 2 คอลัมน์ 2568 (Sheet1!C2): "
        'อ่านงบประมาณ "หนึ่งแสน" ไม่ได้'
    )


def test_symlink_out_of_the_inbox_is_reported_not_read(tmp_path, capsys):
    outside = tmp_path / "elsewhere" / "real.xlsx"
    outside.parent.mkdir()
    good(outside)
    link = tmp_path / "inbox" / DISTRICT / "ลิงก์ แผน.xlsx"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    jobs, issues = discover_inbox(tmp_path / "inbox")
    assert jobs == []
    assert [(i["code"], i["source_file"], i["raw_value"]) for i in issues] == [
        ("symlink_outside_inbox", f"{DISTRICT}/ลิงก์ แผน.xlsx", str(outside.resolve()))
    ]
    # The officer's own check reads the file behind the link, and warns about it.
    code = main(["check", str(link)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    notes = [line for line in out.splitlines() if "หมายเหตุ: ไฟล์นี้เป็นลิงก์" in line]
    assert [
        line.startswith(f"  หมายเหตุ: ไฟล์นี้เป็นลิงก์ไปยัง {outside.resolve()}") for line in notes
    ] == [True]


def test_unsupported_file_type(tmp_path, capsys):
    path = tmp_path / "inbox" / DISTRICT / "แผน.docx"
    path.parent.mkdir(parents=True)
    unsupported_type(path)
    jobs, issues = discover_inbox(tmp_path / "inbox")
    assert jobs == []
    assert [(i["code"], i["source_file"], i["severity"]) for i in issues] == [
        ("unsupported_file_type", f"{DISTRICT}/แผน.docx", "warning")
    ]
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert (code, err) == (2, "")
    assert '    [คำเตือน] ไม่รองรับไฟล์ชนิด ".docx" จึงไม่ได้อ่าน' in out.splitlines()


def stage_inbox(tmp_path: Path) -> tuple[list[dict], list[dict]]:
    """Parse every file as the nightly `parse_file` task does (its body, without Prefect)."""
    jobs, inbox_issues = discover_inbox(tmp_path / "inbox")
    staging = str(tmp_path / "staging")
    return [stage_file(job, staging) for job in jobs], inbox_issues


def test_the_rest_of_the_district_still_loads(tmp_path, build_tables):
    for name in MIXED:
        build(tmp_path, name)
    good(tmp_path / "inbox" / DISTRICT / "good.xlsx")
    link = tmp_path / "inbox" / DISTRICT / "link.xlsx"
    link.symlink_to(tmp_path / "inbox" / DISTRICT / ".." / ".." / "elsewhere.xlsx")
    staged, inbox_issues = stage_inbox(tmp_path)
    tables = build_tables(staged, inbox_issues, datetime.now(UTC))
    projects = tables["projects"].to_pandas()
    from_good = projects[projects["source_file"] == f"{DISTRICT}/good.xlsx"]
    assert sorted(from_good["project_name"]) == sorted(GOOD_PROJECTS)
    assert set(from_good["tambon_code"]) == {"180402"}
    submissions = tables["submissions"].to_pandas().set_index("source_file")
    assert len(submissions) == len(MIXED) + 1
    assert submissions.loc[f"{DISTRICT}/good.xlsx", "n_rows_accepted"] == 3
    issues = tables["data_issues"].to_pandas()
    by_file = issues.groupby("source_file")["code"].agg(lambda c: sorted(set(c)))
    assert by_file[f"{DISTRICT}/locked.xlsx"] == ["password_protected"]
    assert by_file[f"{DISTRICT}/truncated.xlsx"] == ["unreadable_file"]
    assert by_file[f"{DISTRICT}/tis620.csv"] == ["unsupported_encoding"]
    assert by_file[f"{DISTRICT}/link.xlsx"] == ["symlink_outside_inbox"]
    assert f"{DISTRICT}/good.xlsx" not in by_file


def test_a_district_with_only_unreadable_files_does_not_stop_the_others(tmp_path, build_tables):
    (tmp_path / "inbox" / DISTRICT).mkdir(parents=True)
    (tmp_path / "inbox" / "1806").mkdir()
    good(tmp_path / "inbox" / DISTRICT / "good.xlsx")
    password_protected(tmp_path / "inbox" / "1806" / "locked.xlsx")
    staged, inbox_issues = stage_inbox(tmp_path)
    tables = build_tables(staged, inbox_issues, datetime.now(UTC))
    assert tables["projects"].num_rows == 3
    issues = tables["data_issues"].to_pandas()
    assert list(issues["code"]) == ["password_protected"]


# -- issue 22 item 3: only the inbox, only regular files, only once ---------------------------
OUTSIDE_PROJECTS = ["โครงการนอกกล่องรับไฟล์ ลับ"]


def outside_workbook(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(path, [HEADER] + [[1, name, 999999, ""] for name in OUTSIDE_PROJECTS])


def test_a_district_folder_linked_out_of_the_inbox_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere" / "home"
    outside_workbook(elsewhere / "secret.xlsx")
    inbox = tmp_path / "inbox"
    (inbox / "1805").mkdir(parents=True)
    good(inbox / "1805" / "good.xlsx")
    (inbox / DISTRICT).symlink_to(elsewhere)
    jobs, issues = discover_inbox(inbox)
    assert [j.source_file for j in jobs] == ["1805/good.xlsx"]
    assert [(i["code"], i["source_file"], i["raw_value"]) for i in issues] == [
        ("symlink_outside_inbox", DISTRICT, str(elsewhere.resolve()))
    ]


def test_a_folder_linked_out_of_the_inbox_is_refused_at_any_depth(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    outside_workbook(elsewhere / "secret.xlsx")
    tambon = tmp_path / "inbox" / DISTRICT / "ต.ตลุก"
    tambon.mkdir(parents=True)
    good(tambon / "good.xlsx")
    (tambon / "ชุด 2").mkdir()
    (tambon / "ชุด 2" / "ลิงก์").symlink_to(elsewhere)
    (tambon / "alias").symlink_to(tambon / "ชุด 2")  # a folder of the inbox under another name
    jobs, issues = discover_inbox(tmp_path / "inbox")
    assert [j.source_file for j in jobs] == [f"{DISTRICT}/ต.ตลุก/good.xlsx"]
    assert [(i["code"], i["source_file"]) for i in issues] == [
        ("symlink_outside_inbox", f"{DISTRICT}/ต.ตลุก/ชุด 2/ลิงก์")
    ]


def test_a_file_swapped_for_a_link_after_its_parse_is_not_copied_from_outside(
    tmp_path, monkeypatch
):
    """The annotated copy used to re-open the file by path: a link swapped in after the parse
    made the district pack carry the outside workbook."""
    import duckdb
    from oneplan.flows import steps
    from oneplan.flows.oneplan_flow import run_plan

    inbox = tmp_path / "inbox"
    plan = inbox / DISTRICT / "แผน.xlsx"
    plan.parent.mkdir(parents=True)
    good(plan)
    outside = tmp_path / "elsewhere" / "secret.xlsx"
    outside_workbook(outside)
    real_export = steps.export

    def swap_then_export(run, built, sources):
        plan.unlink()
        plan.symlink_to(outside)
        return real_export(run, built, sources)

    monkeypatch.setattr(steps, "export", swap_then_export)
    run_plan(inbox, tmp_path / "out" / "p.duckdb", tmp_path / "out" / "export")
    export = tmp_path / "out" / "export"
    assert list((export / "districts" / DISTRICT).rglob("annotated/*")) == []
    for copy in export.rglob("*.xlsx"):
        wb = openpyxl.load_workbook(copy, read_only=True)
        texts = {
            str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
        }
        assert not texts & set(OUTSIDE_PROJECTS), copy
    con = duckdb.connect(str(tmp_path / "out" / "p.duckdb"), read_only=True)
    try:
        names = con.execute("select project_name from projects order by 1").fetchall()
    finally:
        con.close()
    assert sorted(n for (n,) in names) == sorted(GOOD_PROJECTS)
