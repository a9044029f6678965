"""Shaping what people read: inert text, Thai dates, the workbook's tables, chart geometry."""

from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd
from oneplan.transforms.outputs import (
    inert_text,
    markdown_text,
    project_table,
    requested_groups,
    stacked_bars,
    summarize_districts,
    text_bar,
    thai_datetime,
)

D = Decimal


def test_inert_text_drops_control_characters_and_bidi_overrides():
    hostile = "\x1b[32mผ่าน\x1b[0m\rไม่ผ่าน\x00\x07\u202eabc\x9b\tX\nY"
    assert inert_text(hostile) == "[32mผ่าน[0m\nไม่ผ่าน" + "abc\tX\nY"
    assert inert_text("a\r\nb", keep_newlines=False) == "a b"
    assert inert_text(None) == ""
    assert inert_text(150000) == "150000"


def test_markdown_text_escapes_links_html_and_tables():
    assert markdown_text("[ดู](http://evil.example)") == "\\[ดู\\](http://evil.example)"
    assert markdown_text("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert markdown_text("a|b & *c* `d`\nขึ้นบรรทัด") == "a\\|b &amp; \\*c\\* \\`d\\` ขึ้นบรรทัด"
    assert markdown_text("ถนน คสล. หมู่ที่ 3 (ต่อ)") == "ถนน คสล. หมู่ที่ 3 (ต่อ)"


def test_thai_datetime_is_bangkok_time_in_the_buddhist_era():
    assert thai_datetime(datetime(2026, 12, 1, 19, 9, tzinfo=UTC)) == "2 ธันวาคม 2569 02:09 น."
    assert thai_datetime(datetime(2026, 1, 31, 17, 0)) == "1 กุมภาพันธ์ 2569 00:00 น."
    assert thai_datetime(None) == ""


def plan_rows() -> pd.DataFrame:
    rows = [
        # project_id, district, tambon, year, amount, route, name, category, agency
        ("p1", "1801", "ในเมือง", 2568, D("100.10"), "own", "ถนน", "ด้านโครงสร้าง", "อบต."),
        ("p1", "1801", "ในเมือง", 2569, D("0.00"), "own", "ถนน", "ด้านโครงสร้าง", "อบต."),
        ("p2", "1801", "ท่าชัย", 2568, D("50.05"), "requested", "ประปา", None, "กรมทรัพยากรน้ำ"),
        ("p3", "1801", "ท่าชัย", 2568, D("7.00"), None, "ขุดลอก", "", None),
        ("p4", "1806", "หันคา", 2569, D("1000000.99"), "joint", "ศาลา", "ด้านสังคม", "อบจ."),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "project_id",
            "district_code",
            "tambon_name_th",
            "fiscal_year",
            "amount_thb",
            "funding_route",
            "project_name",
            "category",
            "responsible_agency",
        ],
    )
    return frame.assign(
        district_name_th=frame["district_code"].map({"1801": "เมือง", "1806": "หันคา"})
    )


DISTRICTS = pd.DataFrame(
    {"district_code": ["1801", "1806", "1808"], "district_name_th": ["เมือง", "หันคา", "เนินขาม"]}
)


def test_summary_keeps_funding_routes_apart_to_the_satang():
    got = summarize_districts(plan_rows(), DISTRICTS)
    assert got.to_dict("records") == [
        {
            "district_code": "1801",
            "district_name_th": "เมือง",
            "fiscal_year": 2568,
            "own_thb": D("100.10"),
            "joint_thb": D("0.00"),
            "requested_thb": D("50.05"),
            "unstated_thb": D("7.00"),
            "total_thb": D("157.15"),
            "n_projects": 3,
        },
        {
            "district_code": "1801",
            "district_name_th": "เมือง",
            "fiscal_year": 2569,
            "own_thb": D("0.00"),
            "joint_thb": D("0.00"),
            "requested_thb": D("0.00"),
            "unstated_thb": D("0.00"),
            "total_thb": D("0.00"),
            "n_projects": 1,
        },
        {
            "district_code": "1806",
            "district_name_th": "หันคา",
            "fiscal_year": 2569,
            "own_thb": D("0.00"),
            "joint_thb": D("1000000.99"),
            "requested_thb": D("0.00"),
            "unstated_thb": D("0.00"),
            "total_thb": D("1000000.99"),
            "n_projects": 1,
        },
    ]


def test_project_table_is_one_row_per_project_with_a_column_per_year():
    got = project_table(plan_rows(), [2568, 2569])
    assert list(got["project_id"]) == ["p1", "p2", "p3", "p4"]
    assert list(got["thb_2568"]) == [D("100.10"), D("50.05"), D("7.00"), None]
    # A zero budget is a budget; no row that year is no budget (None), not zero.
    assert list(got["thb_2569"]) == [D("0.00"), None, None, D("1000000.99")]
    assert list(got["total_thb"]) == [D("100.10"), D("50.05"), D("7.00"), D("1000000.99")]
    assert list(got["route"]) == ["own", "requested", "unstated", "joint"]


def test_requested_groups_by_agency_asked_when_the_data_says_it():
    projects = project_table(plan_rows(), [2568, 2569])
    column, groups = requested_groups(projects)
    assert column == "responsible_agency"
    assert [(k, list(g["project_id"])) for k, g in groups] == [("กรมทรัพยากรน้ำ", ["p2"])]
    with_asked = plan_rows().assign(requested_from=["", "", "อบจ.ชัยนาท", "", ""])
    projects = project_table(with_asked, [2568, 2569], ("requested_from",))
    column, groups = requested_groups(projects)
    assert column == "requested_from"
    assert [(k, list(g["project_id"])) for k, g in groups] == [("อบจ.ชัยนาท", ["p2"])]


def test_stacked_bars_scale_to_the_largest_total_and_keep_exact_values():
    bars = stacked_bars([("ก", [D("300.00"), D("100.00")]), ("ข", [D("100.00"), D("0.00")])], 400)
    assert bars[0]["total"] == D("400.00")
    assert [(s["x"], s["w"]) for s in bars[0]["segments"]] == [(0.0, 300.0), (300.0, 100.0)]
    assert [(s["x"], s["w"]) for s in bars[1]["segments"]] == [(0.0, 100.0), (100.0, 0.0)]
    assert bars[1]["end"] == 100.0
    assert stacked_bars([("ว่าง", [0, 0])])[0]["segments"][0]["w"] == 0.0


def test_text_bar():
    assert text_bar(10, 10, 4) == "████"
    assert text_bar(5, 10, 3) == "█▌"
    assert text_bar(0, 10) == ""


def test_project_records_equal_to_dict_records_value_for_value():
    from oneplan.transforms.outputs import project_records

    frame = pd.DataFrame(
        [("ก", 1, Decimal("1.50"), None, ["3"]), (None, 2, None, 3, [])], columns=list("abcde")
    )
    got, want = project_records(frame), frame.to_dict("records")
    assert [{k: repr(v) for k, v in r.items()} for r in got] == [
        {k: repr(v) for k, v in r.items()} for r in want
    ]
    assert got[0]["c"] == Decimal("1.50") and got[1]["d"] == 3.0 and got[0]["e"] == ["3"]


def test_inert_text_drops_every_invisible_format_character():
    """LRM/RLM, isolates, ZWSP, BOM, tags: nothing that reorders or hides text reaches a
    terminal line, a report or a workbook; tabs and newlines stay."""
    assert inert_text("a\u200fb\u200bc\u2067d\u2069\ufeff\U000e0041\t\n\x1b[2Je") == "abcd\t\n[2Je"
