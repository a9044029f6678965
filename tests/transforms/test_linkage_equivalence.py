"""The fast linkage gives the links the issue-14 linkage gave (tests/transforms/
_linkage_reference.py, kept as it was): random plans of every level, places, villages,
years and amounts, names around both thresholds; and the two shortcuts under it (names
that are clean already, newmm over a set of words) give what the long way gives."""

from decimal import Decimal

import _linkage_reference as reference
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from oneplan.flows.reference import load_linkage_settings
from oneplan.transforms import linkage
from oneplan.transforms.text import clean_text, to_arabic_digits

SETTINGS = load_linkage_settings()

NAMES = [
    "ก่อสร้างถนนคอนกรีตเสริมเหล็ก สายบ้านนายสมชาย หมู่ที่ 3",
    "โครงการก่อสร้างถนน คสล. สายบ้านนายสมชาย ม.3 ต.ตลุก",
    "ก่อสร้างถนน ค.ส.ล. สายบ้านนายสมชาย",
    "ก่อสร้างรางระบายน้ำคอนกรีตเสริมเหล็ก",
    "ซ่อมแซมถนนลูกรังเพื่อการเกษตร",
    "ปรับปรุงซ่อมแซมถนนลูกรังเพื่อการเกษตร บ้านหนองแซง",
    "อบรมป้องกันยาเสพติดในเยาวชน",
    "อบรมเยาวชนป้องกันยาเสพติด หมู่ ๒",
    "ขยายเขตระบบประปาหมู่บ้าน",
    "ขยายเขตประปาหมู่บ้าน อ.สรรพยา",
    "ขุดลอกคลองส่งน\u0e4d\u0e32",
    "ขุดลอกคลองส่งน้ำ  ",
    "โครงการ",
    "",
]
PLACES = ["18", "1804", "1805", "180402", "180403", "180501"]
LEVELS = ["village", "tambon", "district", "province"]

project = st.tuples(
    st.sampled_from(LEVELS),
    st.sampled_from(PLACES),
    st.lists(st.sampled_from([1, 2, 3]), max_size=2, unique=True),
    st.sampled_from(NAMES),
    st.sampled_from([None, "own", "requested"]),
    st.sampled_from(["a", "b"]),  # which file of its level and place
    st.dictionaries(st.sampled_from([2568, 2569]), st.sampled_from([1000, 2000]), max_size=2),
)


def frames(rows):
    projects = pd.DataFrame(
        [
            {
                "project_id": f"p{i}",
                "plan_level": level,
                "district_code": place[:4] if len(place) > 2 else place,
                "tambon_code": place,
                "village_numbers": villages,
                "project_name": name,
                "funding_route": route,
                "submission_id": f"s-{level}-{place}-{file}",
                "source_file": f"{level}-{file}.csv",
                "source_sheet": "",
                "source_row": i + 2,
            }
            for i, (level, place, villages, name, route, file, _) in enumerate(rows)
        ]
    )
    budgets = pd.DataFrame(
        [
            {"project_id": f"p{i}", "fiscal_year": year, "amount_thb": Decimal(amount)}
            for i, (*_, money) in enumerate(rows)
            for year, amount in money.items()
        ],
        columns=["project_id", "fiscal_year", "amount_thb"],
    )
    return projects, budgets


@settings(max_examples=100, deadline=None)
@given(st.lists(project, min_size=1, max_size=14), st.sampled_from(["as set", "tiny", "1 round"]))
def test_links_are_the_links_of_the_issue_14_linkage(rows, pieces):
    projects, budgets = frames(rows)
    expected = reference.link_projects(projects, budgets, SETTINGS)
    names = ("CHUNK", "PAIR_BATCH", "ROUND_MIN", "MAX_ROUNDS")
    saved = tuple(getattr(linkage, name) for name in names)
    # tiny: score matrices of one name a side, one candidate pair at a time, the greedy
    # choice of roll-ups in rounds to the last pair; 1 round: then one pair at a time.
    values = {"tiny": (1, 1, 0, 1000), "1 round": (1, 1, 0, 1)}.get(pieces, saved)
    for name, value in zip(names, values, strict=True):
        setattr(linkage, name, value)
    try:
        got = linkage.link_projects(projects, budgets, SETTINGS)[list(linkage.LINK_COLUMNS)]
    finally:
        for name, value in zip(names, saved, strict=True):
            setattr(linkage, name, value)
    pd.testing.assert_frame_equal(got, expected)


def test_the_oracle_catches_a_planted_fault(monkeypatch):
    # The comparison above can fail: cut each half of the score off too high and the grey
    # band match of a tambon road to the province's is lost.
    rows = [
        ("tambon", "180402", [], NAMES[4], None, "a", {2568: 1000}),
        ("province", "18", [], NAMES[5], None, "a", {2568: 2000}),
        ("tambon", "180402", [], NAMES[7], None, "a", {2568: 1000}),
        ("tambon", "180402", [], NAMES[6], None, "b", {2568: 1000}),
    ]
    projects, budgets = frames(rows)
    expected = reference.link_projects(projects, budgets, SETTINGS)
    assert sorted(expected["status"]) == ["accepted", "review"]
    got = linkage.link_projects(projects, budgets, SETTINGS)[list(linkage.LINK_COLUMNS)]
    pd.testing.assert_frame_equal(got, expected)
    monkeypatch.setattr(linkage, "_half_cutoff", lambda settings: 99.0)
    assert linkage.link_projects(projects, budgets, SETTINGS).empty


THAI = st.lists(
    st.sampled_from(
        list("กขคงจชซดตทนบปผพมยรลวสหอะาำิีึืุูเแโใไ่้๊๋็์ํๅ๑๒ 3.ม")
        + ["\u200b", "\t", "  ", "หมู่ที่ ", "คสล.", "ต.", "โครงการ"]
    ),
    max_size=30,
).map("".join)


def _unmentioned_long_way(name, abbreviations):
    from pythainlp.util import normalize

    text = normalize(to_arabic_digits(clean_text(name) or "")).replace("เเ", "แ")
    text = abbreviations.expand(text)
    text = linkage._PREFIX.sub("", text.strip())
    text = linkage._VILLAGE.sub(" ", text)
    return linkage._PLACE.sub(" ", text)


@settings(max_examples=600, deadline=None)
@given(THAI)
def test_the_clean_name_shortcut_gives_what_cleaning_and_normalising_give(text):
    for name in (text, clean_text(text)):
        got = linkage._unmentioned(name, SETTINGS.abbreviations)
        assert got == _unmentioned_long_way(name, SETTINGS.abbreviations)


@settings(max_examples=500, deadline=None)
@given(THAI)
def test_newmm_over_the_word_set_gives_the_tokens_of_its_trie(text):
    from pythainlp.tokenize import word_tokenize

    trie = word_tokenize(text, engine="newmm", keep_whitespace=False)
    words = word_tokenize(
        text, engine="newmm", keep_whitespace=False, custom_dict=linkage._dictionary()
    )
    assert words == trie


def test_the_word_set_answers_prefixes_as_the_trie_does():
    from pythainlp.tokenize import word_dict_trie

    text = "สมเด็จพระนางเจ้าสิริกิติ์ พระบรมราชินีนาถ ก่อสร้างถนนคอนกรีตเสริมเหล็ก"
    for start in range(len(text)):
        assert linkage._dictionary().prefixes(text, start) == word_dict_trie().prefixes(text, start)
