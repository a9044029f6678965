from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oneplan.flows.reference import load_linkage_settings
from oneplan.transforms.linkage import (
    Facts,
    LinkageSettings,
    count_once,
    link_id,
    link_projects,
    name_score,
    normalize_name,
    weigh_evidence,
)

SETTINGS = load_linkage_settings()


def n(text: str) -> str:
    return normalize_name(text, SETTINGS)


def test_abbreviations_villages_places_and_prefix_are_normalised_away():
    full = n("ก่อสร้างถนนคอนกรีตเสริมเหล็ก สายบ้านนายสมชาย หมู่ที่ 3")
    assert n("โครงการก่อสร้างถนน คสล. สายบ้านนายสมชาย ม.3 ต.ตลุก อ.สรรพยา") == full
    assert n("ก่อสร้างถนน ค.ส.ล. สายบ้านนายสมชาย หมู่ 3") == full
    assert n("ปรับปรุง ศพด.") == n("ปรับปรุงศูนย์พัฒนาเด็กเล็ก")
    assert n("ก่อสร้างถนนคอนกรีตเสริมเหล็ก") == "ก่อสร้าง ถนน คอนกรีตเสริมเหล็ก"


def test_sara_am_typed_as_two_characters_is_the_same_name():
    assert n("ขุดลอกคลองส่งน\u0e49\u0e4d\u0e32") == n("ขุดลอกคลองส่งน้ำ")


@pytest.mark.parametrize(
    ("a", "b", "band"),
    [
        ("อบรมป้องกันยาเสพติดในเยาวชน", "อบรมเยาวชนป้องกันยาเสพติด", "accept"),  # word order
        ("ขยายเขตระบบประปาหมู่บ้าน", "ขยายเขตประปาหมู่บ้าน", "accept"),
        ("ซ่อมแซมถนนลูกรังเพื่อการเกษตร", "ปรับปรุงซ่อมแซมถนนลูกรังเพื่อการเกษตร บ้านหนองแซง", "review"),
        ("ก่อสร้างถนนคอนกรีตเสริมเหล็ก", "ก่อสร้างรางระบายน้ำคอนกรีตเสริมเหล็ก", "none"),
        ("ขุดลอกคลองส่งน้ำ", "ขุดลอกหนองน้ำสาธารณะ", "none"),
        ("ส่งเสริมการปลูกผักปลอดสารพิษ", "ส่งเสริมการเลี้ยงปลาในบ่อดิน", "none"),
    ],
)
def test_name_score_bands(a, b, band):
    score = name_score(n(a), n(b))
    got = (
        "accept"
        if score >= SETTINGS.accept_score
        else "review"
        if score >= SETTINGS.review_score
        else "none"
    )
    assert got == band, score


@given(st.text(alphabet="กขคงจฉชซฌญฎฏฐ ่้๊๋ะัาำิีึืุู", min_size=1, max_size=30))
def test_name_score_of_a_name_with_itself_is_100_or_0_when_empty(text):
    key = n(text)
    assert name_score(key, key) == (100.0 if key else 0.0)


def test_thresholds_are_validated():
    table = pd.DataFrame({"setting": ["accept_score", "review_score"], "value": ["60", "80"]})
    abbreviations = pd.DataFrame({"abbreviation": [], "expansion": []})
    with pytest.raises(ValueError, match="review_score"):
        LinkageSettings.from_tables(table, abbreviations)


def frame(rows):
    projects = pd.DataFrame(
        [
            {
                "project_id": pid,
                "plan_level": level,
                "district_code": place[:4] if len(place) > 2 else place,
                "tambon_code": place,
                "village_numbers": villages,
                "project_name": name,
                "funding_route": route,
                "submission_id": f"s-{level}-{place}",
                "source_file": f"{level}.csv",
                "source_sheet": "",
                "source_row": i + 2,
            }
            for i, (pid, level, place, villages, name, route, _) in enumerate(rows)
        ]
    )
    budgets = pd.DataFrame(
        [
            {"project_id": pid, "fiscal_year": year, "amount_thb": Decimal(amount)}
            for pid, *_, money in rows
            for year, amount in money.items()
        ]
    )
    return projects, budgets


ROAD = "ก่อสร้างถนนคอนกรีตเสริมเหล็ก สายบ้านนายสมชาย หมู่ที่ 3"


def links_of(rows):
    projects, budgets = frame(rows)
    links = link_projects(projects, budgets, SETTINGS)
    return [(r.project_id, r.linked_project_id, r.link_kind, r.status) for r in links.itertuples()]


def test_a_request_rolls_up_to_the_nearest_level_that_took_it():
    assert links_of(
        [
            ("t", "tambon", "180402", [3], ROAD, "requested", {2568: 500000}),
            ("d", "district", "180402", [3], "ก่อสร้างถนน คสล. สายบ้านนายสมชาย ม.3", None,
             {2568: 500000}),
            ("p", "province", "1804", [], "โครงการก่อสร้างถนน คสล. สายบ้านนายสมชาย", None,
             {2568: 500000}),
            ("v", "village", "180402", [3], "ก่อสร้างถนน ค.ส.ล. สายบ้านนายสมชาย", None,
             {2568: 500000}),
        ]
    ) == [
        ("d", "p", "rolls_up_to", "accepted"),
        ("t", "d", "rolls_up_to", "accepted"),
        ("v", "t", "rolls_up_to", "accepted"),
    ]  # fmt: skip


def test_no_link_across_places_villages_or_years():
    assert (
        links_of(
            [
                ("t", "tambon", "180402", [3], ROAD, "requested", {2568: 500000}),
                # another tambon's plan above: not the same place
                ("x", "district", "180403", [3], ROAD, None, {2568: 500000}),
                # another village of the same tambon
                ("v", "village", "180402", [4], ROAD, None, {2568: 500000}),
                # the province, but another fiscal year
                ("p", "province", "18", [], ROAD, None, {2570: 500000}),
            ]
        )
        == []
    )


def test_grey_band_match_is_kept_for_review():
    # Other money: the name alone decides, and it is in the grey band.
    assert links_of(
        [
            ("t", "tambon", "180402", [], "ซ่อมแซมถนนลูกรังเพื่อการเกษตร", None, {2568: 80000}),
            ("p", "province", "18", [], "ปรับปรุงซ่อมแซมถนนลูกรังเพื่อการเกษตร บ้านหนองแซง", None,
             {2568: 90000}),
        ]
    ) == [("t", "p", "rolls_up_to", "review")]  # fmt: skip


def test_extra_words_in_the_plan_above_are_accepted_when_everything_else_agrees():
    child = ("t", "tambon", "180402", [6], "ขุดลอกสระน้ำสาธารณะ หมู่ที่ 6", None, {2568: 480000})
    above = "โครงการขุดลอกสระน้ำสาธารณะ ม.6 เพื่อกักเก็บน้ำ"
    assert name_score(n(child[4]), n(above)) < SETTINGS.accept_score  # the name alone: review
    parent = ("d", "district", "180402", [6], above, None, {2568: 480000})
    assert links_of([child, parent]) == [("t", "d", "rolls_up_to", "accepted")]
    # Anything else disagreeing leaves it for a person: other money, another village listed.
    other_money = (*parent[:6], {2568: 500000})
    assert links_of([child, other_money]) == [("t", "d", "rolls_up_to", "review")]
    more_villages = ("d", "district", "180402", [6, 7], above, None, {2568: 480000})
    assert links_of([child, more_villages]) == [("t", "d", "rolls_up_to", "review")]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ก่อสร้างถนนคอนกรีตเสริมเหล็ก สาย A", "ก่อสร้างถนน คสล. สาย B"),
        ("ก่อสร้างถนนคอนกรีตเสริมเหล็ก สายบ้านนายสมชาย", "ก่อสร้างถนน คสล. สายบ้านนายสมศักดิ์"),
        ("ซ่อมแซมถนนในซอย 3", "ซ่อมแซมถนนในซอย 5"),
        ("จัดงานประเพณีลอยกระทง ประจำปี 2568", "จัดงานประเพณีลอยกระทง ประจำปี 2569"),
    ],
)
def test_names_differing_in_a_distinguishing_token_are_never_linked(a, b):
    assert name_score(n(a), n(b)) >= SETTINGS.review_score  # alike by the name alone
    rows = [
        ("t", "tambon", "180402", [], a, None, {2568: 100000, 2569: 100000}),
        ("d", "district", "1804", [], b, None, {2568: 100000, 2569: 100000}),
    ]
    assert links_of(rows) == []
    copy = [rows[0], ("c", "tambon", "180402", [], b, None, {2568: 100000, 2569: 100000})]
    copy[1] = (*copy[1][:3], [], b, None, {2568: 100000, 2569: 100000})
    projects, budgets = frame(copy)
    projects.loc[1, "submission_id"] = "another file"
    assert link_projects(projects, budgets, SETTINGS).empty


def test_other_villages_are_never_linked_whatever_the_level_above():
    rows = [
        ("t", "tambon", "180402", [3], "ขุดลอกคลองส่งน้ำ หมู่ที่ 3", None, {2568: 100000}),
        ("p", "province", "18", [5], "ขุดลอกคลองส่งน้ำ หมู่ 5 ต.ตลุก", None, {2568: 100000}),
    ]
    assert links_of(rows) == []


def test_a_copy_is_a_duplicate_only_where_the_place_agrees_and_with_the_same_money():
    rows = [
        ("a", "tambon", "180402", [], ROAD, None, {2568: 500000, 2569: 100}),
        ("b", "tambon", "180402", [], "โครงการ" + ROAD, None, {2568: 500000, 2569: 100}),
        # a common programme in another tambon, other money: not a copy
        ("c", "tambon", "180404", [], ROAD, None, {2568: 20000}),
    ]
    projects, budgets = frame(rows)
    projects.loc[1, "submission_id"] = "an amendment of the same tambon"
    links = link_projects(projects, budgets, SETTINGS)
    got = [(r.project_id, r.linked_project_id, r.link_kind, r.status) for r in links.itertuples()]
    assert got == [("b", "a", "possible_duplicate", "accepted")]
    assert list(links["matched_fields"][0]) == [
        "project_name", "place", "fiscal_year", "amount_thb"
    ]  # fmt: skip
    rows[1] = ("b", "tambon", "180402", [], ROAD, None, {2568: 500000})  # one year only
    projects, budgets = frame(rows)
    projects.loc[1, "submission_id"] = "an amendment of the same tambon"
    links = link_projects(projects, budgets, SETTINGS)
    assert list(links["status"]) == ["review"]


def test_two_tambons_same_named_projects_are_two_projects_both_counted():
    name = "ขุดลอกคลองส่งน้ำชลประทาน หมู่ที่ 2"
    rows = [
        ("a", "tambon", "180402", [2], name, None, {2568: 480000}),
        ("b", "tambon", "180403", [2], name, None, {2568: 480000}),
    ]
    assert links_of(rows) == []
    projects, _ = frame(rows)
    assert count_once(projects, link_projects(*frame(rows), SETTINGS))["is_counted"].all()
    # One of them district-wide holds the other: that may be a copy.
    rows[1] = ("b", "tambon", "1804", [2], name, None, {2568: 480000})
    projects, budgets = frame(rows)
    projects.loc[1, "plan_level"] = "tambon"
    assert [r.link_kind for r in link_projects(projects, budgets, SETTINGS).itertuples()] == [
        "possible_duplicate"
    ]


def test_every_row_of_the_abbreviation_table_is_exercised():
    from oneplan.flows.reference import _read_table

    table = _read_table("abbreviations")
    assert len(table) >= 20
    for form, written_out in zip(table["abbreviation"], table["expansion"], strict=True):
        assert written_out in SETTINGS.abbreviations.expand(form), form
        name = f"โครงการก่อสร้าง {form}สายหนองแซง"
        assert n(name) == n(f"ก่อสร้าง {written_out}สายหนองแซง"), form
        assert n(name) != n("ก่อสร้าง สายหนองแซง"), form


def test_a_one_letter_form_needs_no_letter_before_it():
    expand = SETTINGS.abbreviations.expand
    assert expand("ถ.สายบ้านนา") == " ถนน สายบ้านนา"
    assert expand("ระยะทาง 2 กม.") == "ระยะทาง 2 กม."  # not ก + ม.
    assert expand("ปรับปรุงถนน ซ.3") == " ซ่อมแซม ถนน  ซอย 3"


def test_one_parent_takes_one_child_of_a_level():
    assert links_of(
        [
            ("t1", "tambon", "180402", [], "จัดการแข่งขันกีฬาต้านยาเสพติด", None, {2568: 1000}),
            ("t2", "tambon", "180402", [], "จัดการแข่งขันกีฬาต้านยาเสพติด ตำบลตลุก", None,
             {2568: 2000}),
            ("d", "district", "180402", [], "โครงการจัดการแข่งขันกีฬาต้านยาเสพติด", None,
             {2568: 1000}),
        ]
    ) == [("t1", "d", "rolls_up_to", "accepted")]  # fmt: skip


def test_count_once_follows_links_to_the_level_that_funds():
    projects = pd.DataFrame(
        {
            "project_id": ["v", "t", "d", "w", "c", "k"],
            "plan_level": ["village", "tambon", "district", "tambon", "tambon", "tambon"],
            "funding_route": [None, "requested", None, "requested", "own", "own"],
        }
    )
    links = pd.DataFrame(
        {
            "project_id": ["v", "t", "c", "k"],
            "linked_project_id": ["t", "d", "k", "gone"],
            "link_kind": ["rolls_up_to", "rolls_up_to", "possible_duplicate", "rolls_up_to"],
            "status": ["accepted", "accepted", "accepted", "accepted"],
        }
    )
    got = count_once(projects, links)
    assert got["funded_at_level"].tolist() == [
        "district",
        "district",
        "district",
        None,  # a request nobody took up: waiting
        "tambon",
        "tambon",  # a link to a project that is not there counts nothing away
    ]
    assert got["is_counted"].tolist() == [False, False, True, True, False, True]


def test_link_ids_are_stable_and_distinguish_the_kind():
    assert link_id("a", "b", "rolls_up_to") == link_id("a", "b", "rolls_up_to")
    assert link_id("a", "b", "rolls_up_to") != link_id("a", "b", "possible_duplicate")
    assert link_id("a", "b", "rolls_up_to") != link_id("b", "a", "rolls_up_to")


def test_a_block_larger_than_a_chunk_is_scored_in_pieces(monkeypatch):
    from oneplan.transforms import linkage

    rows = [
        ("t", "tambon", "180402", [3], ROAD, "requested", {2568: 500000}),
        ("x", "tambon", "180402", [], "ขุดลอกคลองส่งน้ำ", None, {2568: 1}),
        ("y", "tambon", "180402", [], "ปลูกต้นไม้เฉลิมพระเกียรติ", None, {2568: 2}),
        ("d", "district", "180402", [3], "ก่อสร้างถนน คสล. สายบ้านนายสมชาย ม.3", None,
         {2568: 500000}),
    ]  # fmt: skip
    whole = links_of(rows)
    monkeypatch.setattr(linkage, "CHUNK", 1)
    assert links_of(rows) == whole == [("t", "d", "rolls_up_to", "accepted")]


def test_other_numbers_do_not_tell_two_works_apart_outside_a_marker():
    child = "ก่อสร้างถนนคอนกรีตเสริมเหล็ก กว้าง 4.00 เมตร"
    parent = "ก่อสร้างถนน คสล. กว้าง 4 เมตร"
    rows = [
        ("t", "tambon", "180402", [], child, None, {2568: 300000}),
        ("d", "district", "180402", [], parent, None, {2568: 300000}),
    ]
    assert [link[3] for link in links_of(rows)] in (["accepted"], ["review"])


FACTS = st.builds(
    lambda key, place, villages, money: Facts(
        key, place, frozenset(villages), frozenset(money.items())
    ),
    st.sampled_from(
        [n(x) for x in (ROAD, "ก่อสร้างถนน คสล. สาย A", "ก่อสร้างถนน คสล. สาย B ม.3 ปี 2568", "")]
    ),
    st.sampled_from(["18", "1804", "180402", "180403"]),
    st.lists(st.sampled_from([3, 5]), max_size=2),
    st.dictionaries(st.sampled_from([2568, 2569]), st.sampled_from([1000, 2000]), max_size=2),
)


@given(FACTS, FACTS, st.sampled_from(["rolls_up_to", "possible_duplicate"]), st.floats(70, 100))
def test_weighing_the_evidence_does_not_depend_on_which_side_is_which(a, b, kind, score):
    assert weigh_evidence(kind, score, a, b, SETTINGS) == weigh_evidence(
        kind, score, b, a, SETTINGS
    )
