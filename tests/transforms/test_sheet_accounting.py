"""Property: every non-blank source row of every sheet read gets exactly one outcome (project,
part of a project, layout row with its kind, rejected, skipped sheet), whatever the sheet holds;
the reader never needs its safety net (`unread`), and each row log entry carries its sheet's
count of non-blank rows."""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oneplan.transforms.sheet import FileContext, Sheet, read_sheets

CTX = FileContext("1806/เทศบาลตำบลหันคา.xlsx", "1806", "หันคา", "เทศบาลตำบลหันคา")

# Cells of the kinds plan sheets hold: names, numbers, amounts, layout texts, markers, years,
# units, signatures, headers repeated, blanks.
TEXTS = [
    "", "", "", " ", "1", "2", "๓", "ถนน คสล. หมู่ที่ 1", "ขุดลอกคลอง", "รวม", "รวมงบประมาณ",
    "รวมกลุ่มอาชีพ", "100,000", "-", "๑๒๐,๐๐๐", "abc", "2568", "ปี 2569", "(บาท)",
    "เพิ่มเติมครั้งที่ 5 / 2567", "แก้ไข 2/68", "1. ยุทธศาสตร์การพัฒนาด้านสังคม",
    "ง. ยุทธศาสตร์จังหวัดที่ 4", "(1) แผนงานสาธารณสุข", "1.1 กลยุทธ์ ส่งเสริม",
    "ด้านโครงสร้างพื้นฐาน", "ลงชื่อ.......ผู้จัดทำ", "(นายสมชาย ใจดี)", "หมายเหตุ ...", "ที่",
    "โครงการ", "งบประมาณ", "เทศบัญญัติ", "ส่วนที่ 2 โครงการที่ขอรับการสนับสนุน", "ต.หันคา",
    "บางกระทุ่ม", "กองช่าง", "ทำเอง", "ขอรับการสนับสนุน",
]  # fmt: skip
HEADERS = [
    [["ที่", "โครงการ", "2568", "2569"]],
    [["ที่", "โครงการ", "งบประมาณ", "", "เทศบัญญัติ"], ["", "", "2568", "2569", "2568"]],
    [["ลำดับ", "ชื่อโครงการ", "ตำบล", "ปีงบประมาณ", "งบประมาณ"]],
    [["ที่", "โครงการ", "งบประมาณ (บาท)"]],
    [["ไม่ใช่หัวตาราง"]],
]
cell = st.one_of(st.sampled_from(TEXTS), st.integers(-5, 3_000_000), st.none())
row = st.lists(cell, min_size=0, max_size=6)
sheet_name = st.sampled_from(["ต.หันคา", "แผ่น1", "ผ.01", "กราฟ", "ปี 2568", "ยุทธ1.1แผนงาน"])


@st.composite
def sheets(draw):
    out = []
    for k in range(draw(st.integers(1, 3))):
        title = draw(st.lists(row, max_size=3))
        header = draw(st.sampled_from(HEADERS))
        body = draw(st.lists(row, max_size=12))
        merged = ()
        if len(header) == 2 and draw(st.booleans()):
            r0 = len(title)
            merged = (((r0, 2), (r0, 3)),)
        out.append(
            Sheet(f"{draw(sheet_name)}{k}", [*title, *header, *body], merged, draw(st.booleans()))
        )
    return out


def _nonblank(sheet: Sheet) -> set[int]:
    return {
        i + 1
        for i, r in enumerate(sheet.rows)
        if any(v is not None and str(v).strip() != "" for v in r)
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_every_nonblank_row_has_exactly_one_outcome(rules, matcher, drawn):
    result = read_sheets(drawn, CTX, rules, matcher)
    seen = Counter((e["source_sheet"], e["source_row"]) for e in result.row_log)
    assert all(n == 1 for n in seen.values()), [k for k, n in seen.items() if n > 1]
    expected = {(s.name, r) for s in drawn for r in _nonblank(s)}
    assert set(seen) == expected
    assert not [e for e in result.row_log if e["kind"] == "unread"]
    for s in drawn:
        counts = {e["n_sheet_rows"] for e in result.row_log if e["source_sheet"] == s.name}
        assert counts <= {len(_nonblank(s))}
    # Each accepted project row is a project or points at the project it is part of.
    starts = {(p["source_sheet"], p["source_row"]) for p in result.projects}
    rejected = {(r["source_sheet"], r["source_row"]) for r in result.rejected}
    for e in result.row_log:
        key = (e["source_sheet"], e["source_row"])
        if e["outcome"] == "rejected":
            assert key in rejected
        if e["kind"] == "project":
            assert key in starts or e.get("project_row") is not None or _in_long_group(result, e)


def _in_long_group(result, entry) -> bool:
    return any(
        p["source_sheet"] == entry["source_sheet"] and entry["source_row"] in p["lines"]
        for p in result.projects
    )


def test_the_safety_net_logs_a_row_the_reader_left_without_outcome(rules, matcher, monkeypatch):
    """A reader that forgets a row (planted): the row is logged `unread` with an error, so the
    published counts still add up and the district is told."""
    from oneplan.transforms import sheet as sheet_module

    real = sheet_module._SheetReader.read_row

    def forgetful(self, row, rownum, filled):
        if rownum == 3:
            return  # the planted fault: no outcome for row 3
        real(self, row, rownum, filled)

    monkeypatch.setattr(sheet_module._SheetReader, "read_row", forgetful)
    rows = [["ที่", "โครงการ", "2568"], ["1", "ถนน", "100"], ["2", "ประปา", "200"]]
    result = read_sheets([Sheet("ต.หันคา", rows)], CTX, rules, matcher)
    assert [(e["source_row"], e["outcome"], e["kind"]) for e in result.row_log] == [
        (1, "skipped", "header"), (2, "accepted", "project"), (3, "skipped", "unread")
    ]  # fmt: skip
    assert [(i["source_row"], i["code"]) for i in result.issues if i["severity"] == "error"] == [
        (3, "row_not_read")
    ]
    assert {e["n_sheet_rows"] for e in result.row_log} == {3}
