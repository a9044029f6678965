"""Reader tests per class of issue 20: the official local-plan form (ผ.02 family) as officials
fill it in. Tiny inline sheets, exact expected projects, measures, row logs and issues."""

from decimal import Decimal

import pytest
from oneplan.transforms.issues import render_issue
from oneplan.transforms.sheet import FileContext, Sheet, find_header, read_sheets
from oneplan.transforms.staging import staged_tables

D = Decimal
CTX = FileContext("1806/เทศบาลตำบลหันคา.xlsx", "1806", "หันคา", "เทศบาลตำบลหันคา")
SHEET = "ยุทธ1.1แผนงานเคหะ"
W = 13  # columns of the form below


def pad(*cells):
    return [*cells] + [""] * (W - len(cells))


TITLE = [
    pad("รายละเอียดโครงการพัฒนา"),
    pad("แผนพัฒนาท้องถิ่น (พ.ศ. 2566-2570)"),
    pad("เทศบาลตำบลหันคา อำเภอหันคา จังหวัดชัยนาท"),
    pad("ก. ยุทธศาสตร์ชาติ ด้านการสร้างความสามารถในการแข่งขัน"),
    pad("ข. แผนพัฒนาเศรษฐกิจและสังคมแห่งชาติ ฉบับที่ 13"),
    pad("ค. Sustainable Development Goals เป้าหมายที่ 9"),
    pad("ง. ยุทธศาสตร์จังหวัดที่ 1 การผลิต แปรรูป การตลาด"),
    pad("จ. ยุทธศาสตร์การพัฒนาของ อปท. ในเขตจังหวัดที่ 2 การพัฒนาโครงสร้างพื้นฐาน"),
    pad("1. ยุทธศาสตร์การพัฒนาด้านโครงสร้างพื้นฐาน"),
    pad("1.1 กลยุทธ์ พัฒนาเส้นทางคมนาคม"),
    pad("(1) แผนงานเคหะและชุมชน"),
]
HEADER = [
    ["ที่", "โครงการ", "วัตถุประสงค์", "เป้าหมาย (ผลผลิตของโครงการ)", "งบประมาณ", "", "",
     "เทศบัญญัติ", "", "", "ตัวชี้วัด (KPI)", "ผลที่คาดว่าจะได้รับ", "หน่วยงานที่รับผิดชอบหลัก"],
    ["", "", "", "", 2566, "ปี 2567", "๒๕๖๘", "2566", "2567", "2568", "", "", ""],
    pad("", "", "", "", "(บาท)", "(บาท)", "(บาท)", "(บาท)", "(บาท)", "(บาท)"),
]  # fmt: skip
# งบประมาณ merged over its three year columns; เทศบัญญัติ written once, not merged.
MERGED = (((11, 4), (11, 6)),)


def form(*rows, title=TITLE, header=HEADER):
    return [*title, *header, *rows]


def read(rows, name=SHEET, merged=MERGED, ctx=CTX, *, rules, matcher):
    return read_sheets([Sheet(name, rows, merged)], ctx, rules, matcher)


def log(result):
    return [(e["source_row"], e["outcome"], e["kind"]) for e in result.row_log]


def issues(result, *codes):
    return [
        (i["source_row"], i["code"], i["raw_value"])
        for i in result.issues
        if not codes or i["code"] in codes
    ]


def projects(result, *fields):
    return [tuple(p[f] for f in fields) for p in result.projects]


# ---- 1. the header as a tree of column groups ------------------------------------------------


def test_the_three_row_header_with_a_second_year_group(rules, matcher):
    rows = form(
        pad("1", "ถนน คสล. หมู่ที่ 1", "เพื่อสัญจร", "ยาว 100 ม.", "100,000", 200000, "-",
            90000, "", "", "ถนน 1 สาย", "สะดวก", "กองช่าง"),
    )  # fmt: skip
    header = find_header(Sheet(SHEET, rows, MERGED), rules)
    assert (header.first_row, header.last_row) == (11, 12)
    assert header.budget_years == [(4, 2566), (5, 2567), (6, 2568)]
    assert header.measure_years == [
        (7, 2566, "ordinance"), (8, 2567, "ordinance"), (9, 2568, "ordinance")
    ]  # fmt: skip
    result = read(rows, rules=rules, matcher=matcher)
    assert projects(result, "budgets", "measures", "responsible_agency", "target", "kpi") == [
        (
            {2566: D("100000.00"), 2567: D("200000.00"), 2568: D("0.00")},
            {("ordinance", 2566): D("90000.00")},
            "กองช่าง",
            "ยาว 100 ม.",
            "ถนน 1 สาย",
        )
    ]
    # The years row and the (บาท) row are header rows; no duplicate or unknown column.
    assert log(result)[11:] == [
        (12, "skipped", "header"), (13, "skipped", "header"), (14, "skipped", "unit"),
        (15, "accepted", "project"),
    ]  # fmt: skip
    assert issues(result, "ambiguous_header", "unknown_header", "missing_required_column") == []
    staged = staged_tables(result)["measures"].to_pylist()
    assert staged == [
        {"source_sheet": SHEET, "source_row": 15, "fiscal_year": 2566, "measure": "ordinance",
         "amount_thb": D("90000.00")}
    ]  # fmt: skip
    assert staged_tables(result)["budgets"].num_rows == 3  # plan money only


@pytest.mark.parametrize(
    ("group", "measure"),
    [("เทศบัญญัติ", "ordinance"), ("ข้อบัญญัติ", "ordinance"), ("ผลการเบิกจ่าย", "spent"),
     ("งบประมาณที่ได้รับจัดสรร", "allocated"), ("ผลการดำเนินงานที่ผ่านมา", "past_result")],
)  # fmt: skip
def test_a_group_label_decides_what_its_years_measure(group, measure, rules, matcher):
    rows = [
        ["ที่", "โครงการ", "งบประมาณและที่ผ่านมา", "", group, ""],
        ["", "", "2566", "2567", "2566", "2567"],
        ["1", "ขุดลอกคลอง", "10", "20", "7", "8"],
    ]
    merged = (((0, 2), (0, 3)), ((0, 4), (0, 5)))
    result = read(rows, "ต.หันคา", merged, rules=rules, matcher=matcher)
    assert projects(result, "budgets", "measures") == [
        (
            {2566: D("10.00"), 2567: D("20.00")},
            {(measure, 2566): D("7.00"), (measure, 2567): D("8.00")},
        )
    ]


def test_a_group_over_sub_groups_over_years_is_read_as_paths(rules, matcher):
    """(งบประมาณและที่ผ่านมา, เทศบัญญัติ, 2566): a three-level tree of column groups."""
    rows = [
        ["ที่", "โครงการ", "งบประมาณและที่ผ่านมา", "", "", ""],
        ["", "", "งบประมาณ", "", "เทศบัญญัติ", ""],
        ["", "", "2566", "2567", "2566", "2567"],
        ["1", "ขุดลอกคลอง", "10", "20", "7", ""],
    ]
    merged = (((0, 0), (2, 0)), ((0, 1), (2, 1)), ((0, 2), (0, 5)), ((1, 2), (1, 3)))
    header = find_header(Sheet("ต.หันคา", rows, merged), rules)
    assert (header.first_row, header.last_row) == (0, 2)
    assert header.labels[4] == "งบประมาณและที่ผ่านมา เทศบัญญัติ 2566"
    result = read(rows, "ต.หันคา", merged, rules=rules, matcher=matcher)
    assert projects(result, "budgets", "measures") == [
        ({2566: D("10.00"), 2567: D("20.00")}, {("ordinance", 2566): D("7.00")})
    ]


@pytest.mark.parametrize("years", [[2566, 2567], ["2566", "2567"], ["ปี 2566", "ปี 2567"],
                                   ["๒๕๖๖", "๒๕๖๗"], ["66", "67"], ["ปี 66", "ปี 67"]])  # fmt: skip
def test_year_cells_as_numbers_text_thai_digits_and_two_digits(years, rules, matcher):
    rows = [
        ["ที่", "โครงการ", "ประมาณการ", ""],
        ["", "", *years],
        ["", "", "(บาท)", "(บาท)"],
        ["1", "ขุดลอกคลอง", "10", "20"],
    ]
    result = read(rows, "ต.หันคา", (((0, 2), (0, 3)),), rules=rules, matcher=matcher)
    assert projects(result, "budgets") == [({2566: D("10.00"), 2567: D("20.00")},)]
    assert [k for _, _, k in log(result)] == ["header", "header", "unit", "project"]
    assert result.rejected == []


def test_a_sheet_of_ordinance_years_only_is_skipped_with_its_kind(rules, matcher):
    rows = [["ที่", "โครงการ", "เทศบัญญัติ", ""], ["", "", "2566", "2567"], ["1", "ถนน", "1", "2"]]
    result = read(rows, "ต.หันคา", (((0, 2), (0, 3)),), rules=rules, matcher=matcher)
    assert result.projects == []
    assert [k for _, _, k in log(result)] == ["measure_sheet"] * 3
    assert issues(result, "measure_only_sheet") == [(None, "measure_only_sheet", "ordinance")]


# ---- 2. amendment sections -------------------------------------------------------------------


def test_amendment_sections_restart_numbering_and_merge_a_returning_project(rules, matcher):
    rows = form(
        pad("1", "ถนน คสล. หมู่ที่ 1", "", "", "100,000", "", ""),
        pad("2", "ขุดลอกคลองส่งน้ำ", "", "", "", "50,000", ""),
        pad("", "รวมงบประมาณ", "", "", "100,000", "50,000", "0"),
        pad("", "รวมจำนวนโครงการ", "", "", "1", "1", "0"),
        pad("เพิ่มเติมครั้งที่ 5 / 2567"),
        pad("1", "ขุดลอกคลองส่งน้ำ", "", "", "", "60,000", "70,000"),
        pad("2", "ติดตั้งไฟฟ้า", "", "", "", "", "30,000"),
        pad("", "แก้ไขครั้งที่ 2/2568"),
        pad("1", "ถนน  คสล.  หมู่ที่ 1", "", "", "", "", "80,000"),
    )
    result = read(rows, rules=rules, matcher=matcher)
    assert projects(result, "source_row", "project_name", "budgets", "plan_revision") == [
        (15, "ถนน คสล. หมู่ที่ 1", {2566: D("100000.00"), 2568: D("80000.00")},
         "แก้ไข ครั้งที่ 2/2568"),
        (16, "ขุดลอกคลองส่งน้ำ", {2567: D("60000.00"), 2568: D("70000.00")},
         "เพิ่มเติม ครั้งที่ 5/2567"),
        (21, "ติดตั้งไฟฟ้า", {2568: D("30000.00")}, "เพิ่มเติม ครั้งที่ 5/2567"),
    ]  # fmt: skip
    assert log(result)[14:] == [
        (15, "accepted", "project"),
        (16, "accepted", "project"),
        (17, "skipped", "subtotal"),
        (18, "skipped", "subtotal"),
        (19, "skipped", "amendment"),
        (20, "accepted", "project_amended"),
        (21, "accepted", "project"),
        (22, "skipped", "amendment"),
        (23, "accepted", "project_amended"),
    ]
    assert [(e["project_row"]) for e in result.row_log if e["kind"] == "project_amended"] == [
        16, 15
    ]  # fmt: skip
    # 2567 changed from 50,000 to 60,000: the later revision wins, both are named.
    [changed] = [i for i in result.issues if i["code"] == "amendment_changed_amount"]
    assert (changed["source_row"], changed["raw_value"]) == (20, "ขุดลอกคลองส่งน้ำ")
    assert changed["expected_value"] == (
        "2567: 50,000.00 (แผนเดิม) → 60,000.00 (เพิ่มเติม ครั้งที่ 5/2567)"
    )
    assert "ฉบับหลัง" in render_issue(rules, changed, "th")
    assert result.rejected == []


@pytest.mark.parametrize(
    ("marker", "revision"),
    [("เพิ่มเติมครั้งที่ 5 / 2567", "เพิ่มเติม ครั้งที่ 5/2567"),
     ("แก้ไขครั้งที่ 2/2566", "แก้ไข ครั้งที่ 2/2566"),
     ("เพิ่มเติม 5/68", "เพิ่มเติม ครั้งที่ 5/2568"),
     ("แผนพัฒนาท้องถิ่น (พ.ศ. 2566-2570) เปลี่ยนแปลง ครั้งที่ ๑ พ.ศ. ๒๕๖๗",
      "เปลี่ยนแปลง ครั้งที่ 1/2567"),
     ("ทบทวน ครั้งที่ 3", "ทบทวน ครั้งที่ 3"),
     ("เพิ่มเติม (ฉบับที่ 2) พ.ศ. 2567", "เพิ่มเติม ครั้งที่ 2/2567"),
     ("แผนพัฒนาท้องถิ่น เพิ่มเติม ครั้งที่ 1 ประจำปี พ.ศ. 2566", "เพิ่มเติม ครั้งที่ 1/2566"),
     ("เพิ่มเติม ครั้งที่ 3 (พ.ศ. 2567)", "เพิ่มเติม ครั้งที่ 3/2567"),
     ("เพิ่มเติมและเปลี่ยนแปลง ครั้งที่ 2/2566", "เพิ่มเติม ครั้งที่ 2/2566")],
)  # fmt: skip
def test_written_variants_of_an_amendment_marker(marker, revision, rules, matcher):
    rows = [
        ["ที่", "โครงการ", "2568"],
        ["1", "ถนน", "100"],
        ["", marker, ""],  # in the name column: never glued onto the name above
        ["1", "ประปา", "200"],
    ]
    result = read(rows, "ต.หันคา", (), rules=rules, matcher=matcher)
    assert projects(result, "project_name", "plan_revision") == [
        ("ถนน", None), ("ประปา", revision)
    ]  # fmt: skip
    assert [k for _, _, k in log(result)] == ["header", "project", "amendment", "project"]


def test_an_amendment_in_the_title_applies_to_the_whole_sheet(rules, matcher):
    rows = [
        ["แผนพัฒนาท้องถิ่น (พ.ศ. 2566-2570) เพิ่มเติม ครั้งที่ 1/2567"],
        ["ที่", "โครงการ", "2568"],
        ["1", "ถนน", "100"],
    ]
    result = read(rows, "ต.หันคา", (), rules=rules, matcher=matcher)
    assert projects(result, "plan_revision") == [("เพิ่มเติม ครั้งที่ 1/2567",)]


# ---- 3. duplicates on the whole row ----------------------------------------------------------


def test_same_name_in_the_same_section_with_other_years_stays_two_projects(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "2568", "2569"],
        ["1", "ถนน", "100", ""],
        ["2", "ถนน", "100", "50"],
    ]
    result = read(rows, "ต.หันคา", (), rules=rules, matcher=matcher)
    assert projects(result, "source_row", "budgets") == [
        (2, {2568: D("100.00")}),
        (3, {2568: D("100.00"), 2569: D("50.00")}),
    ]


def test_a_name_that_only_starts_with_ruam_is_a_project_not_a_subtotal(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "2568"],
        ["", "รวมกลุ่มอาชีพสตรี", "100"],
        ["", "รวม", "100"],
        ["", "รวม ต.หันคา", "100"],
    ]
    result = read(rows, "ต.หันคา", (), rules=rules, matcher=matcher)
    assert projects(result, "project_name") == [("รวมกลุ่มอาชีพสตรี",)]
    assert [k for _, _, k in log(result)] == ["header", "project", "subtotal", "subtotal"]


def test_text_alone_in_the_number_column_is_read_not_dropped_as_a_stub(rules, matcher):
    rows = [["ที่", "โครงการ", "2568"], ["1", "ถนน", "100"], ["ซ่อมแซมศาลา", "", ""], ["5", "", ""]]
    result = read(rows, "ต.หันคา", (), rules=rules, matcher=matcher)
    assert log(result) == [
        (1, "skipped", "header"), (2, "accepted", "project"), (3, "rejected", "rejected"),
        (4, "skipped", "blank_stub"),
    ]  # fmt: skip
    assert issues(result, "missing_project_name") == [(3, "missing_project_name", None)]


# ---- 4. the strategy chain, the form's headers, requests, sheet kinds ------------------------


def test_strategy_chain_lines_above_the_header_apply_to_the_rows(rules, matcher):
    rows = form(pad("1", "ถนน", "", "", "100"))
    result = read(rows, rules=rules, matcher=matcher)
    [p] = result.projects
    assert p["national_strategy_text"] == "ก. ยุทธศาสตร์ชาติ ด้านการสร้างความสามารถในการแข่งขัน"
    assert p["provincial_strategy_text"] == "ง. ยุทธศาสตร์จังหวัดที่ 1 การผลิต แปรรูป การตลาด"
    assert p["local_strategy_text"] == "1. ยุทธศาสตร์การพัฒนาด้านโครงสร้างพื้นฐาน"
    assert p["tactic_text"] == "1.1 กลยุทธ์ พัฒนาเส้นทางคมนาคม"
    assert p["category"] == "(1) แผนงานเคหะและชุมชน"
    # A แผนงาน is a budget programme, not meant to name a provincial strategy: not reported.
    assert issues(result, "unknown_category") == []
    assert [k for _, _, k in log(result)][:11] == ["title"] * 11
    staged = staged_tables(result)["projects"].to_pylist()[0]
    assert staged["tactic_text"] == "1.1 กลยุทธ์ พัฒนาเส้นทางคมนาคม"


def test_strategy_chain_lines_inside_the_table_change_the_rows_under_them(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "2568"],
        ["ง. ยุทธศาสตร์จังหวัดที่ 4 การพัฒนาคุณภาพคน", "", ""],
        ["1. ยุทธศาสตร์การพัฒนาด้านสังคม", "", ""],
        ["1.1 กลยุทธ์ ส่งเสริมสุขภาพ", "", ""],
        ["(1) แผนงานสาธารณสุข", "", ""],
        ["1", "รณรงค์ป้องกันไข้เลือดออก", "100"],
        ["(2) แผนงานสังคมสงเคราะห์", "", ""],
        ["1", "ช่วยเหลือผู้ยากไร้", "50"],
        ["2. ยุทธศาสตร์การพัฒนาด้านเศรษฐกิจ", "", ""],
        ["1", "ส่งเสริมอาชีพ", "70"],
    ]
    result = read(rows, "ต.หันคา", (), rules=rules, matcher=matcher)
    fields = ("category", "provincial_strategy_text", "local_strategy_text", "tactic_text")
    assert projects(result, *fields) == [
        ("(1) แผนงานสาธารณสุข", "ง. ยุทธศาสตร์จังหวัดที่ 4 การพัฒนาคุณภาพคน",
         "1. ยุทธศาสตร์การพัฒนาด้านสังคม", "1.1 กลยุทธ์ ส่งเสริมสุขภาพ"),
        ("(2) แผนงานสังคมสงเคราะห์", "ง. ยุทธศาสตร์จังหวัดที่ 4 การพัฒนาคุณภาพคน",
         "1. ยุทธศาสตร์การพัฒนาด้านสังคม", "1.1 กลยุทธ์ ส่งเสริมสุขภาพ"),
        ("2. ยุทธศาสตร์การพัฒนาด้านเศรษฐกิจ", "ง. ยุทธศาสตร์จังหวัดที่ 4 การพัฒนาคุณภาพคน",
         "2. ยุทธศาสตร์การพัฒนาด้านเศรษฐกิจ", None),
    ]  # fmt: skip
    assert [k for _, _, k in log(result)] == [
        "header", "strategy_chain", "section", "subsection", "subsection", "project",
        "subsection", "project", "section", "project",
    ]  # fmt: skip


def test_a_coordination_sheet_is_requests_of_the_named_agency(rules, matcher):
    rows = [
        ["รายละเอียดโครงการพัฒนา สำหรับประสานโครงการพัฒนาจังหวัด"],
        ["ที่", "โครงการ", "2568", "หน่วยงานที่จะขอประสาน"],
        ["1", "ก่อสร้างถนนลาดยาง", "5,000,000", "แขวงทางหลวงชนบทชัยนาท"],
        ["2", "ขุดลอกคลองสาธารณะ", "900,000", ""],
    ]
    result = read(rows, "ผ.02-2", (), rules=rules, matcher=matcher)
    assert projects(result, "funding_route", "funding_source_text") == [
        ("requested", "แขวงทางหลวงชนบทชัยนาท"),
        ("requested", None),  # the title: ประสาน...
    ]
    assert issues(result, "unknown_header") == []


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [("กราฟ", "chart_sheet", "chart_sheet"), ("ผ.01-1", "summary_sheet", "summary_sheet"),
     ("ผ.01/1 ชุมชน", "summary_sheet", "summary_sheet"),
     ("เทศบัญญัติ 2567", "ordinance_sheet", "ordinance_sheet")],
)  # fmt: skip
def test_summary_chart_and_ordinance_sheets_are_skipped_with_their_kind(name, kind, code, rules,
                                                                        matcher):  # fmt: skip
    rows = [["ที่", "โครงการ", "2568"], ["1", "ถนน", "100"]]
    result = read(rows, name, (), rules=rules, matcher=matcher)
    assert result.projects == []
    assert [k for _, _, k in log(result)] == [kind, kind]
    assert issues(result, code) == [(None, code, name)]


# ---- 7. the signature block anywhere under the table -----------------------------------------


def test_a_signature_block_in_any_column_is_layout(rules, matcher):
    rows = form(
        pad("1", "ถนน", "", "", "100"),
        pad("", "", "", "", "ลงชื่อ..........................ผู้จัดทำ", "", "", "",
            "ลงชื่อ.......................ผู้อนุมัติ"),
        pad("", "", "", "", "(นางสาวสมศรี ใจงาม)", "", "", "", "(………………………)"),
        pad("", "", "", "", "ผู้อำนวยการกองช่าง", "", "", "", "นายกเทศมนตรีตำบลหันคา"),
        pad("", "", "", "", "", "หัวหน้าสำนักปลัด"),
    )  # fmt: skip
    result = read(rows, rules=rules, matcher=matcher)
    assert [k for _, _, k in log(result)][-4:] == ["signature"] * 4
    assert result.rejected == []
    assert len(result.projects) == 1


@pytest.mark.parametrize(
    ("line", "kind", "field"),
    [("ก.ยุทธศาสตร์ชาติ 20 ปี ด้านความมั่นคง", "strategy_chain", "national_strategy_text"),
     ("ยุทธศาสตร์ชาติ ด้านการพัฒนาคน", "strategy_chain", "national_strategy_text"),
     ("ง ยุทธศาสตร์การพัฒนาจังหวัดที่ 2", "strategy_chain", "provincial_strategy_text"),
     ("ยุทธศาสตร์กลุ่มจังหวัดภาคกลางตอนบน 2", "strategy_chain", None),
     ("ยุทธศาสตร์การพัฒนาของ อปท. ในเขตจังหวัดชัยนาท", "strategy_chain", None),
     ("ฉ. นโยบายของผู้บริหาร", "strategy_chain", None),
     ("ยุทธศาสตร์ที่ 3 การพัฒนาด้านสังคม", "section", "local_strategy_text"),
     ("กลยุทธ์ที่ 2 ส่งเสริมอาชีพ", "subsection", "tactic_text")],
)  # fmt: skip
def test_written_variants_of_the_chain_lines(line, kind, field, rules, matcher):
    rows = [["ที่", "โครงการ", "2568"], [line, "", ""], ["1", "ถนน", "100"]]
    result = read(rows, "ต.หันคา", (), rules=rules, matcher=matcher)
    assert [k for _, _, k in log(result)] == ["header", kind, "project"]
    [p] = result.projects
    texts = {f: p[f] for f in ("national_strategy_text", "provincial_strategy_text",
                               "local_strategy_text", "tactic_text")}  # fmt: skip
    assert texts == {f: (line if f == field else None) for f in texts}


def test_same_name_in_another_village_under_an_amendment_is_another_project(rules, matcher):
    rows = [
        ["ที่", "โครงการ", "หมู่ที่", "2568", "2569"],
        ["1", "ซ่อมแซมถนนลูกรัง", "2", "100", ""],
        ["", "เพิ่มเติม 1/68", "", "", ""],
        ["1", "ซ่อมแซมถนนลูกรัง", "5", "", "200"],
        ["2", "ซ่อมแซมถนนลูกรัง", "2", "", "300"],
    ]
    result = read(rows, "ต.หันคา", (), rules=rules, matcher=matcher)
    assert projects(result, "source_row", "village_numbers", "budgets", "plan_revision") == [
        (2, [2], {2568: D("100.00"), 2569: D("300.00")}, "เพิ่มเติม ครั้งที่ 1/2568"),
        (4, [5], {2569: D("200.00")}, "เพิ่มเติม ครั้งที่ 1/2568"),
    ]
    assert issues(result, "amendment_changed_amount") == []
