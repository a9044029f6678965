import pandas as pd
import pytest
from oneplan.flows.reference import load_level_patterns
from oneplan.transforms.levels import (
    FilePlan,
    file_plan,
    place_level,
    place_projects,
    place_rows,
    resolve_province_folder,
    title_texts,
)


@pytest.mark.parametrize(
    ("source_file", "titles", "sheets", "level"),
    [
        ("1804/แผนชุมชน หมู่ที่ 3 ต.ตลุก.xlsx", [], [], "village"),
        ("1804/plan.xlsx", ["แผนพัฒนาหมู่บ้าน บ้านหนองแซง หมู่ที่ 4"], [], "village"),
        ("1804/plan.xlsx", [], ["แผนพัฒนาอำเภอ"], "district"),
        ("1804/แผนพัฒนาอำเภอสรรพยา.csv", [], [], "district"),
        ("1804/แผนพัฒนาตำบล อ.สรรพยา.csv", [], [], "tambon"),  # อ. after ตำบล: still tambon
        ("1804/แผนพัฒนาตำบล อำเภอสรรพยา.csv", [], [], "tambon"),
        ("1804/x.csv", ["แผนปฏิบัติราชการประจำปีของจังหวัดชัยนาท พ.ศ. 2569"], [], "province"),
        ("1804/x.csv", ["แผนพัฒนาจังหวัด ชัยนาท"], [], "province"),  # spaces ignored
        ("1804/บัญชีโครงการ.xlsx", ["บัญชีโครงการ"], ["Sheet1"], "tambon"),  # the default
        ("1804/แผนพัฒนาหมู่บ้าน/plan.csv", [], [], "village"),  # a folder names it
    ],
)
def test_plan_level_from_file_name_title_sheet_or_folder(source_file, titles, sheets, level):
    plan = file_plan(source_file, sheets, titles, load_level_patterns(), "1804")
    assert plan.plan_level == level


def test_typing_variants_of_sara_am_still_match():
    # ตำบล typed with NIKHAHIT + SARA AA
    assert load_level_patterns().find("แผนพัฒนาต\u0e4d\u0e32บล") == "tambon"


def test_a_file_of_the_province_folder_is_a_province_plan():
    plan = file_plan("18/บัญชี.xlsx", [], [], load_level_patterns(), "18", in_province_folder=True)
    assert plan == FilePlan("province", "18", ())


def test_default_place_and_village_of_each_level():
    patterns = load_level_patterns()
    assert file_plan("1804/แผนพัฒนาอำเภอ.xlsx", [], [], patterns, "1804").default_place == "1804"
    assert file_plan("1804/แผนพัฒนาตำบล.xlsx", [], [], patterns, "1804").default_place is None
    village = file_plan("1804/แผนชุมชน ม.7 ต.ตลุก.xlsx", [], [], patterns, "1804")
    assert village == FilePlan("village", None, (7,))


def test_unknown_level_in_the_table_is_refused():
    from oneplan.transforms.levels import LevelPatterns

    with pytest.raises(ValueError, match="unknown plan_level"):
        LevelPatterns.from_table(pd.DataFrame({"plan_level": ["hamlet"], "pattern": ["x"]}))


@pytest.mark.parametrize(
    ("folder", "code"),
    [
        ("จังหวัด", "18"),
        ("จ.ชัยนาท", "18"),
        ("จ. ชัยนาท", "18"),
        ("จังหวัดชัยนาท", "18"),
        ("18", "18"),
        ("Chai Nat", "18"),
        ("ชัยนาท", None),  # a tambon's name too: not the province without จ./จังหวัด
        ("จ.สิงห์บุรี", None),  # not in scope
        ("1804", None),
    ],
)
def test_resolve_province_folder(folder, code):
    assert resolve_province_folder(folder, ["18"]) == code


def test_bare_province_folder_is_refused_when_several_provinces_are_in_scope():
    assert resolve_province_folder("จังหวัด", ["18", "17"]) is None
    assert resolve_province_folder("จ.สิงห์บุรี", ["18", "17"]) == "17"


def test_place_rows_add_one_row_per_district_and_the_province(areas):
    places = place_rows(areas)
    assert places["tambon_code"].is_unique
    assert places["area_level"].value_counts().to_dict() == {
        "tambon": 53,
        "district": 8,
        "province": 1,
    }
    row = places.set_index("tambon_code").loc["1806"]
    assert (row["district_code"], row["tambon_name_th"]) == ("1806", "ทั้งอำเภอหันคา")
    assert places.set_index("tambon_code").loc["18", "tambon_name_th"] == "ทั้งจังหวัดชัยนาท"
    assert [place_level(c) for c in ("180402", "1804", "18")] == ["tambon", "district", "province"]


def test_title_texts_join_the_cells_of_the_first_rows():
    rows = [[None, "แผนชุมชน", " หมู่ที่ 3 "], [], ["ที่", "โครงการ"]] + [["x"]] * 10
    assert title_texts(rows, limit=3) == ["แผนชุมชน หมู่ที่ 3", "ที่ โครงการ"]


def test_place_projects_sets_level_village_and_the_district_of_a_province_row():
    projects = pd.DataFrame(
        {
            "submission_id": ["v", "v", "p", "p", "t"],
            "district_code": ["1804", "1804", "18", "18", "1804"],
            "tambon_code": ["180402", "180402", "180403", "18", "180402"],
            "village_numbers": [[], [2], [], [], []],
        }
    )
    plans = {
        "v": FilePlan("village", None, (5,)),
        "p": FilePlan("province", "18"),
        "t": FilePlan("tambon"),
    }
    out = place_projects(projects, plans)
    assert out["plan_level"].tolist() == ["village", "village", "province", "province", "tambon"]
    assert out["village_numbers"].tolist() == [[5], [2], [], [], []]
    assert out["district_code"].tolist() == ["1804", "1804", "1804", "18", "1804"]
    assert out["plan_key"].tolist() == ["village:5", "village:5", "province", "province", ""]
