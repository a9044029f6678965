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
def test_places_wider_than_a_tambon_in_province_and_district_files(areas, written, scope, code):
    from oneplan.transforms.areas import TambonMatcher

    found = TambonMatcher(areas).match(written, scope)
    assert (found.status, found.tambon_code) == ("exact", code)


def test_a_district_alone_in_a_tambon_plan_is_not_a_district_wide_place(areas):
    from oneplan.transforms.areas import TambonMatcher

    # In a district's own tambon plan "อ.หันคา" still means what it did (the tambon หันคา).
    assert TambonMatcher(areas).match("อ.หันคา", "1806").tambon_code != "1806"
    # A tambon written with another district is that inconsistency (the reader rejects it).
    assert TambonMatcher(areas).match("ตลุก อ.หันคา", "18").status == "wrong_district"
