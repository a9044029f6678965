"""Reader tests: one small inline sheet per shape, exact expectations."""

from decimal import Decimal

import pytest
from oneplan.transforms.issues import render_issue
from oneplan.transforms.sheet import FileContext, Sheet, find_header, read_sheets

CTX = FileContext("1804/plan.xlsx", "1804", "สรรพยา", "plan")


def read(rows, name="ต.ตลุก", merged=(), ctx=CTX, *, rules, matcher):
    return read_sheets([Sheet(name, rows, tuple(merged))], ctx, rules, matcher)


def log(result):
    return [(e["source_row"], e["outcome"], e["kind"]) for e in result.row_log]


def codes(result):
    return sorted((i["source_row"], i["code"]) for i in result.issues)


WIDE = [
    ["แผนพัฒนาตำบล ตำบลตลุก อำเภอสรรพยา", "", "", "", "", ""],
    ["", "", "", "", "", ""],
    ["ที่", "โครงการ", "งบประมาณ (บาท)", "", "", "หน่วยงานรับผิดชอบ"],
    ["", "", 2568.0, 2569.0, 2570.0, ""],
    ["", "ด้านโครงสร้างพื้นฐาน", "", "", "", ""],
    [1.0, "ก่อสร้างถนน คสล. หมู่ที่ 3", 150000.0, "-", "", "อบต.ตลุก"],
    ["", "สายบ้านนาย ก", "", "", "", ""],
    [2.0, "ขุดลอกคลอง", "1,000,000.00", "๑๒๐,๐๐๐", "ไม่ทราบ", "อบต.ตลุก"],
    [3.0, "", 5000.0, "", "", ""],
    ["", "รวม", 1150000.0, "", "", ""],
    [4.0, "", "", "", "", ""],
]
WIDE_MERGED = [((2, 0), (3, 0)), ((2, 1), (3, 1)), ((2, 2), (2, 4)), ((2, 5), (3, 5))]


def test_two_row_merged_header_is_joined(rules):
    header = find_header(Sheet("ต.ตลุก", WIDE, tuple(WIDE_MERGED)), rules)
    assert (header.first_row, header.last_row) == (2, 3)
    assert header.budget_years == [(2, 2568), (3, 2569), (4, 2570)]
    assert header.col("project_name") == 1
    assert header.col("responsible_agency") == 5
    assert header.labels[2] == "งบประมาณ (บาท) 2568"


def test_wide_sheet_rows_are_each_accounted_for_once(rules, matcher):
    result = read(WIDE, merged=WIDE_MERGED, rules=rules, matcher=matcher)
    assert log(result) == [
        (1, "skipped", "title"),
        (3, "skipped", "header"),
        (4, "skipped", "header"),
        (5, "skipped", "section"),
        (6, "accepted", "project"),
        (7, "skipped", "continuation"),
        (8, "rejected", "rejected"),
        (9, "rejected", "rejected"),
        (10, "skipped", "subtotal"),
        (11, "skipped", "blank_stub"),
    ]
    [project] = result.projects
    assert project["project_name"] == "ก่อสร้างถนน คสล. หมู่ที่ 3 สายบ้านนาย ก"
    assert project["tambon_code"] == "180402"
    assert project["category"] == "ด้านโครงสร้างพื้นฐาน"
    assert project["village_numbers"] == [3]
    assert project["responsible_agency"] == "อบต.ตลุก"
    # "-" is zero; the empty 2570 cell is no budget at all.
    assert project["budgets"] == {2568: Decimal("150000.00"), 2569: Decimal("0.00")}
    assert [(r["source_row"], r["reasons"]) for r in result.rejected] == [
        (8, ["unreadable_budget"]),
        (9, ["missing_project_name"]),
    ]
    assert codes(result) == [(8, "unreadable_budget"), (9, "missing_project_name")]
    bad = next(i for i in result.issues if i["code"] == "unreadable_budget")
    assert bad["cell"] == "ต.ตลุก!E8"
    assert render_issue(rules, bad).startswith(
        "ไฟล์ 1804/plan.xlsx แผ่นงาน ต.ตลุก แถว 8 คอลัมน์ งบประมาณ (บาท) 2570"
    )


LONG = [
    ["ที่", "ตำบล", "โครงการ", "ปีงบประมาณ", "งบประมาณ (บาท)", "วิธีดำเนินการ"],
    ["1", "ต.ตลุก", "ส่งเสริมอาชีพ", "2568", " 1,632,820 ", "ทำเอง"],
    ["1", "ต.ตลุก", "ส่งเสริมอาชีพ", "๒๕๖๙", "150000.00", "ทำเอง"],
    ["2", "วัดโคก", "ผิดอำเภอ", "2568", "100", "ทำร่วม"],
    ["3", "เขาแก้ว", "ปีผิด", "ปี 25x8", "100", "ขอรับการสนับสนุน"],
    ["4", "เขาแก้ว", "ติดลบ", "2568", "-5,000", "ขอรับการสนับสนุน"],
    ["5", "เขาแก้ว", "ไม่รู้จักวิธี", "2025", "10", "ลองดู"],
]


def test_long_layout_groups_lines_into_projects(rules, matcher):
    result = read(LONG, name="", rules=rules, matcher=matcher)
    assert log(result) == [
        (1, "skipped", "header"),
        (2, "accepted", "project"),
        (3, "accepted", "project"),
        (4, "rejected", "rejected"),
        (5, "rejected", "rejected"),
        (6, "rejected", "rejected"),
        (7, "accepted", "project"),
    ]
    first, last = result.projects
    assert (first["source_row"], first["funding_route"]) == (2, "own")
    assert first["budgets"] == {2568: Decimal("1632820.00"), 2569: Decimal("150000.00")}
    assert (last["budgets"], last["funding_route"]) == ({2568: Decimal("10.00")}, None)
    assert [r["reasons"] for r in result.rejected] == [
        ["tambon_wrong_district"],
        ["unreadable_fiscal_year"],
        ["negative_budget"],
    ]
    assert (7, "fiscal_year_ce") in codes(result)
    assert (7, "unknown_funding_route") in codes(result)


def test_tambon_comes_from_title_when_sheet_and_file_do_not_name_one(rules, matcher):
    ctx = FileContext("1806/แผน.xlsx", "1806", "หันคา", "แผนพัฒนาตำบล_อำเภอหันคา")
    rows = [
        ["แผนพัฒนาตำบล ตำบลบ้านเชี่ยน อำเภอหันคา จังหวัดชัยนาท"],
        ["ลำดับ", "โครงการ/กิจกรรม", "ปี 2568", "วิธีดำเนินการ"],
        ["1", "อบรม\nป้องกัน  ยาเสพติด", "20,000", "ขอรับการสนับสนุนจาก อบจ."],
    ]
    result = read(rows, name="Sheet1", ctx=ctx, rules=rules, matcher=matcher)
    [project] = result.projects
    assert project["tambon_code"] == "180602"
    assert project["project_name"] == "อบรม ป้องกัน ยาเสพติด"
    assert project["funding_route"] == "requested"


def test_tambon_column_beats_sheet_name_and_wrong_district_is_rejected(rules, matcher):
    rows = [
        ["ที่", "ตำบล", "โครงการ", "2568"],
        ["1", "เขาแก้ว", "ก", "1"],
        ["2", "", "ข", "1"],
        ["3", "ในเมือง", "ค", "1"],
    ]
    result = read(rows, name="ต.ตลุก", rules=rules, matcher=matcher)
    assert [(p["project_name"], p["tambon_code"]) for p in result.projects] == [
        ("ก", "180403"),
        ("ข", "180402"),
    ]
    assert result.rejected[0]["reasons"] == ["tambon_wrong_district"]


def issue_rows(result):
    return sorted(
        (
            (i["source_sheet"], i["source_row"], i["code"], i["raw_value"], i["expected_value"])
            for i in result.issues
        ),
        key=lambda i: (i[0] or "", i[1] or 0, i[2]),
    )


MUNICIPAL = [
    ["แผนพัฒนาท้องถิ่น (พ.ศ. 2566-2570)"],
    ["เทศบาลเมืองชัยนาท"],
    ["ที่", "โครงการ", "งบประมาณ 2568", "งบประมาณ 2569"],
    ["1", "ก่อสร้างถนน คสล. ซอยเทศบาล 3", "500,000", ""],
    ["2", "ปรับปรุงตลาดสด", "", "1,200,000"],
    ["3", "ขุดลอกท่อระบายน้ำ", "80,000", "80,000"],
]


def test_a_plan_naming_no_tambon_is_placed_district_wide_with_one_warning(rules, matcher):
    ctx = FileContext("1801/เทศบาลเมือง.xlsx", "1801", "เมืองชัยนาท", "เทศบาลเมือง")
    result = read_sheets(
        [Sheet("ยุทธ1", MUNICIPAL), Sheet("ยุทธ2", MUNICIPAL[:4])], ctx, rules, matcher
    )
    assert [(p["source_sheet"], p["tambon_code"]) for p in result.projects] == [
        ("ยุทธ1", "1801"),
        ("ยุทธ1", "1801"),
        ("ยุทธ1", "1801"),
        ("ยุทธ2", "1801"),
    ]
    assert result.rejected == []
    assert issue_rows(result) == [("ยุทธ1", None, "placed_district_wide", "4", "เมืองชัยนาท")]
    message = render_issue(rules, result.issues[0], with_location=False)
    assert message.endswith("จึงจัด 4 โครงการไว้ที่ทั้งอำเภอเมืองชัยนาท")
    assert "โฟลเดอร์ของตำบล" in rules.issue("placed_district_wide").fix_th
    assert "ตำบล column" in rules.issue("placed_district_wide").fix_en


def test_a_plan_naming_its_tambon_in_the_title_is_not_district_wide(rules, matcher):
    ctx = FileContext("1804/อบต.xlsx", "1804", "สรรพยา", "อบต")
    rows = [["องค์การบริหารส่วนตำบลตลุก"], *MUNICIPAL[2:4]]
    rows[0] = ["แผนพัฒนาท้องถิ่น อบต.ตลุก"]
    result = read_sheets([Sheet("Sheet1", rows)], ctx, rules, matcher)
    assert [p["tambon_code"] for p in result.projects] == ["180402"]
    assert [i["code"] for i in result.issues] == []


def test_a_blank_tambon_cell_under_a_tambon_column_is_still_a_rejection(rules, matcher):
    ctx = FileContext("1804/x.xlsx", "1804", "สรรพยา", "x")
    rows = [["ที่", "ตำบล", "โครงการ", "2568"], ["1", "", "ก", "1"], ["2", "ตลุก", "ข", "1"]]
    result = read(rows, name="Sheet1", ctx=ctx, rules=rules, matcher=matcher)
    assert result.rejected[0]["reasons"] == ["blank_tambon"]
    assert [p["tambon_code"] for p in result.projects] == ["180402"]


def test_rows_naming_another_province_are_out_of_scope_with_one_info(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "ตำบล", "อำเภอ", "จังหวัด", "2569"],
        ["1", "ซ่อมสร้างถนนลาดยาง", "ตลุก", "สรรพยา", "ชัยนาท", "1,000"],
        ["2", "ซ่อมสร้างถนนลาดยาง", "หนองโพ", "ตาคลี", "นครสวรรค์", "2,000"],
        ["3", "ก่อสร้างสะพาน", "หัวหวาย", "ตาคลี", "จ.นครสวรรค์", "3,000"],
        ["4", "ขุดลอกคลอง", "โพนางดำออก", "สรรพยา", "", "4,000"],
        ["5", "ขุดลอกคลอง", "บางระกำ", "บางระกำ", "", "5,000"],  # a Phitsanulok district
        ["6", "ปรับปรุงถนน", "ห้วยกรดxx", "สรรพยา", "ชัยนาท", "6,000"],
    ]
    result = read(rows, name="Sheet1", rules=rules, matcher=matcher)
    assert log(result) == [
        (1, "skipped", "header"),
        (2, "accepted", "project"),
        (3, "skipped", "out_of_scope"),
        (4, "skipped", "out_of_scope"),
        (5, "accepted", "project"),
        (6, "skipped", "out_of_scope"),
        (7, "rejected", "rejected"),  # ours, misspelt: still reported as such
    ]
    assert [p["tambon_code"] for p in result.projects] == ["180402", "180405"]
    infos = [i for i in issue_rows(result) if i[2] == "out_of_scope_rows"]
    assert infos == [("Sheet1", None, "out_of_scope_rows", "3", "นครสวรรค์, จ.นครสวรรค์, บางระกำ")]
    assert {i["code"] for i in result.issues} == {"out_of_scope_rows", "unknown_tambon"}


def test_a_place_cell_naming_another_province_is_out_of_scope(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "พื้นที่ดำเนินการ", "2569"],
        ["1", "ซ่อมสร้างถนน", "ต.หนองโพ อ.ตาคลี จ.นครสวรรค์", "2,000"],
        ["2", "ซ่อมสร้างถนน", "ต.ตลุก อ.สรรพยา จ.ชัยนาท", "1,000"],
        ["3", "ซ่อมสร้างถนน", "ต.ท่าซุง อ.เมืองอุทัยธานี", "3,000"],
    ]
    result = read(rows, name="Sheet1", rules=rules, matcher=matcher)
    assert [e[1:] for e in log(result)] == [
        ("skipped", "header"),
        ("skipped", "out_of_scope"),
        ("accepted", "project"),
        ("skipped", "out_of_scope"),
    ]
    assert [(i[2], i[3], i[4]) for i in issue_rows(result)] == [
        ("out_of_scope_rows", "2", "นครสวรรค์, เมืองอุทัยธานี")
    ]


def test_other_provinces_are_in_scope_when_the_run_says_so(rules):
    from oneplan.flows.reference import load_matcher

    matcher = load_matcher("18,60")
    rows = [
        ["ที่", "โครงการ", "ตำบล", "อำเภอ", "จังหวัด", "2569"],
        ["1", "ซ่อมสร้างถนนลาดยาง", "หนองโพ", "ตาคลี", "นครสวรรค์", "2,000"],
    ]
    result = read(rows, name="Sheet1", rules=rules, matcher=matcher)
    assert log(result)[1] == (2, "rejected", "rejected")  # a Nakhon Sawan tambon, not 1804's
    assert result.rejected[0]["reasons"] == ["tambon_wrong_district"]


def test_a_blank_tambon_cell_is_reported_on_that_cell(rules, matcher):
    """A tambon column whose cell is blank: not "no tambon column" (there is one), and the
    issue points at the blank cell, so the annotated copy marks it."""
    ctx = FileContext("1804/x.xlsx", "1804", "สรรพยา", "x")
    rows = [
        ["แผนพัฒนาตำบล", None, None, None],
        ["ที่", "โครงการ", "ตำบล", "2568"],
        ["1", "ถนน", "ตลุก", "1"],
        ["2", "ฝาย", "", "2"],
    ]
    result = read(rows, name="Sheet1", ctx=ctx, rules=rules, matcher=matcher)
    assert [r["reasons"] for r in result.rejected] == [["blank_tambon"]]
    [issue] = [i for i in result.issues if i["code"] == "blank_tambon"]
    assert (issue["source_row"], issue["cell"], issue["column_name"]) == (4, "Sheet1!C4", "ตำบล")
    assert issue["raw_value"] == "ฝาย"


def test_summary_sheet_rows_are_skipped_not_counted(rules, matcher):
    rows = [["สรุป"], ["ที่", "โครงการ", "2568"], ["", "รวม", "100"]]
    result = read(rows, name="ผ.01", rules=rules, matcher=matcher)
    assert log(result) == [
        (1, "skipped", "summary_sheet"),
        (2, "skipped", "summary_sheet"),
        (3, "skipped", "summary_sheet"),
    ]
    assert result.projects == []
    assert codes(result) == [(None, "no_projects"), (None, "summary_sheet")]


def test_sheet_without_header_is_reported_and_skipped(rules, matcher):
    result = read([["บันทึก"], ["อะไรก็ได้", "1"]], name="ต.ตลุก", rules=rules, matcher=matcher)
    assert log(result) == [(1, "skipped", "no_header"), (2, "skipped", "no_header")]
    assert codes(result) == [(None, "no_header"), (None, "no_projects")]


def test_a_list_without_an_amount_column_keeps_its_projects_with_one_warning(rules, matcher):
    rows = [["ที่", "โครงการ", "หน่วยงาน"], ["1", "ก", "อบต."], ["2", "ข", "อบต."], ["3", "ค", ""]]
    result = read(rows, rules=rules, matcher=matcher)
    assert [(p["project_name"], p["budgets"]) for p in result.projects] == [
        ("ก", {}),
        ("ข", {}),
        ("ค", {}),
    ]
    assert result.rejected == []
    assert issue_rows(result) == [("ต.ตลุก", None, "no_budget_column", "3", None)]


def test_a_missing_required_column_is_one_error_per_table(rules, matcher):
    # An amount column whose year nothing tells, then the same table repeated with no name
    # column: each table reports once, every row is rejected with the reason.
    rows = [
        ["ที่", "โครงการ", "งบประมาณ (บาท)"],
        ["1", "ก", "1"],
        ["2", "ข", "2"],
        ["3", "ค", "3"],
    ]
    result = read(rows, name="ตลุก", rules=rules, matcher=matcher)
    assert [r["reasons"] for r in result.rejected] == [["missing_required_column"]] * 3
    assert issue_rows(result) == [("ตลุก", None, "missing_required_column", "ปีงบประมาณ", None)]
    rows = [["ที่", "รายละเอียด", "2568"], ["1", "ก", "1"], ["2", "ข", "2"]]
    result = read(rows, name="ตลุก", rules=rules, matcher=matcher)
    assert [r["reasons"] for r in result.rejected] == [["missing_required_column"]] * 2
    assert [(i[2], i[3]) for i in issue_rows(result) if i[2] == "missing_required_column"] == [
        ("missing_required_column", "โครงการ")
    ]


def test_unknown_and_duplicate_headers_are_reported(rules, matcher):
    rows = [["ที่", "โครงการ", "2568", "ผู้ประสานงาน", "ชื่อโครงการ"], ["1", "ก", "1", "x", "y"]]
    result = read(rows, rules=rules, matcher=matcher)
    assert codes(result) == [(1, "ambiguous_header"), (1, "unknown_header")]
    assert result.projects[0]["project_name"] == "ก"


@pytest.mark.parametrize(
    ("header", "year"),
    [
        ("2568", 2568),
        ("๒๕๖๘", 2568),
        ("ปี 2569", 2569),
        ("งบประมาณ 2568", 2568),
        ("งบประมาณ ปี ๒๕๖๙ (บาท)", 2569),
    ],
)
def test_budget_year_headers(header, year, rules):
    match = rules.match_header(header)
    assert (match.column, match.fiscal_year) == ("budget_year", year)


def test_village_column_wins_over_name(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "หมู่ที่", "2568"],
        ["1", "ถนน หมู่ที่ 3", "5, 6", "1"],
        ["2", "ถนน ม.4", "", "1"],
    ]
    result = read(rows, rules=rules, matcher=matcher)
    assert [p["village_numbers"] for p in result.projects] == [[5, 6], [4]]


def test_empty_file_is_reported(rules, matcher):
    result = read([["", ""], []], rules=rules, matcher=matcher)
    assert codes(result) == [(None, "empty_file"), (None, "empty_sheet")]


def test_village_in_a_continuation_row_is_found(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "2568"],
        ["1", "ก่อสร้างถนน สายบ้านนางบุญมี", "1"],
        ["", "ถึงโรงเรียน หมู่ที่ 2 และ หมู่ที่ 8", ""],
    ]
    [project] = read(rows, rules=rules, matcher=matcher).projects
    assert project["village_numbers"] == [2, 8]


def test_category_outside_the_provincial_strategies_is_reported_once(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "2568"],
        ["", "ด้านการเมืองการบริหาร", ""],
        ["1", "ก", "1"],
        ["2", "ข", "1"],
        ["", "ด้านการเกษตร", ""],
        ["3", "ค", "1"],
    ]
    result = read(rows, rules=rules, matcher=matcher)
    assert codes(result) == [(3, "unknown_category")]
    assert [p["category"] for p in result.projects] == [
        "ด้านการเมืองการบริหาร",
        "ด้านการเมืองการบริหาร",
        "ด้านการเกษตร",
    ]
    assert rules.strategy_for("ด้านการเกษตร") == 1


# -- the reader's memo of text classifications (issue 16 part 2) -------------------------


MEMO_TEXTS = [
    "ที่", "โครงการ", "ชื่อโครงการ", "ปี ๒๕๖๘", "2568", "งบประมาณ 2025 (บาท)", "งบประมาณ (บาท)",
    "รวม", "รวมงบประมาณ", "(บาท)", "ด้านโครงสร้างพื้นฐาน", "1.1 แผนงานเคหะ", "ลงชื่อ", "ทำเอง",
    "ขอรับการสนับสนุน", "ก่อสร้างถนน คสล. หมู่ที่ 3", "150000", "หมายเหตุ", "",
]  # fmt: skip


def test_memo_answers_as_the_rules_do(rules):
    from oneplan.transforms.numbers import year_in_header
    from oneplan.transforms.sheet import _Lookups

    memo = _Lookups(rules)
    for _ in range(2):  # the second pass answers from the memo
        for text in MEMO_TEXTS:
            assert memo.match_header(text) == rules.match_header(text), text
            assert memo.row_kind(text) == rules.row_kind(text), text
            assert memo.funding_route(text) == rules.funding_route(text), text
            match = rules.match_header(text)
            year = (
                (match.fiscal_year, False)
                if match is not None and match.column == "budget_year"
                else year_in_header(text)
            )
            assert memo.header_year(text) == year, text
    assert memo.header_year("ปี ๒๕๖๘") == (2568, False)
    assert memo.row_kind("รวมงบประมาณ") == "subtotal"


def test_memo_is_bounded(rules, monkeypatch):
    from oneplan.transforms.sheet import _Lookups

    monkeypatch.setattr(_Lookups, "MAX_TEXTS", 3)
    memo = _Lookups(rules)
    for n in range(10):
        memo.row_kind(f"ข้อความ {n}")
        assert len(memo.kinds) <= 3
    assert memo.row_kind("รวม") == "subtotal"


def test_other_rules_get_their_own_memo(rules):
    from dataclasses import replace

    from oneplan.transforms.sheet import _lookups

    assert _lookups(rules).match_header("ผู้ดำเนินการหลัก") is None
    exact = {**rules.header_exact, "ผู้ดำเนินการหลัก": "responsible_agency"}
    other = replace(rules, header_exact=exact)
    assert _lookups(other).match_header("ผู้ดำเนินการหลัก").column == "responsible_agency"
    assert _lookups(rules).match_header("ผู้ดำเนินการหลัก") is None


def test_a_plan_naming_a_tambon_of_another_district_is_not_placed_district_wide(rules, matcher):
    ctx = FileContext("1806/plan.xlsx", "1806", "หันคา", "plan")
    rows = [["แผนพัฒนาตำบล ตำบลตลุก อำเภอสรรพยา"], ["ที่", "โครงการ", "2568"], ["1", "ก", "1"]]
    result = read_sheets([Sheet("Sheet1", rows)], ctx, rules, matcher)
    assert result.rejected[0]["reasons"] == ["no_tambon"]
    assert "placed_district_wide" not in {i["code"] for i in result.issues}
