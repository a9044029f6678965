"""Reader tests per layout class of issue 12: where years and tambons are written, Thai typed
forms, layout rows, section titles, hidden sheets, budgets people type. Tiny inline sheets,
exact expected projects and row logs."""

from decimal import Decimal

import pytest
from oneplan.transforms.issues import render_issue
from oneplan.transforms.sheet import FileContext, Sheet, find_header, read_sheets

D = Decimal
CTX = FileContext("1806/แผน.xlsx", "1806", "หันคา", "แผน")


def read(sheets, ctx=CTX, *, rules, matcher):
    return read_sheets(sheets, ctx, rules, matcher)


def log(result):
    return [(e["source_sheet"], e["source_row"], e["outcome"], e["kind"]) for e in result.row_log]


def issues(result, *codes):
    return [
        (i["source_sheet"], i["source_row"], i["code"], i["raw_value"])
        for i in result.issues
        if not codes or i["code"] in codes
    ]


def projects(result, *fields):
    return [tuple(p[f] for f in fields) for p in result.projects]


# ---- 1. where a fiscal year comes from ------------------------------------------------------


def test_year_cell_above_the_amount_label_makes_a_budget_column(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "ปี ๒๕๖๘", "ปี ๒๕๖๙"],
        ["", "", "งบประมาณ (บาท)", "งบประมาณ (บาท)"],
        ["1", "ขุดลอกคลอง", "100", "200"],
    ]
    header = find_header(Sheet("ต.บ้านเชี่ยน", rows), rules)
    assert (header.first_row, header.last_row) == (0, 1)
    assert header.budget_years == [(2, 2568), (3, 2569)]
    result = read([Sheet("ต.บ้านเชี่ยน", rows)], rules=rules, matcher=matcher)
    assert projects(result, "project_name", "budgets") == [
        ("ขุดลอกคลอง", {2568: D("100.00"), 2569: D("200.00")})
    ]


def test_year_row_above_a_header_row_without_merges(rules, matcher):
    rows = [
        ["", "", "ปี 2568", "ปี 2569"],
        ["ที่", "โครงการ", "งบประมาณ", "งบประมาณ"],
        ["1", "ขุดลอกคลอง", "100", "200"],
    ]
    header = find_header(Sheet("ต.บ้านเชี่ยน", rows), rules)
    assert (header.first_row, header.budget_years) == (0, [(2, 2568), (3, 2569)])


def test_ce_year_in_a_header_is_read_as_be_and_warned(rules, matcher):
    rows = [["ที่", "โครงการ", "งบประมาณ 2025"], ["1", "ขุดลอกคลอง", "100"]]
    result = read([Sheet("ต.บ้านเชี่ยน", rows)], rules=rules, matcher=matcher)
    assert projects(result, "budgets") == [({2568: D("100.00")},)]
    assert issues(result, "fiscal_year_ce") == [("ต.บ้านเชี่ยน", 1, "fiscal_year_ce", "งบประมาณ 2025")]


@pytest.mark.parametrize(
    ("sheet_name", "year"),
    [("ปี 2568", 2568), ("2569", 2569), ("ปีงบ 70", 2570), ("ปี ๖๘", 2568), ("69", 2569),
     ("พ.ศ.2570", 2570), ("2025", 2568)],
)  # fmt: skip
def test_year_from_the_sheet_name_of_a_single_amount_column(sheet_name, year, rules, matcher):
    ctx = FileContext("1806/ต.บ้านเชี่ยน.xlsx", "1806", "หันคา", "ต.บ้านเชี่ยน")
    rows = [["ที่", "โครงการ", "งบประมาณ (บาท)"], ["1", "ขุดลอกคลอง", "100"]]
    result = read([Sheet(sheet_name, rows)], ctx, rules=rules, matcher=matcher)
    assert projects(result, "tambon_code", "budgets") == [("180602", {year: D("100.00")})]
    [info] = [i for i in result.issues if i["code"] == "fiscal_year_inferred"]
    assert (info["severity"], info["raw_value"]) == ("info", str(year))
    assert f'ชื่อแผ่นงาน "{sheet_name}"' in render_issue(rules, info, with_location=False)


def test_year_from_title_then_file_name(rules, matcher):
    rows = [
        ["แผนพัฒนาตำบลบ้านเชี่ยน ประจำปีงบประมาณ พ.ศ. ๒๕๖๙"],
        ["ที่", "โครงการ", "งบประมาณ (บาท)"],
        ["1", "ขุดลอกคลอง", "100"],
    ]
    result = read([Sheet("Sheet1", rows)], rules=rules, matcher=matcher)
    assert projects(result, "budgets") == [({2569: D("100.00")},)]
    info = next(i for i in result.issues if i["code"] == "fiscal_year_inferred")
    assert "หัวเรื่อง" in render_issue(rules, info, with_location=False)
    ctx = FileContext("1806/x.xlsx", "1806", "หันคา", "แผนพัฒนาตำบลบ้านเชี่ยน ปี 2570")
    result = read([Sheet("Sheet1", rows[1:])], ctx, rules=rules, matcher=matcher)
    assert projects(result, "budgets") == [({2570: D("100.00")},)]


def test_a_plan_period_names_no_single_year(rules, matcher):
    rows = [["แผนพัฒนาตำบล พ.ศ. 2568 - 2570"], ["ที่", "โครงการ", "งบประมาณ (บาท)"], ["1", "ก", "1"]]
    result = read([Sheet("ต.บ้านเชี่ยน", rows)], rules=rules, matcher=matcher)
    assert [r["reasons"] for r in result.rejected] == [["missing_required_column"]]


def test_one_sheet_per_year_is_one_plan_with_a_budget_each_year(rules, matcher):
    header = ["ที่", "โครงการ", "งบประมาณ (บาท)"]
    y68 = [header, ["1", "ขุดลอกคลอง", "100"], ["2", "ถนน คสล.", "50"]]
    y69 = [header, ["1", "ขุดลอกคลอง", "120"], ["2", "ประปา", "70"]]
    ctx = FileContext("1806/ต.บ้านเชี่ยน.xlsx", "1806", "หันคา", "ต.บ้านเชี่ยน")
    result = read([Sheet("ปี 2568", y68), Sheet("ปี 2569", y69)], ctx, rules=rules, matcher=matcher)
    assert projects(result, "source_sheet", "source_row", "project_name", "budgets") == [
        ("ปี 2568", 2, "ขุดลอกคลอง", {2568: D("100.00"), 2569: D("120.00")}),
        ("ปี 2568", 3, "ถนน คสล.", {2568: D("50.00")}),
        ("ปี 2569", 3, "ประปา", {2569: D("70.00")}),
    ]
    assert ("ปี 2569", 2, "accepted", "project_year") in log(result)


def test_year_sheets_with_the_year_in_the_amount_header_are_one_plan_too(rules, matcher):
    y68 = [["ที่", "โครงการ", "งบประมาณ ปี 68"], ["1", "ขุดลอกคลอง", "100"]]
    y69 = [["ที่", "โครงการ", "งบประมาณ 2569"], ["1", "ขุดลอกคลอง", "120"]]
    result = read(
        [Sheet("ต.บ้านเชี่ยน", y68), Sheet("ต.บ้านเชี่ยน (69)", y69)], rules=rules, matcher=matcher
    )
    assert projects(result, "source_sheet", "budgets") == [
        ("ต.บ้านเชี่ยน", {2568: D("100.00"), 2569: D("120.00")})
    ]
    assert issues(result, "fiscal_year_inferred") == []  # the year is in the header


# ---- 2. where a tambon comes from ------------------------------------------------------------


@pytest.mark.parametrize("folder", ["ต.บ้านเชี่ยน", "ตำบลบ้านเชี่ยน", "ตําบลบ้านเชี่ยน"])
def test_tambon_from_the_folder_inside_the_district_folder(folder, rules, matcher):
    ctx = FileContext(f"หันคา/{folder}/แผน.xlsx", "1806", "หันคา", "แผน", (folder,))
    rows = [["ที่", "ตำบล", "โครงการ", "2568"], ["1", "", "ก", "1"], ["2", "ไพรนกยูง", "ข", "1"]]
    result = read([Sheet("Sheet1", rows)], ctx, rules=rules, matcher=matcher)
    assert projects(result, "project_name", "tambon_code") == [("ก", "180602"), ("ข", "180605")]


def test_sheet_name_wins_over_folder_and_folder_over_file_name(rules, matcher):
    ctx = FileContext("หันคา/ต.บ้านเชี่ยน/ต.หนองแซง.xlsx", "1806", "หันคา", "ต.หนองแซง", ("ต.บ้านเชี่ยน",))
    rows = [["ที่", "โครงการ", "2568"], ["1", "ก", "1"]]
    assert projects(
        read([Sheet("ไพรนกยูง", rows)], ctx, rules=rules, matcher=matcher), "tambon_code"
    ) == [("180605",)]
    assert projects(
        read([Sheet("Sheet1", rows)], ctx, rules=rules, matcher=matcher), "tambon_code"
    ) == [("180602",)]


# ---- 3. Thai typed forms ----------------------------------------------------------------------


def test_thai_typed_forms_match_without_a_misspelt_warning(rules, matcher):
    ctx = FileContext("1805/x.csv", "1805", "สรรคบุรี", "x")
    rows = [
        ["ที่", "ตําบล", "โครงการ", "2568"],
        ["1", "ต.เเพรกศรีราชา", "ก่อสร้างถนน\u200bคสล.", "1"],
        ["2", "ตําบลห้วยกรด", "ขุดลอกคลอง", "1"],
    ]
    result = read([Sheet("", rows)], ctx, rules=rules, matcher=matcher)
    assert projects(result, "tambon_code", "project_name") == [
        ("180501", "ก่อสร้างถนนคสล."),
        ("180503", "ขุดลอกคลอง"),
    ]
    assert issues(result, "fuzzy_tambon_match", "unknown_header") == []


# ---- 4. rows that are layout ------------------------------------------------------------------


def test_text_wrapped_in_several_columns_and_merged_cells_is_one_project(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "วัตถุประสงค์", "ตัวชี้วัด", "2568", "หน่วยงาน"],
        ["1", "ก่อสร้างถนน", "เพื่อการ", "ระยะทาง", "100", "อบต."],
        ["", "สายบ้านนาย ก", "สัญจร", "500 เมตร", "", ""],
        ["", "หมู่ที่ 4", "", "", "", ""],
        ["2", "ขุดลอกคลอง", "เพื่อน้ำ", "", "50", ""],
    ]
    # The number, budget and agency cells of project 1 are merged down over its 3 rows.
    merged = (((1, 0), (3, 0)), ((1, 4), (3, 4)), ((1, 5), (4, 5)))
    result = read([Sheet("ต.บ้านเชี่ยน", rows, merged)], rules=rules, matcher=matcher)
    assert [e[2:] for e in log(result)] == [
        ("skipped", "header"),
        ("accepted", "project"),
        ("skipped", "continuation"),
        ("skipped", "continuation"),
        ("accepted", "project"),
    ]
    first, second = result.projects
    assert (first["project_name"], first["objective"], first["kpi"]) == (
        "ก่อสร้างถนน สายบ้านนาย ก หมู่ที่ 4",
        "เพื่อการ สัญจร",
        "ระยะทาง 500 เมตร",
    )
    assert first["village_numbers"] == [4]
    # the agency cell merged down over both projects applies to each
    assert (first["responsible_agency"], second["responsible_agency"]) == ("อบต.", "อบต.")


def test_repeated_header_unit_row_subsections_and_signature_block(rules, matcher):
    rows = [
        ["แผนพัฒนาตำบลบ้านเชี่ยน"],
        ["ที่", "โครงการ", "2568", "2569"],
        ["", "", "(บาท)", "(บาท)"],
        ["", "ยุทธศาสตร์ที่ 1 ด้านโครงสร้างพื้นฐาน", "", ""],
        ["", "1.1 แผนงานเคหะและชุมชน", "", ""],
        ["1", "ถนน", "100", ""],
        ["1.1.2", "งานไฟฟ้า", "", ""],
        ["2", "ประปา", "", "200"],
        ["แผนพัฒนาตำบลบ้านเชี่ยน (ต่อ)"],
        ["ที่", "โครงการ", "2568", "2569"],
        ["", "", "2568", "2569"],
        ["", "", "บาท", "บาท"],
        ["3", "ไฟฟ้า", "300", "-"],
        ["", "รวม", "400", "200"],
        ["หมายเหตุ: ข้อมูลจากเวทีประชาคม"],
        ["", "ลงชื่อ..................ผู้จัดทำ"],
        ["", "(นายสมชาย ใจดี)"],
        ["", "ตำแหน่ง ปลัด อบต."],
        ["", "(...........................)"],
    ]
    result = read([Sheet("ต.บ้านเชี่ยน", rows)], rules=rules, matcher=matcher)
    assert [e[1:] for e in log(result)] == [
        (1, "skipped", "title"),
        (2, "skipped", "header"),
        (3, "skipped", "unit"),
        (4, "skipped", "section"),
        (5, "skipped", "subsection"),
        (6, "accepted", "project"),
        (7, "skipped", "subsection"),
        (8, "accepted", "project"),
        (9, "skipped", "title"),
        (10, "skipped", "header"),
        (11, "skipped", "header"),
        (12, "skipped", "unit"),
        (13, "accepted", "project"),
        (14, "skipped", "subtotal"),
        (15, "skipped", "note"),
        (16, "skipped", "signature"),
        (17, "skipped", "signature"),
        (18, "skipped", "signature"),
        (19, "skipped", "signature"),
    ]
    assert projects(result, "project_name", "category", "budgets") == [
        ("ถนน", "ยุทธศาสตร์ที่ 1 ด้านโครงสร้างพื้นฐาน", {2568: D("100.00")}),
        ("ประปา", "ยุทธศาสตร์ที่ 1 ด้านโครงสร้างพื้นฐาน", {2569: D("200.00")}),
        ("ไฟฟ้า", "ยุทธศาสตร์ที่ 1 ด้านโครงสร้างพื้นฐาน", {2568: D("300.00"), 2569: D("0.00")}),
    ]
    assert result.rejected == []


def test_header_parts_repeated_alone_and_plan_headings_are_layout(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "2568", "2569"],
        ["", "ด้านการศึกษา", "", ""],
        ["", "(1) แผนงานการศึกษา", "", ""],
        ["", "แนวทางการพัฒนาที่ 1.1 ส่งเสริมการเรียนรู้", "", ""],
        ["1", "ห้องสมุด", "100", ""],
        ["", "", "งบประมาณ (บาท)", "งบประมาณ (บาท)"],
        ["2", "อาหารกลางวัน", "", "50"],
        ["", "ข้อมูล ณ วันที่ 30 กันยายน 2567"],
    ]
    result = read([Sheet("ต.บ้านเชี่ยน", rows)], rules=rules, matcher=matcher)
    assert [e[3] for e in log(result)] == [
        "header", "section", "subsection", "subsection", "project", "header", "project", "note"
    ]  # fmt: skip
    assert result.rejected == []


def test_a_second_table_with_other_columns_is_read_with_its_own_header(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "2568"],
        ["1", "ถนน", "100"],
        ["ที่", "โครงการ", "หน่วยงาน", "2569"],
        ["1", "ประปา", "อบจ.", "200"],
    ]
    result = read([Sheet("ต.บ้านเชี่ยน", rows)], rules=rules, matcher=matcher)
    assert projects(result, "project_name", "responsible_agency", "budgets") == [
        ("ถนน", None, {2568: D("100.00")}),
        ("ประปา", "อบจ.", {2569: D("200.00")}),
    ]


# ---- 5. funding route from a section title -----------------------------------------------------


def test_section_titles_set_the_funding_route_until_the_next_title(rules, matcher):
    rows = [
        ["บัญชีโครงการที่ดำเนินการเอง"],
        ["ที่", "โครงการ", "2568", "วิธีดำเนินการ"],
        ["1", "ถนน", "100", ""],
        ["2", "ประปา", "100", "ทำร่วม"],
        ["ส่วนที่ 2 โครงการที่ขอรับการสนับสนุนจากหน่วยงานอื่น"],
        ["3", "สะพาน", "100", ""],
        ["", "ส่วนที่ 3 โครงการที่ดำเนินการร่วมกับหน่วยงานอื่น"],
        ["4", "ตลาด", "100", ""],
    ]
    result = read([Sheet("ต.บ้านเชี่ยน", rows)], rules=rules, matcher=matcher)
    assert projects(result, "project_name", "funding_route") == [
        ("ถนน", "own"),
        ("ประปา", "joint"),  # the column wins
        ("สะพาน", "requested"),
        ("ตลาด", "joint"),
    ]
    assert [e[1:] for e in log(result) if e[3] == "section_title"] == [
        (5, "skipped", "section_title"),
        (7, "skipped", "section_title"),
    ]


# ---- 6. hidden sheets -------------------------------------------------------------------------


def test_hidden_copy_is_read_after_the_visible_sheet_and_noted(rules, matcher):
    rows = [["ที่", "โครงการ", "2568"], ["1", "ถนน", "100"]]
    own = [["ที่", "โครงการ", "2568"], ["1", "ร่าง สะพาน", "5"]]
    sheets = [
        Sheet("ต.บ้านเชี่ยน (2)", rows, visible=False),
        Sheet("ต.บ้านเชี่ยน", rows),
        Sheet("ร่าง ต.บ้านเชี่ยน", own, visible=False),
    ]
    result = read(sheets, rules=rules, matcher=matcher)
    assert projects(result, "source_sheet", "project_name") == [
        ("ต.บ้านเชี่ยน", "ถนน"),
        ("ร่าง ต.บ้านเชี่ยน", "ร่าง สะพาน"),
    ]
    assert ("ต.บ้านเชี่ยน (2)", 2, "skipped", "duplicate") in log(result)
    assert issues(result, "hidden_sheet", "hidden_sheet_copy", "duplicate_project") == [
        ("ต.บ้านเชี่ยน (2)", None, "hidden_sheet_copy", "ต.บ้านเชี่ยน (2)"),
        ("ต.บ้านเชี่ยน (2)", 2, "duplicate_project", "ถนน"),
        ("ร่าง ต.บ้านเชี่ยน", None, "hidden_sheet", "ร่าง ต.บ้านเชี่ยน"),
    ]


# ---- 7. budgets people type --------------------------------------------------------------------


def test_budget_units_empty_years_and_no_budget(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "2568", "2569"],
        ["1", "ถนน", "5,000 บ.", ""],
        ["2", "ประปา", "๑๒,๐๐๐.-", "3,000 บาท"],
        ["3", "สะพาน", "", ""],
    ]
    result = read([Sheet("ต.บ้านเชี่ยน", rows)], rules=rules, matcher=matcher)
    assert projects(result, "project_name", "budgets") == [
        ("ถนน", {2568: D("5000.00")}),
        ("ประปา", {2568: D("12000.00"), 2569: D("3000.00")}),
        ("สะพาน", {}),
    ]
    assert issues(result, "no_budget") == [("ต.บ้านเชี่ยน", 4, "no_budget", "สะพาน")]
    assert result.rejected == []


# ---- more variants of the classes ----------------------------------------------------------------


def test_year_label_over_a_unit_cell_is_a_budget_column(rules):
    rows = [
        ["ที่", "โครงการ", "ปีงบประมาณ 2568", "ปี 69"],
        ["", "", "(บาท)", "(บาท)"],
        ["1", "ก", "1", "2"],
    ]
    header = find_header(Sheet("ต.บ้านเชี่ยน", rows, (((0, 0), (1, 0)), ((0, 1), (1, 1)))), rules)
    assert header.budget_years == [(2, 2568), (3, 2569)]


def test_a_village_cell_wrapped_onto_the_next_row_is_a_continuation(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "หมู่ที่", "2568"],
        ["1", "ขุดลอกคลอง", "3,", "100"],
        ["", "", "4", ""],
    ]
    result = read([Sheet("ต.บ้านเชี่ยน", rows)], rules=rules, matcher=matcher)
    assert [e[3] for e in log(result)] == ["header", "project", "continuation"]
    assert projects(result, "village_numbers") == [([3, 4],)]


def test_tambon_headings_and_per_tambon_titles_in_a_district_sheet(rules, matcher):
    ctx = FileContext("1806/แผนอำเภอ.xlsx", "1806", "หันคา", "แผนอำเภอ")
    rows = [
        ["ที่", "โครงการ", "2568"],
        ["ตำบลบ้านเชี่ยน"],
        ["1", "ถนน", "100"],
        ["", "ต.ไพรนกยูง อ.หันคา"],
        ["1", "ประปา", "100"],
        ["แผนพัฒนาตำบลหนองแซง"],
        ["ที่", "โครงการ", "2568"],
        ["1", "สะพาน", "100"],
    ]
    result = read([Sheet("Sheet1", rows)], ctx, rules=rules, matcher=matcher)
    assert [e[3] for e in log(result)] == [
        "header", "tambon", "project", "tambon", "project", "title", "header", "project"
    ]  # fmt: skip
    assert projects(result, "project_name", "tambon_code") == [
        ("ถนน", "180602"),
        ("ประปา", "180605"),
        ("สะพาน", "180606"),
    ]
    assert result.rejected == []


def test_a_subsection_is_the_category_only_without_a_heading_above(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "2568"],
        ["", "1.1 แผนงานการศึกษา", ""],
        ["1", "ห้องสมุด", "100"],
        ["", "1.2 แผนงานสาธารณสุข", ""],
        ["2", "อสม.", "100"],
        ["", "2. ด้านเศรษฐกิจ", ""],
        ["", "2.1 แผนงานการเกษตร", ""],
        ["3", "ปุ๋ย", "100"],
    ]
    result = read([Sheet("ต.บ้านเชี่ยน", rows)], rules=rules, matcher=matcher)
    assert projects(result, "project_name", "category") == [
        ("ห้องสมุด", "1.1 แผนงานการศึกษา"),
        ("อสม.", "1.2 แผนงานสาธารณสุข"),
        ("ปุ๋ย", "2. ด้านเศรษฐกิจ"),
    ]
