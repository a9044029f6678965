"""Strategy alignment, development areas and agency normalisation, as plain functions."""

import pandas as pd
import pytest
from oneplan.flows.reference import ALIGNMENT_TABLES, _read_table, load_alignment
from oneplan.transforms import alignment as al


@pytest.fixture(scope="module")
def frame():
    return load_alignment()


def tables(**changes) -> list[pd.DataFrame]:
    """The alignment tables from data/, with some replaced."""
    return [changes.get(name, _read_table(name)) for name in ALIGNMENT_TABLES]


@pytest.mark.parametrize(
    "cell, code",
    [
        ("2", "P2"),
        ("๓", "P3"),
        ("ยุทธศาสตร์ที่ 4", "P4"),
        ("ยุทธศาสตร์จังหวัดที่ 1", "P1"),
        ("การท่องเที่ยวเชิงเรียนรู้และวิถีชีวิตชุมชน", "P2"),
        ("9", None),
        ("-", None),
        ("ด้านโครงสร้างพื้นฐาน", None),
    ],
)
def test_strategy_column_cell_names_a_strategy_by_number_or_name(frame, cell, code):
    assert al.strategy_from_cell(cell, frame) == code


@pytest.mark.parametrize(
    "heading, code",
    [
        ("ยุทธศาสตร์ที่ 3 การบริหารจัดการทรัพยากรป่าไม้ น้ำ สัตว์น้ำ และสิ่งแวดล้อมอย่างสมดุลและยั่งยืน", "P3"),
        ("ยุทธศาสตร์ที่ 2 การท่องเที่ยวเชิงเรียนรู้", "P2"),  # the name shortened
        ("ยุทธศาสตร์จังหวัดที่ 4 ด้านสังคม", "P4"),  # says จังหวัด: the number counts
        ("ยุทธศาสตร์ที่ 4", "P4"),
        # the tambon's own numbering: not provincial strategy 1
        ("ยุทธศาสตร์ที่ 1 ด้านโครงสร้างพื้นฐาน", None),
        ("ด้านการท่องเที่ยวและวัฒนธรรม", None),
    ],
)
def test_heading_names_a_strategy_only_explicitly(frame, heading, code):
    assert al.strategy_from_heading(heading, frame) == code


def test_inference_needs_a_clear_winner(frame):
    assert al.infer_strategy(["ด้านเศรษฐกิจและการเกษตร", "ส่งเสริมอาชีพเกษตรอินทรีย์"], frame) == "P1"
    assert al.infer_strategy([None, "ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ที่ 3"], frame) == "P4"
    # one P1 keyword (ข้าว) and one P3 keyword (ขยะ): a tie is no answer
    assert al.infer_strategy([None, "ขยะ ข้าว"], frame) is None
    assert al.infer_strategy([None, "จัดซื้อครุภัณฑ์สำนักงาน"], frame) is None


def test_align_strategy_order_column_section_inferred(frame):
    name = "ส่งเสริมประเพณีลอยกระทง"
    assert al.align_strategy("3", None, "ยุทธศาสตร์ที่ 1", name, frame) == ("P3", "column")
    assert al.align_strategy(None, "ยุทธศาสตร์ที่ 1 การผลิต", None, name, frame) == (
        "P1",
        "column",
    )
    assert al.align_strategy("", None, "ยุทธศาสตร์ที่ 4", name, frame) == ("P4", "section")
    assert al.align_strategy("ไม่ระบุ", None, "ด้านวัฒนธรรม", name, frame) == ("P2", "inferred")
    assert al.align_strategy(None, None, "ด้านสังคม", name, frame) == (None, None)  # a tie
    assert al.align_strategy(None, None, None, "จัดซื้อครุภัณฑ์", frame) == (None, None)


@pytest.mark.parametrize(
    "category, area",
    [
        ("ด้านโครงสร้างพื้นฐาน", "infrastructure"),
        ("ด้านการบริหารจัดการทรัพยากรธรรมชาติ", "environment"),  # not governance: order wins
        ("ยุทธศาสตร์ที่ 4 การพัฒนาคุณภาพคน และความมั่นคงทางสังคม", "quality_of_life"),
        ("ด้านการเมืองการบริหาร", "governance"),
        ("ด้านอื่น ๆ", None),
        (None, None),
    ],
)
def test_category_to_development_area(frame, category, area):
    assert al.development_area(category, frame) == area


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("อบต.สุขเดือนห้า", "องค์การบริหารส่วนตำบลสุขเดือนห้า"),
        ("องค์การบริหารส่วนตำบลสุขเดือนห้า", "องค์การบริหารส่วนตำบลสุขเดือนห้า"),
        ("อบต. สุขเดือนห้า อำเภอเนินขาม", "องค์การบริหารส่วนตำบลสุขเดือนห้า"),
        ("กองช่าง อบต.", "องค์การบริหารส่วนตำบลเนินขาม"),  # the project's own tambon
        ("ทต.เนินขาม", "เทศบาลตำบลเนินขาม"),
        ("อบจ.", "องค์การบริหารส่วนจังหวัดชัยนาท"),
        ("อบจ.ชัยนาท", "องค์การบริหารส่วนจังหวัดชัยนาท"),
        ("ทช.", "กรมทางหลวงชนบท"),
        ("แขวงทางหลวงชนบทชัยนาท", "กรมทางหลวงชนบท"),
        ("กรมทางหลวง", "กรมทางหลวง"),
        ("โยธาฯ", "สำนักงานโยธาธิการและผังเมืองจังหวัดชัยนาท"),
        ("ทถ.", "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดชัยนาท"),
        ("สำนักงานเกษตรอำเภอหันคา", "สำนักงานเกษตรอำเภอหันคา"),
        ("ชมรมผู้สูงอายุ", None),
        ("ส่งเสริมอาชีพเกษตรกร", None),  # เกษตร is not an agency on its own
    ],
)
def test_agency_texts_resolve_to_one_canonical_name(frame, typed, canonical):
    names = ["สุขเดือนห้า", "เนินขาม", "กะบกเตี้ย"]
    assert al.canonical_agency(typed, frame, "เนินขาม", names) == canonical


def test_longest_tambon_wins_after_the_alias(frame):
    names = ["ห้วยกรด", "ห้วยกรดพัฒนา"]
    assert al.canonical_agency("อบต.ห้วยกรดพัฒนา", frame, "ห้วยกรด", names) == (
        "องค์การบริหารส่วนตำบลห้วยกรดพัฒนา"
    )


def test_requested_from_skips_the_tambons_own_body(frame):
    texts = ["อบต.สุขเดือนห้า ร่วมกับ อบจ.", "อบต.สุขเดือนห้า"]
    assert al.requested_from("joint", texts, frame) == "องค์การบริหารส่วนจังหวัดชัยนาท"
    assert al.requested_from("requested", ["ขอรับการสนับสนุน", "ทช."], frame) == "กรมทางหลวงชนบท"
    assert al.requested_from("requested", ["ขอรับการสนับสนุน", "อบต."], frame) is None
    assert al.requested_from("own", ["อบจ."], frame) is None


def test_align_projects_adds_columns_and_reports(frame):
    projects = pd.DataFrame(
        {
            "tambon_code": ["180801", "180801", "180801"],
            "project_name": ["ก่อสร้างถนน", "จัดซื้อครุภัณฑ์", "ขุดลอกคลองส่งน้ำ"],
            "category": [None, None, "ยุทธศาสตร์ที่ 3"],
            "section_text": [None, None, "ยุทธศาสตร์ที่ 3"],
            "strategy_text": ["1", "ยุทธศาสตร์ที่ 9", None],
            "responsible_agency": ["อบต.", "ชมรมผู้สูงอายุ", None],
            "funding_source_text": [None, "ขอรับการสนับสนุน", "ขอรับการสนับสนุนจาก อบจ."],
            "funding_route": [None, "requested", "requested"],
        }
    )
    aligned, findings = al.align_projects(projects, frame, {"180801": "เนินขาม"})
    assert aligned[list(al.ALIGNED_COLUMNS)].to_dict("list") == {
        "strategy_code": ["P1", None, "P3"],
        "strategy_source": ["column", None, "section"],
        "development_area": [None, None, None],
        "responsible_agency": ["องค์การบริหารส่วนตำบลเนินขาม", "ชมรมผู้สูงอายุ", None],
        "responsible_agency_text": ["อบต.", "ชมรมผู้สูงอายุ", None],
        "requested_from": [None, None, "องค์การบริหารส่วนจังหวัดชัยนาท"],
    }
    assert [(f.index, f.code) for f in findings] == [
        (1, "unknown_strategy_value"),
        (1, "strategy_unknown"),
        (1, "agency_unknown"),
        (1, "requested_from_unknown"),
    ]


def test_strategies_frame_has_levels_and_parents(frame):
    got = al.strategies_frame(frame)
    assert list(got["strategy_code"]) == [
        "N1",
        "N2",
        "N3",
        "N4",
        "N5",
        "N6",
        "P1",
        "P2",
        "P3",
        "P4",
    ]
    assert got.set_index("strategy_code")["parent_codes"].to_dict()["P4"] == ["N3", "N4", "N1"]
    assert set(got["level"]) == {"national", "provincial"}


@pytest.mark.parametrize(
    "table, bad, message",
    [
        (
            "strategy_links",
            {"strategy_code": "P9", "parent_code": "N1", "note": ""},
            "strategy_links.csv line 8",
        ),
        (
            "strategy_links",
            {"strategy_code": "P1", "parent_code": "N7", "note": ""},
            "strategy_links.csv line 8",
        ),
        (
            "strategy_keywords",
            {"strategy_code": "P5", "keyword": "x", "note": ""},
            "strategy_keywords.csv",
        ),
        (
            "development_area_synonyms",
            {"pattern": "x", "area_code": "nope", "note": ""},
            "synonyms.csv",
        ),
        (
            "strategies_provincial",
            {"code": "P1", "number": "5", "name_th": "x", "name_en": "x"},
            "unique",
        ),
    ],
)
def test_bad_reference_rows_are_refused_with_their_line(table, bad, message):
    frame = pd.concat([_read_table(table), pd.DataFrame([bad])], ignore_index=True)
    with pytest.raises(ValueError, match=message):
        al.build_alignment(*tables(**{table: frame}))


def test_reader_carries_the_strategy_cell_section_and_source_text(rules, matcher):
    from oneplan.transforms.sheet import FileContext, Sheet, read_sheets

    rows = [
        ["ที่", "ตำบล", "โครงการ", "ยุทธศาสตร์จังหวัดที่", "แหล่งงบประมาณ", "2568"],
        ["", "", "ยุทธศาสตร์ที่ 3 การบริหารจัดการทรัพยากร", "", "", ""],
        ["1", "ตลุก", "ขุดลอกคลอง", "๓", "ขอรับการสนับสนุนจาก อบจ.", "1,000"],
        ["2", "ตลุก", "ก่อสร้างถนน", "", "", "2,000"],
    ]
    ctx = FileContext("1804/plan.xlsx", "1804", "สรรพยา", "plan")
    result = read_sheets([Sheet("แผน", rows, ())], ctx, rules, matcher)
    got = [
        (p["strategy_text"], p["section_text"], p["funding_source_text"], p["funding_route"])
        for p in result.projects
    ]
    heading = "ยุทธศาสตร์ที่ 3 การบริหารจัดการทรัพยากร"
    assert got == [
        ("๓", heading, "ขอรับการสนับสนุนจาก อบจ.", "requested"),
        (None, heading, None, None),
    ]
    assert not [i for i in result.issues if i["code"] == "unknown_header"]


def test_a_long_source_cell_is_cut_and_reported_once(rules, matcher):
    from oneplan.transforms.sheet import FileContext, Sheet, read_sheets

    long_text = "ขอรับการสนับสนุนจาก อบจ. " + "ก" * 3000
    rows = [
        ["ที่", "ตำบล", "โครงการ", "แหล่งงบประมาณ", "2568"],
        ["1", "ตลุก", "ขุดลอกคลอง", long_text, "1"],
    ]
    ctx = FileContext("1804/plan.xlsx", "1804", "สรรพยา", "plan")
    result = read_sheets([Sheet("แผน", rows, ())], ctx, rules, matcher)
    [project] = result.projects
    assert project["funding_source_text"] == long_text[: rules.max_cell_chars]
    assert [i["code"] for i in result.issues].count("cell_truncated") == 1
