"""The linkage of issue 14 as it was before it was made fast (transforms/linkage.py at
13cdd53, the link_projects path only): the oracle test_linkage_equivalence holds the fast
one to. Kept as it was; do not optimise.

Issue 23 changed what is linked on purpose, and the oracle follows through the same plain
functions the fast linkage calls (each tested on its own in test_linkage.py): abbreviations
are written out by `Abbreviations.expand` (one pass, a one-letter form only after no letter),
each candidate pair is weighed by `weigh_evidence` (dropped when something tells the two
apart, accepted below the accept score when the evidence besides the name agrees) and
`place` is a matched field only when `places_agree`. The oracle still guards everything the
fast linkage does its own way: blocking, the chunked score matrices, the copies searched
by year-and-amount, the greedy choice in rounds and the shortcuts of normalisation."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

import pandas as pd
from oneplan.transforms.levels import level_rank
from oneplan.transforms.linkage import (
    LINK_COLUMNS,
    LINK_KINDS,
    METHOD,
    Abbreviations,
    Facts,
    LinkageSettings,
    link_id,
    places_agree,
    weigh_evidence,
)
from oneplan.transforms.text import clean_text, to_arabic_digits

# Village mentions (compared as village_numbers) and place mentions (compared as places).
_VILLAGE = re.compile(r"(?:หมู่\s?ที่|หมู่|หมูที่|ม\.)\s*[0-9]+(?:\s*(?:,|และ|-)\s*[0-9]+)*")
_PLACE = re.compile(r"(?:ตำบล|ต\.|อำเภอ|อ\.|จังหวัด|จ\.)\s*[^\s()]+")
_NOISE = re.compile(r"[\s()\[\]\"'“”.,:;/\\\-–—_]+")
_PREFIX = re.compile(r"^(?:โครงการ|กิจกรรม)\s*")


def normalize_name(name: str | None, settings: LinkageSettings) -> str:
    """A project name in comparable form: Thai typing variants unified, abbreviations
    written out, the words โครงการ, villages and places taken out, word tokens joined by
    single spaces (in their order)."""
    return " ".join(_tokens(clean_text(name) or "", settings.abbreviations))


@lru_cache(maxsize=65536)
def _tokens(text: str, abbreviations: Abbreviations) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize
    from pythainlp.util import normalize

    text = normalize(to_arabic_digits(text)).replace("เเ", "แ")
    text = abbreviations.expand(text)
    text = _PREFIX.sub("", text.strip())
    text = _VILLAGE.sub(" ", text)
    text = _PLACE.sub(" ", text)
    words = word_tokenize(text, engine="newmm", keep_whitespace=False)
    return tuple(w for w in (_NOISE.sub("", w) for w in words) if w and w != "โครงการ")


def name_score(a: str, b: str) -> float:
    """Similarity of two normalised names, 0..100: the mean of rapidfuzz's token-sort ratio
    over characters (spelling variants inside a word cost little) and the same ratio over
    whole words (a different word costs a lot: ถนน is not รางระบายน้ำ)."""
    if not a or not b:
        return 0.0
    return round(float(_scores([a], [b])[0, 0]), 1)


def _scores(left: list[str], right: list[str]):
    """The name_score matrix of two lists of normalised names."""
    from rapidfuzz import fuzz, process

    chars = process.cdist(left, right, scorer=fuzz.token_sort_ratio, workers=1)
    words = process.cdist(
        [sorted(k.split()) for k in left],
        [sorted(k.split()) for k in right],
        scorer=fuzz.ratio,
        workers=1,
    )
    return (chars + words) / 2


def _raw_score(a: str, b: str) -> float:
    from rapidfuzz import fuzz

    return fuzz.ratio(a or "", b or "")


def _prepare(projects: pd.DataFrame, budgets: pd.DataFrame, settings) -> pd.DataFrame:
    """One row per project with what is compared: name tokens, years, amounts, villages."""
    frame = projects[
        [
            "project_id",
            "plan_level",
            "district_code",
            "tambon_code",
            "village_numbers",
            "project_name",
            "funding_route",
            "submission_id",
            "source_file",
            "source_sheet",
            "source_row",
        ]
    ].copy()
    frame["name_key"] = [normalize_name(n, settings) for n in frame["project_name"]]
    amounts: dict[str, dict[int, Decimal]] = {}
    for pid, year, amount in zip(
        budgets["project_id"], budgets["fiscal_year"], budgets["amount_thb"], strict=True
    ):
        amounts.setdefault(pid, {})[int(year)] = Decimal(amount)
    frame["amounts"] = frame["project_id"].map(lambda p: amounts.get(p, {}))
    frame["villages"] = frame["village_numbers"].map(
        lambda v: frozenset(v if v is not None else ())
    )
    frame["level_no"] = frame["plan_level"].map(level_rank)
    frame["row_no"] = range(len(frame))
    return frame.reset_index(drop=True)


def _blocks(frame: pd.DataFrame, kind: str) -> list[tuple[list[int], list[int]]]:
    """Candidate blocks (left rows, right rows) for one link kind: rolls_up_to compares a
    project with the projects of higher levels whose place holds its place (same tambon,
    its district or the province); possible_duplicate compares projects of one level in one
    district. Pairs must share a fiscal year (checked per pair)."""
    out = []
    if kind == "rolls_up_to":
        places = frame["tambon_code"]
        within: dict[str, list[int]] = {}  # place code -> rows inside it (prefix of the code)
        for width in (2, 4, 6):
            for prefix, rows in frame.groupby(places.str[:width]).groups.items():
                within.setdefault(prefix, []).extend(rows)
        for place, parents in frame.groupby("tambon_code").groups.items():
            # Only a row of a level above the lowest here can be a parent.
            above = [p for p in parents if frame.at[p, "level_no"] > 0]
            if above:
                out.append((sorted(set(within.get(place, []))), above))
    else:
        for _, members in frame.groupby(["plan_level", "district_code"]).groups.items():
            members = list(members)
            out.append((members, members))
    return out


def _pair_fields(a, b) -> list[str]:
    fields = ["project_name"] + ["place"] * places_agree(a.tambon_code, b.tambon_code)
    fields.append("fiscal_year")
    if a.villages and b.villages and a.villages & b.villages:
        fields.append("village_numbers")
    shared = set(a.amounts) & set(b.amounts)
    if shared and all(a.amounts[y] == b.amounts[y] for y in shared):
        fields.append("amount_thb")
    return fields


CHUNK = 2000  # rows a side of one score matrix: memory stays bounded in a huge block


def _chunks(blocks):
    """Each block's score matrix in pieces of at most CHUNK x CHUNK (a few MB each)."""
    for left, right in blocks:
        for i in range(0, len(left), CHUNK):
            for j in range(0, len(right), CHUNK):
                yield left[i : i + CHUNK], right[j : j + CHUNK]


def candidate_pairs(frame: pd.DataFrame, settings: LinkageSettings) -> pd.DataFrame:
    """Every compared pair scoring at least the review score, with its kind and fields."""
    rows = []
    records = list(frame.itertuples(index=False))  # row access by position, fast
    keys = frame["name_key"].tolist()
    for kind in LINK_KINDS:
        for left, right in _chunks(_blocks(frame, kind)):
            left_keys = [keys[i] for i in left]
            right_keys = [keys[j] for j in right]
            scores = _scores(left_keys, right_keys)
            for i, j in zip(*(scores >= settings.review_score).nonzero(), strict=True):
                a, b = records[left[i]], records[right[j]]
                if not _comparable(a, b, kind):
                    continue
                score = round(float(scores[i, j]), 1)
                status = weigh_evidence(kind, score, _facts(a), _facts(b), settings)
                if status is None:
                    continue
                rows.append(
                    {
                        "left": left[i],
                        "right": right[j],
                        "link_kind": kind,
                        "score": score,
                        "matched_fields": _pair_fields(a, b),
                        "evidence": status,
                    }
                )
    columns = ["left", "right", "link_kind", "score", "matched_fields", "evidence"]
    return pd.DataFrame(rows, columns=columns)


def _facts(a) -> Facts:
    return Facts(a.name_key, a.tambon_code, a.villages, frozenset(a.amounts.items()))


def _comparable(a, b, kind: str) -> bool:
    if a.project_id == b.project_id or not a.name_key or not b.name_key:
        return False
    if not set(a.amounts) & set(b.amounts):
        return False
    if kind == "rolls_up_to":
        if b.level_no <= a.level_no:
            return False
        # Both name villages of the same tambon: they must share one.
        same_tambon = len(b.tambon_code) == 6 and b.tambon_code == a.tambon_code
        return not (same_tambon and a.villages and b.villages and not a.villages & b.villages)
    if b.row_no <= a.row_no:  # each unordered pair once: the later row is the copy
        return False
    same_place = a.tambon_code == b.tambon_code
    if same_place and a.submission_id == b.submission_id:
        return False  # two rows of one table are two projects
    # Two villages of one tambon are two places.
    return not (same_place and a.villages and b.villages and not a.villages & b.villages)


def link_projects(
    projects: pd.DataFrame, budgets: pd.DataFrame, settings: LinkageSettings
) -> pd.DataFrame:
    """The links between projects (LINK_COLUMNS), accepted or to review.

    rolls_up_to: each project links to its best match at the nearest level above that has
    an accepted one; else its best match in the grey band is kept for review.
    possible_duplicate: the later copy links to the earlier when the budgets of the years
    both have are equal; accepted when the names match above the accept score and both
    have budgets in the same years, else review.
    """
    frame = _prepare(projects, budgets, settings)
    pairs = candidate_pairs(frame, settings)
    if pairs.empty:
        return pd.DataFrame(columns=list(LINK_COLUMNS))
    chosen = []
    ups = pairs[pairs["link_kind"] == "rolls_up_to"].copy()
    ups["parent_rank"] = frame.loc[ups["right"], "level_no"].to_numpy()
    ups["child_rank"] = frame.loc[ups["left"], "level_no"].to_numpy()
    names = frame["project_name"].tolist()
    ups["raw_score"] = [
        _raw_score(names[a], names[b]) for a, b in zip(ups["left"], ups["right"], strict=True)
    ]
    # Each child is linked once, to the nearest level above with an accepted match; a
    # parent takes one child of a level (two same-named rows of one tambon are two
    # projects, only one of which the plan above took in): best score first, ties to the
    # closer raw spelling, then to the earlier row.
    ups["accepted"] = ups["evidence"] == "accepted"
    ups = ups.sort_values(
        ["accepted", "parent_rank", "score", "raw_score", "left", "right"],
        ascending=[False, True, False, False, True, True],
    )
    nearest = ups[ups["accepted"]].groupby("left")["parent_rank"].min()
    ups["nearest_accepted"] = ups["left"].map(nearest).fillna(-1)
    done_children, taken = set(), set()
    for pair in ups.itertuples(index=False):
        if pair.left in done_children:
            continue
        if pair.accepted and pair.parent_rank != pair.nearest_accepted:
            continue
        if (pair.right, pair.child_rank) in taken:
            continue
        done_children.add(pair.left)
        taken.add((pair.right, pair.child_rank))
        chosen.append((pair._asdict(), "accepted" if pair.accepted else "review"))
    dups = pairs[pairs["link_kind"] == "possible_duplicate"]
    # Same-level plans share many programme names (every tambon has its ยาเสพติด project):
    # only a pair with the same budgets is the same project twice.
    dups = dups.loc[dups["matched_fields"].map(lambda f: "amount_thb" in f).astype(bool)]
    for _, options in dups.groupby("right"):
        best = options.sort_values(["score", "left"], ascending=[False, True]).iloc[0].to_dict()
        same_years = (
            frame.loc[best["left"], "amounts"].keys() == frame.loc[best["right"], "amounts"].keys()
        )
        status = "accepted" if best["evidence"] == "accepted" and same_years else "review"
        chosen.append((best, status))
    rows = []
    for pair, status in chosen:
        if pair["link_kind"] == "rolls_up_to":
            child, parent = frame.loc[pair["left"]], frame.loc[pair["right"]]
        else:
            child, parent = frame.loc[pair["right"]], frame.loc[pair["left"]]
        rows.append(
            {
                "link_id": link_id(child.project_id, parent.project_id, pair["link_kind"]),
                "project_id": child.project_id,
                "linked_project_id": parent.project_id,
                "link_kind": pair["link_kind"],
                "status": status,
                "score": Decimal(str(pair["score"])).quantize(Decimal("0.1")),
                "method": METHOD,
                "matched_fields": list(pair["matched_fields"]),
            }
        )
    links = pd.DataFrame(rows, columns=list(LINK_COLUMNS))
    return links.sort_values(["link_kind", "project_id"], ignore_index=True)
