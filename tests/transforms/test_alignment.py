"""Strategy alignment, development areas and agency normalisation, as plain functions."""

import pandas as pd
import pytest
from oneplan.flows.reference import ALIGNMENT_TABLES, _read_table, load_alignment
from oneplan.transforms import alignment as al


@pytest.fixture(scope="module")
def frame():
    return load_alignment()


def tables(**changes) -> list:
    """The arguments of build_alignment from the tables in data/, with some replaced."""
    levels, *others = (changes.get(name, _read_table(name)) for name in ALIGNMENT_TABLES)
    level_tables = {
        level: changes.get(f"strategies_{level}", _read_table(f"strategies_{level}"))
        for level in levels["level"]
        if level in al.LEVELS
    }
    return [levels, level_tables, *others]


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
        "national_strategy_code": [None, None, None],
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


def test_strategies_frame_has_every_level_and_what_each_serves_above(frame):
    got = al.strategies_frame(frame).set_index("strategy_code")
    assert list(got.index) == [
        *("N1", "N2", "N3", "N4", "N5", "N6"),
        *("RG1", "RG2", "RG3", "RG4"),
        *("CL1", "CL2", "CL3"),
        *("P1", "P2", "P3", "P4"),
    ]
    assert list(dict.fromkeys(got["level"])) == ["national", "regional", "cluster", "provincial"]
    assert got.loc["CL1", "plan_name_th"] == (
        "แผนพัฒนากลุ่มจังหวัดภาคกลางตอนบน 2 (ชัยนาท ลพบุรี สิงห์บุรี อ่างทอง)"
    )
    columns = ["parent_codes", "cluster_codes", "regional_codes", "national_codes"]
    rows = got[columns].map(list).to_dict("index")
    # P4 states its national areas itself: they are taken as written, not through CL3.
    assert rows["P4"] == {
        "parent_codes": ["N3", "N4", "N1", "CL3"],
        "cluster_codes": ["CL3"],
        "regional_codes": ["RG3", "RG4"],
        "national_codes": ["N3", "N4", "N1"],
    }
    # CL3 reaches the national level only through its regional issues.
    assert rows["CL3"] == {
        "parent_codes": ["RG3", "RG4"],
        "cluster_codes": [],
        "regional_codes": ["RG3", "RG4"],
        "national_codes": ["N5", "N3", "N4"],
    }
    assert rows["N1"] == dict.fromkeys(columns, [])


def test_a_provincial_strategy_linked_only_to_its_cluster_reaches_every_level(frame):
    links = pd.DataFrame(
        [("P1", "CL1"), ("CL1", "RG1"), ("RG1", "N2"), ("RG1", "N5")],
        columns=["strategy_code", "parent_code"],
    ).assign(note="")
    aligned = al.build_alignment(*tables(strategy_links=links))
    got = al.strategies_frame(aligned).set_index("strategy_code")
    assert [
        list(got.loc["P1", c]) for c in ("cluster_codes", "regional_codes", "national_codes")
    ] == [
        ["CL1"],
        ["RG1"],
        ["N2", "N5"],
    ]
    assert list(got.loc["P2", "national_codes"]) == []


def test_a_run_without_the_cluster_and_regional_levels_still_aligns(frame):
    levels = _read_table("strategy_levels")
    levels = levels[levels["level"].isin(["national", "provincial"])]
    links = _read_table("strategy_links")
    links = links[
        ~links["parent_code"].str.match(r"CL|RG") & ~links["strategy_code"].str.match(r"CL|RG")
    ]
    aligned = al.build_alignment(*tables(strategy_levels=levels, strategy_links=links))
    assert {s.level for s in aligned.strategies} == {"national", "provincial"}
    assert al.strategies_frame(aligned).set_index("strategy_code").loc["P3", "national_codes"] == [
        "N5"
    ]


@pytest.mark.parametrize(
    "text, code",
    [
        ("ง. ยุทธศาสตร์จังหวัดที่ 2 การท่องเที่ยวเชิงเรียนรู้", "P2"),
        ("ง. ยุทธศาสตร์การพัฒนาจังหวัดชัยนาท ประเด็นการพัฒนาที่ ๓", "P3"),
        ("ยุทธศาสตร์จังหวัดชัยนาทที่ 4", "P4"),
        ("ง) ประเด็นยุทธศาสตร์ข้อ 1", "P1"),
        ("ยุทธศาสตร์จังหวัดชัยนาท การท่องเที่ยวเชิงเรียนรู้และวิถีชีวิตชุมชน", "P2"),  # the name
        ("ง. ยุทธศาสตร์จังหวัด ด้านการเกษตรและการแปรรูป", "P1"),  # keywords
        ("ง. ยุทธศาสตร์จังหวัดที่ 9", None),
        ("ง. ยุทธศาสตร์จังหวัด", None),
        ("", None),
    ],
)
def test_the_files_stated_provincial_strategy(frame, text, code):
    assert al.provincial_from_text(text, frame) == code


@pytest.mark.parametrize(
    "text, code",
    [
        ("ก. ยุทธศาสตร์ชาติ ด้านการสร้างความสามารถในการแข่งขัน", "N2"),
        ("ก. ยุทธศาสตร์ชาติ 20 ปี (พ.ศ. 2561-2580) ด้านที่ 5", "N5"),
        ("ยุทธศาสตร์ชาติที่ ๓", "N3"),
        ("ก.ยุทธศาสตร์ชาติด้านความมั่นคง", "N1"),
        ("ก. ยุทธศาสตร์ชาติ 20 ปี", None),
    ],
)
def test_the_files_stated_national_strategy(frame, text, code):
    assert al.national_from_text(text, frame) == code


def test_the_files_stated_strategy_beats_headings_and_keywords(frame):
    stated = "ง. ยุทธศาสตร์จังหวัดที่ 2 การท่องเที่ยวเชิงเรียนรู้และวิถีชีวิตชุมชน"
    projects = pd.DataFrame(
        {
            "source_file": ["1801/เทศบาล.xlsx"] * 4,
            "tambon_code": ["1801"] * 4,
            # keywords of P1 (เกษตร) in the name and a P3 heading: the title line wins
            "project_name": ["ส่งเสริมเกษตรอินทรีย์", "ขุดลอกคลอง", "ซ่อมถนน", "ถนน"],
            "section_text": [None, "ยุทธศาสตร์จังหวัดที่ 3", None, None],
            "strategy_text": [None, None, "4", None],  # a row's own cell is more precise
            "provincial_strategy_text": [stated, stated, stated, "ง. ยุทธศาสตร์จังหวัดที่ 9"],
            "national_strategy_text": ["ก. ยุทธศาสตร์ชาติ ด้านการสร้างความสามารถในการแข่งขัน"] * 3
            + ["ก. ยุทธศาสตร์ชาติ ด้านดาวอังคาร"],
        }
    )
    aligned, findings = al.align_projects(projects, frame, {})
    assert aligned[["strategy_code", "strategy_source", "national_strategy_code"]].to_dict(
        "list"
    ) == {
        "strategy_code": ["P2", "P2", "P4", "P4"],
        "strategy_source": ["file", "file", "column", "inferred"],
        "national_strategy_code": ["N2", "N2", "N2", None],
    }
    # one warning per file and unmatched title line, none for the rows it aligned
    assert [(f.index, f.code, f.value) for f in findings] == [
        (3, "unknown_file_strategy", "ง. ยุทธศาสตร์จังหวัดที่ 9"),
        (3, "unknown_file_strategy", "ก. ยุทธศาสตร์ชาติ ด้านดาวอังคาร"),
    ]


@pytest.mark.parametrize(
    "table, bad, message",
    [
        (
            "strategy_links",
            {"strategy_code": "P9", "parent_code": "N1", "note": ""},
            "strategy_links.csv line 21",
        ),
        (
            "strategy_links",
            {"strategy_code": "P1", "parent_code": "N7", "note": ""},
            "strategy_links.csv line 21",
        ),
        (
            "strategy_links",
            {"strategy_code": "RG1", "parent_code": "CL1", "note": ""},
            "strategy_links.csv line 21: CL1 \\(cluster\\) is not a level above",
        ),
        (
            "strategy_levels",
            {"level": "district", "rank": "5", "plan_name_th": "x", "plan_name_en": "x"},
            "strategy_levels.csv line 6",
        ),
        (
            "strategies_cluster",
            {"code": "P1", "number": "9", "name_th": "x", "name_en": "x"},
            "code 'P1' is also a cluster strategy",
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
