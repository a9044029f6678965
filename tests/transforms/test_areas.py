import pytest
from oneplan.transforms.areas import name_key, resolve_district_folder


def test_areas_has_all_53_chai_nat_tambons_in_8_districts(areas):
    assert len(areas) == 53
    assert areas["district_code"].nunique() == 8
    assert areas["tambon_code"].is_unique
    assert areas.loc[areas["tambon_code"] == "180402", "tambon_name_th"].item() == "ตลุก"


@pytest.mark.parametrize(
    ("folder", "code"),
    [
        ("1801", "1801"),
        ("มโนรมย์", "1802"),
        ("Wat Sing", "1803"),
        ("อำเภอสรรพยา", "1804"),
        ("sankhaburi", "1805"),
        ("SANKHABURI", "1805"),
        ("อ.เนินขาม", "1808"),
        ("อ. หันคา", "1806"),
        ("Nong Mamong", "1807"),
        ("1899", None),
        ("misc", None),
        ("ตลุก", None),  # a tambon, not a district
    ],
)
def test_resolve_district_folder(folder, code, areas):
    assert resolve_district_folder(folder, areas) == code


def test_name_key_drops_prefixes_and_spaces():
    assert name_key("ต.ห้วยกรด  พัฒนา") == "ห้วยกรดพัฒนา"
    assert name_key("ตำบล ตลุก") == "ตลุก"
    assert name_key(None) == ""


@pytest.mark.parametrize(
    ("written", "district", "status", "code"),
    [
        ("ตลุก", "1804", "exact", "180402"),
        ("ต.ตลุก", "1804", "exact", "180402"),
        ("ตำบล ตลุก อ.สรรพยา", "1804", "exact", "180402"),
        ("Taluk", "1804", "exact", "180402"),
        ("ห้วยกรด พัฒนา", "1805", "exact", "180508"),
        ("ห้วยกรด", "1805", "exact", "180503"),
        ("ศิลาดาร", "1802", "fuzzy", "180203"),
        ("ตลุก", "1802", "wrong_district", "180402"),
        ("บางกอกน้อย", "1804", "unknown", None),
    ],
)
def test_tambon_matcher(written, district, status, code, matcher):
    found = matcher.match(written, district)
    assert (found.status, found.tambon_code) == (status, code)


@pytest.mark.parametrize(
    ("text", "district", "code"),
    [
        ("แผนพัฒนาตำบล ตำบลบ้านเชี่ยน อำเภอหันคา จังหวัดชัยนาท", "1806", "180602"),
        ("แผนพัฒนาตำบล_อำเภอหันคา", "1806", None),  # a district name is not a tambon
        ("แผนพัฒนาตำบลห้วยกรด", "1805", "180503"),
        ("ห้วยกรด พัฒนา", "1805", "180508"),
        ("ต.ตลุก (2)", "1804", "180402"),
        ("Sheet1", "1804", None),
    ],
)
def test_find_in_text(text, district, code, matcher):
    found = matcher.find_in_text(text, district)
    assert (found.tambon_code if found else None) == code


def test_province_scope():
    from oneplan.transforms.areas import areas_frame, province_codes

    assert province_codes("18") == ["18"]
    assert province_codes("18, 17") == ["18", "17"]
    assert len(province_codes("all")) == 77
    with pytest.raises(ValueError, match="unknown province"):
        province_codes("99")
    nation = areas_frame("all")
    assert (len(nation), nation["district_code"].nunique()) == (7436, 928)


def test_district_name_shared_by_provinces_needs_the_code():
    from oneplan.transforms.areas import areas_frame

    nation = areas_frame("all")
    # Several provinces have an อำเภอเฉลิมพระเกียรติ: the name alone is not enough.
    assert resolve_district_folder("เฉลิมพระเกียรติ", nation) is None
    assert resolve_district_folder("เมืองชัยนาท", nation) == "1801"


@pytest.mark.parametrize(
    ("written", "scope", "code"),
    [
        ("ตลุก อ.สรรพยา", "18", "180402"),  # a province file: tambon and its district
        ("ต.ตลุก อำเภอสรรพยา", "18", "180402"),
        ("อ.หันคา", "18", "1806"),  # a district alone: district-wide
        ("อำเภอเมืองชัยนาท", "18", "1801"),
        ("ทั้งจังหวัด", "18", "18"),
        ("จังหวัดชัยนาท", "18", "18"),
        ("ตลุก", "18", "180402"),  # one tambon of that name in the province
        ("ทั้งอำเภอ", "1804", "1804"),  # a district file: the whole district
        ("ตลุก", "1804", "180402"),  # tambon plans are matched as before
    ],
)
def test_places_wider_than_a_tambon_in_province_and_district_files(matcher, written, scope, code):
    found = matcher.match(written, scope)
    assert (found.status, found.tambon_code) == ("exact", code)


@pytest.mark.parametrize("scope", ["1801", "1806", "1807", "18"])
@pytest.mark.parametrize("form", ["อ.{d}", "อำเภอ{d}", "อำเภอ {d}", "ทั้งอำเภอ{d}", "อ.{d} จ.ชัยนาท"])
def test_a_district_written_with_its_prefix_is_the_whole_district_in_every_plan(
    matcher, scope, form
):
    # The prefix decides, also where a tambon shares the district's name (หันคา, หนองมะโมง).
    names = {"1801": "เมืองชัยนาท", "1806": "หันคา", "1807": "หนองมะโมง"}
    for code, name in names.items():
        found = matcher.match(form.format(d=name), scope)
        expected = "exact" if scope in ("18", code) else "wrong_district"
        assert (found.status, found.tambon_code) == (expected, code)


@pytest.mark.parametrize(
    ("written", "scope", "status", "code"),
    [
        ("ทั้งอำเภอ", "1807", "exact", "1807"),
        ("ทั้งอำเภอ", "18", "unknown", None),  # which district? a province file must say
        ("จ.ชัยนาท", "1806", "exact", "18"),
        ("ทั้งจังหวัด", "1806", "exact", "18"),
        ("จังหวัดอุทัยธานี", "1806", "unknown", None),
        ("หันคา", "1806", "exact", "180601"),  # no prefix: the tambon, as before
        ("ต.หันคา อ.หันคา", "1806", "exact", "180601"),
        ("ตำบลหันคา อำเภอหันคา จังหวัดชัยนาท", "18", "exact", "180601"),
        ("ต.ตลุก อ.หันคา", "1804", "wrong_district", "180402"),  # no ตลุก in หันคา
        ("ต.ตลุก อ.สรรพยา", "1806", "wrong_district", "180402"),
        ("อ.บางกอกน้อย", "1806", "unknown", None),
        ("อ.เมือง", "1801", "exact", "1801"),  # the capital district, as people write it
        ("หมู่ 3 ต.หันคา", "1806", "exact", "180601"),  # the prefixed name is the tambon
        ("บ้านหนองแซง ม.3 ต.ตลุก อ.สรรพยา", "18", "exact", "180402"),
        ("ต.ท่าชัย อ.เมือง จ.ชัยนาท", "18", "exact", "180103"),
    ],
)
def test_prefixed_places(matcher, written, scope, status, code):
    found = matcher.match(written, scope)
    assert (found.status, found.tambon_code) == (status, code)


def test_a_tambon_with_another_district_is_that_inconsistency(matcher):
    assert matcher.match("ตลุก อ.หันคา", "18").status == "wrong_district"
    assert matcher.match("ตลุก อ.สรรพยา", "1806").status == "wrong_district"


def test_place_prefixes_table_is_validated():
    import pandas as pd
    from oneplan.transforms.areas import PlacePrefixes

    with pytest.raises(ValueError, match="place_prefixes"):
        PlacePrefixes.from_table(pd.DataFrame({"prefix": ["อ."], "area_level": ["village"]}))
