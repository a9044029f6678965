"""Record linkage between projects of plans at different levels, and money counted once.

`rolls_up_to` links a project to the same project in the plan of a level above (village →
tambon → district → province); `possible_duplicate` links a copy to the same project in
another plan of the same level (two tambons, two files of a district). Names are compared
as Thai word tokens (pythainlp) with rapidfuzz, after abbreviations (data/abbreviations.csv)
are written out and village and place mentions are taken out (they are compared as fields);
candidates are blocked on place and fiscal year. Thresholds are data/linkage.csv.

Linear in rows: names are normalised once per distinct name and tokenised once per distinct
text left after villages and places go; roll-ups are scored once per distinct pair of names
in a place (one rapidfuzz cdist per place, in CHUNK pieces), copies only within a shared
year-and-amount (the same money is what makes a copy) and once per distinct name pair
(cpdist); every other condition is numpy over the candidate pairs.

Pure functions: frames in, frames out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd
from oneplan.transforms import schema
from oneplan.transforms.levels import level_rank
from oneplan.transforms.text import (
    _THAI_FIXABLE,
    ZERO_WIDTH_CHARS,
    clean_text,
    to_arabic_digits,
)

LINK_KINDS = ("rolls_up_to", "possible_duplicate")
METHOD = "rapidfuzz token_sort (characters + words) over pythainlp newmm tokens"
LINK_COLUMNS = (
    "link_id",
    "project_id",
    "linked_project_id",
    "link_kind",
    "status",
    "score",
    "method",
    "matched_fields",
)


@dataclass(frozen=True)
class Abbreviations:
    """The forms people write for one word (data/abbreviations.csv: form -> the word written
    out), replaced in one pass, longest form first, in both names before they are compared.
    A form of one letter and a dot (ถ. บ. ม. ซ.) is a form only where no Thai letter comes
    right before it (กม. is not ก + ม.)."""

    pairs: tuple[tuple[str, str], ...]  # (form, written out), longest first
    pattern: re.Pattern | None

    @classmethod
    def of(cls, pairs) -> Abbreviations:
        pairs = tuple(
            sorted(((f, e) for f, e in pairs if f), key=lambda pair: (-len(pair[0]), pair))
        )
        if not pairs:
            return cls((), None)
        alternatives = "|".join(
            (_AFTER_NO_LETTER if _ONE_LETTER.fullmatch(form) else "") + re.escape(form)
            for form, _ in pairs
        )
        return cls(pairs, re.compile(alternatives))

    def expand(self, text: str) -> str:
        if self.pattern is None:
            return text
        table = dict(self.pairs)
        return self.pattern.sub(lambda m: f" {table[m.group(0)]} ", text)


_ONE_LETTER = re.compile(r"[ก-ฮ]\.")
_AFTER_NO_LETTER = "(?<![ก-ฮะ-ฺเ-ๅ็-๎])"


@dataclass(frozen=True)
class LinkageSettings:
    accept_score: float
    review_score: float
    abbreviations: Abbreviations
    # Evidence other than the name (data/linkage.csv): a name whose words are all in the
    # other's (extra words at the end) is accepted above the review score when place, years,
    # amounts and villages agree; the words after a marker (สาย, ซอย, ...) name which work it
    # is: two names whose words after one marker differ (สาย A / สาย B) are two works.
    markers: tuple[str, ...] = ()
    marker_score: float = 80.0

    @classmethod
    def from_tables(cls, settings: pd.DataFrame, abbreviations: pd.DataFrame) -> LinkageSettings:
        values = dict(zip(settings["setting"], settings["value"], strict=True))
        forms = Abbreviations.of(
            zip(abbreviations["abbreviation"], abbreviations["expansion"], strict=True)
        )
        accept, review = float(values["accept_score"]), float(values["review_score"])
        if not 0 < review <= accept <= 100:
            raise ValueError("data/linkage.csv: need 0 < review_score <= accept_score <= 100")
        markers = tuple(m for m in (values.get("distinguishing_markers") or "").split() if m)
        marker_score = float(values.get("marker_score") or 80)
        return cls(accept, review, forms, markers, marker_score)


# Village mentions (compared as village_numbers) and place mentions (compared as places).
_VILLAGE = re.compile(r"(?:หมู่\s?ที่|หมู่|หมูที่|ม\.)\s*[0-9]+(?:\s*(?:,|และ|-)\s*[0-9]+)*")
_PLACE = re.compile(r"(?:ตำบล|ต\.|อำเภอ|อ\.|จังหวัด|จ\.)\s*[^\s()]+")
_NOISE = re.compile(r"[\s()\[\]\"'“”.,:;/\\\-–—_]+")
_PREFIX = re.compile(r"^(?:โครงการ|กิจกรรม)\s*")


def normalize_name(name: str | None, settings: LinkageSettings) -> str:
    """A project name in comparable form: Thai typing variants unified, abbreviations
    written out, the words โครงการ, villages and places taken out, word tokens joined by
    single spaces (in their order)."""
    return " ".join(_tokens(_unmentioned(name, settings.abbreviations)))


# Text clean_text returns as it is has none of these (and is NFC, and nothing pythainlp's
# normalize would change: _THAI_FIXABLE): zero-width characters, whitespace but single
# spaces inside.
_UNTIDY = re.compile(f"[{re.escape(ZERO_WIDTH_CHARS)}]|[^\\S ]|  |^ | $")
_THAI_DIGIT = re.compile("[๐-๙]")


def _unmentioned(name: str | None, abbreviations: Abbreviations) -> str:
    """clean_text of the name with Thai digits as ASCII, Thai typing unified (pythainlp's
    normalize), abbreviations written out and the prefix, villages and places taken out:
    what is word-tokenised. Many names differ only in what is taken out here, so tokens are
    cached on this text. Most names are clean already and pass two searches."""
    if (
        type(name) is str
        and name
        and not _UNTIDY.search(name)
        and unicodedata.is_normalized("NFC", name)
        and not _THAI_FIXABLE.search(name)
    ):
        text = name  # clean_text(name) == name and pythainlp's normalize keeps it
    else:
        text = clean_text(name) or ""
        if _THAI_FIXABLE.search(text):  # else pythainlp's normalize returns it as it is
            from pythainlp.util import normalize

            text = normalize(to_arabic_digits(text))
    if _THAI_DIGIT.search(text):
        text = to_arabic_digits(text)
    text = text.replace("เเ", "แ")
    text = abbreviations.expand(text)
    text = _PREFIX.sub("", text.strip())
    text = _VILLAGE.sub(" ", text)
    return _PLACE.sub(" ", text)


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize

    words = word_tokenize(text, engine="newmm", keep_whitespace=False, custom_dict=_dictionary())
    return tuple(w for w in (_NOISE.sub("", w) for w in words) if w and w != "โครงการ")


class _WordSet:
    """pythainlp's default word list (the one newmm uses) as a set, answering the one
    question newmm asks of a dictionary, `prefixes` (the words that start at a position,
    shortest first, as its Trie answers): the same tokens without building the Trie's
    half a million nodes in Python (about a second a process)."""

    def __init__(self, words) -> None:
        self.words = frozenset(w for w in (w.strip() for w in words) if w)
        self.lengths = sorted({len(w) for w in self.words})

    def __len__(self) -> int:
        return len(self.words)

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        rest = len(text) - start
        found = []
        for n in self.lengths:
            if n > rest:
                break
            if text[start : start + n] in self.words:
                found.append(text[start : start + n])
        return found


@lru_cache(maxsize=1)
def _dictionary() -> _WordSet:
    from pythainlp.corpus import thai_words

    return _WordSet(thai_words())


def _name_keys(names: pd.Series, settings: LinkageSettings) -> np.ndarray:
    """normalize_name of every name, computed once per distinct name."""
    codes, uniques = pd.factorize(names, use_na_sentinel=False)
    keys = np.array([normalize_name(n, settings) for n in uniques], dtype=object)
    return keys[codes] if len(codes) else np.array([], dtype=object)


def name_score(a: str, b: str) -> float:
    """Similarity of two normalised names, 0..100: the mean of rapidfuzz's token-sort ratio
    over characters (spelling variants inside a word cost little) and the same ratio over
    whole words (a different word costs a lot: ถนน is not รางระบายน้ำ)."""
    if not a or not b:
        return 0.0
    return round(float(_scores([a], [b])[0, 0]), 1)


def _scores(left: list[str], right: list[str], cutoff: float | None = None, words=None):
    """The name_score matrix of two lists of normalised names (a half scoring below
    `cutoff` counts 0: the pair is below the review score anyway); `words`, when given,
    are the two lists' sorted word lists."""
    from rapidfuzz import fuzz, process

    left_words, right_words = words or (_sorted_words(left), _sorted_words(right))
    chars = process.cdist(left, right, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, workers=1)
    by_word = process.cdist(
        left_words, right_words, scorer=fuzz.ratio, score_cutoff=cutoff, workers=1
    )
    return (chars + by_word) / 2


def _sorted_words(keys: list[str]) -> list[list[str]]:
    return [sorted(k.split()) for k in keys]


def _pair_scores(left: list[str], right: list[str], words, settings) -> np.ndarray:
    """name_score (unrounded) of each pair (left[k], right[k]); `words` their sorted words."""
    from rapidfuzz import fuzz, process

    if not left:
        return np.array([], dtype=np.float32)
    cutoff = _half_cutoff(settings)
    chars = process.cpdist(
        left, right, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, workers=1
    )
    by_word = process.cpdist(*words, scorer=fuzz.ratio, score_cutoff=cutoff, workers=1)
    return (chars + by_word) / 2


def _half_cutoff(settings) -> float:
    """A name score is the mean of two halves: a half below this sinks it under review."""
    return max(0.0, 2 * settings.review_score - 100)


def _raw_score(a: str, b: str) -> float:
    from rapidfuzz import fuzz

    return fuzz.ratio(a or "", b or "")


@dataclass(frozen=True)
class Facts:
    """What a project brings to a comparison besides its name's score: its name key
    (normalize_name), its place code, its villages and its (fiscal year, amount) pairs."""

    key: str
    place: str
    villages: frozenset
    money: frozenset


# Words that tell two works apart wherever they stand: a Buddhist-era year (another year's
# project) and Latin letters (สาย A). Other numbers (widths, lengths: 4.00 / 4 เมตร) only
# where a marker names the work (สาย 1 / สาย 2), and villages as village_numbers.
_DISTINGUISHING = re.compile(r"^(?:25[0-9]{2}|[A-Za-z]+)$")


def places_agree(a: str | None, b: str | None) -> bool:
    """The same place, or one of them the district or province that holds the other."""
    if not a or not b:
        return False
    return a.startswith(b) or b.startswith(a)


def weigh_evidence(kind: str, score: float, a: Facts, b: Facts, settings) -> str | None:
    """The status of a candidate pair scoring `score` (at least the review score): None when
    something tells the two apart whatever the name's score (the places of a same-level pair
    disagree; both name villages and share none; both name a year, or Latin letters, and
    they differ; the words after a marker differ: สาย A / สาย B, ซอย 3 / ซอย 5), "accepted"
    at the accept score, or below it when one name's words are all in the other's (extra
    words at the end) and place, fiscal years, amounts and villages agree; else "review"."""
    if kind == "possible_duplicate" and not places_agree(a.place, b.place):
        return None
    if a.villages and b.villages and not a.villages & b.villages:
        return None
    words_a, words_b = a.key.split(), b.key.split()
    marks_a = {w.lower() for w in words_a if _DISTINGUISHING.match(w)}
    marks_b = {w.lower() for w in words_b if _DISTINGUISHING.match(w)}
    if marks_a and marks_b and marks_a != marks_b:
        return None
    if _marked_words_differ(words_a, words_b, settings):
        return None
    if score >= settings.accept_score:
        return "accepted"
    short, long = sorted((words_a, words_b), key=len)
    contained = bool(short) and all(short.count(w) <= long.count(w) for w in set(short))
    years_a, years_b = {y for y, _ in a.money}, {y for y, _ in b.money}
    shared = years_a & years_b
    same_money = bool(shared) and {m for m in a.money if m[0] in shared} == {
        m for m in b.money if m[0] in shared
    }
    agree = places_agree(a.place, b.place) and same_money and a.villages == b.villages
    return "accepted" if contained and agree else "review"


def _marked_words_differ(words_a: list[str], words_b: list[str], settings) -> bool:
    """Whether the words after a marker both names have differ (compared over the length of
    the shorter: one name may go on)."""
    from rapidfuzz import fuzz

    for marker in settings.markers:
        if marker in words_a and marker in words_b:
            at_a, at_b = words_a.index(marker) + 1, words_b.index(marker) + 1
            tail_a, tail_b = "".join(words_a[at_a:]), "".join(words_b[at_b:])
            n = min(len(tail_a), len(tail_b))
            if n and fuzz.ratio(tail_a[:n], tail_b[:n]) < settings.marker_score:
                return True
    return False


def link_id(project_id: str, linked_project_id: str, link_kind: str) -> str:
    """Stable link id: the same two projects and kind, the same id on every run."""
    key = f"{project_id}\x1f{linked_project_id}\x1f{link_kind}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


_COLUMNS = [
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


@dataclass(frozen=True)
class _Items:
    """The values each row holds (its fiscal years, its year-and-amount pairs, its
    villages) as sorted arrays, to count what two rows share for many pairs at once."""

    starts: np.ndarray  # per row: where its values start in `values`
    counts: np.ndarray  # per row: how many values it has
    values: np.ndarray  # value codes, grouped by row
    keys: np.ndarray  # sorted distinct row * width + value
    width: int

    @classmethod
    def of(cls, rows, values, n_rows: int) -> _Items:
        rows = np.asarray(rows, dtype=np.int64)
        values = np.asarray(values, dtype=np.int64)
        order = np.lexsort((values, rows))
        rows, values = rows[order], values[order]
        counts = np.bincount(rows, minlength=n_rows).astype(np.int64)
        starts = np.cumsum(counts) - counts
        width = int(values.max()) + 1 if len(values) else 1
        keys = rows * width + values  # sorted already
        return cls(starts, counts, values, _distinct_sorted(keys), width)

    def shared(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Per pair (a[k], b[k]): how many of row a's values row b has too."""
        n = self.counts[a]
        total = int(n.sum())
        if total == 0:
            return np.zeros(len(a), dtype=np.int64)
        pair = np.repeat(np.arange(len(a)), n)
        offset = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
        wanted = b[pair] * self.width + self.values[np.repeat(self.starts[a], n) + offset]
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        hit = self.keys[at] == wanted
        return np.bincount(pair, weights=hit, minlength=len(a)).astype(np.int64)


@dataclass(frozen=True)
class _Prepared:
    """One row per project with what is compared, as arrays (row = position)."""

    frame: pd.DataFrame
    keys: list[str]  # distinct non-empty name keys
    words: list[list[str]]  # each key's words, sorted
    key: np.ndarray  # per row: index into keys, -1 for a name with nothing to compare
    level: np.ndarray
    project: np.ndarray  # project_id codes
    place: np.ndarray  # tambon_code codes, -1 when missing
    submission: np.ndarray
    years: _Items
    money: _Items  # (fiscal year, amount) pairs
    villages: _Items
    money_sets: list  # per row: frozenset of (fiscal year, amount)

    def facts(self, row: int) -> Facts:
        k = int(self.key[row])
        return Facts(
            self.keys[k] if k >= 0 else "",
            self.frame["tambon_code"].iat[row] or "",
            frozenset(self.frame["village_numbers"].iat[row] or ()),
            self.money_sets[row],
        )

    def weighed(self, kind: str, pairs: pd.DataFrame, settings) -> pd.DataFrame:
        """The candidate pairs (left, right, score) with `accepted` (weigh_evidence), those
        something tells apart dropped."""
        statuses = [
            weigh_evidence(kind, score, self.facts(a), self.facts(b), settings)
            for a, b, score in zip(pairs["left"], pairs["right"], pairs["score"], strict=True)
        ]
        keep = np.array([st is not None for st in statuses], dtype=bool)
        accepted = np.array([st == "accepted" for st in statuses], dtype=bool)
        return pairs[keep].assign(accepted=accepted[keep]).reset_index(drop=True)

    def comparable_fields(self, a: np.ndarray, b: np.ndarray) -> list[list[str]]:
        """matched_fields of each pair: name and year always; place when the places agree
        (the same, or one holds the other); villages when both name one they share; amounts
        when every year both have holds the same amount."""
        common = self.villages.shared(a, b) > 0
        shared_years = self.years.shared(a, b)
        same_money = (shared_years > 0) & (self.money.shared(a, b) == shared_years)
        codes = self.frame["tambon_code"].to_numpy(dtype=object)
        place = [places_agree(codes[x], codes[y]) for x, y in zip(a, b, strict=True)]
        return [
            ["project_name"]
            + ["place"] * bool(pl)
            + ["fiscal_year"]
            + ["village_numbers"] * bool(v)
            + ["amount_thb"] * bool(m)
            for pl, v, m in zip(place, common, same_money, strict=True)
        ]


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def _codes(values) -> np.ndarray:
    return pd.factorize(values)[0].astype(np.int64)


def _prepare(projects: pd.DataFrame, budgets: pd.DataFrame, settings) -> _Prepared:
    frame = projects[_COLUMNS].reset_index(drop=True)
    n = len(frame)
    name_key = _name_keys(frame["project_name"], settings)
    ranks = {level: level_rank(level) for level in pd.unique(frame["plan_level"])}
    level = frame["plan_level"].map(ranks).to_numpy(dtype=np.int64)
    frame = frame.assign(name_key=name_key, level_no=level, row_no=np.arange(n))
    key, distinct = pd.factorize(pd.Series(name_key, dtype=object))
    key = key.astype(np.int64)
    if "" in set(distinct):  # an empty key is compared with nothing
        empty = list(distinct).index("")
        key = np.where(key == empty, -1, np.where(key > empty, key - 1, key))
        distinct = [k for k in distinct if k != ""]
    # Each project's budget years and amounts (the last row of a year wins, as before).
    rows = frame[["project_id", "row_no"]].merge(
        budgets[["project_id", "fiscal_year", "amount_thb"]].assign(order=np.arange(len(budgets))),
        on="project_id",
    )
    rows = rows.sort_values(["row_no", "order"]).drop_duplicates(
        ["row_no", "fiscal_year"], keep="last"
    )
    row_of = rows["row_no"].to_numpy(dtype=np.int64)
    years = np.array([int(y) for y in rows["fiscal_year"]], dtype=np.int64)
    amounts = [a if type(a) is Decimal else Decimal(a) for a in rows["amount_thb"]]
    year_code = _codes(years)
    money = year_code * (len(amounts) + 1) + _codes(pd.Series(amounts, dtype=object))
    held: dict[int, list] = {}
    for r, y, amount in zip(row_of.tolist(), years.tolist(), amounts, strict=True):
        held.setdefault(r, []).append((y, amount))
    money_sets = [frozenset(held.get(r, ())) for r in range(n)]
    village_lists = [list(v) if v is not None else [] for v in frame["village_numbers"]]
    village_rows = np.repeat(np.arange(n), [len(v) for v in village_lists])
    village_values = [v for vs in village_lists for v in vs]
    return _Prepared(
        frame=frame,
        keys=list(distinct),
        words=_sorted_words(list(distinct)),
        key=key,
        level=level,
        project=_codes(frame["project_id"]),
        place=_codes(frame["tambon_code"]),
        submission=_codes(frame["submission_id"]),
        years=_Items.of(row_of, year_code, n),
        money=_Items.of(row_of, _codes(money), n),
        villages=_Items.of(village_rows, _codes(pd.Series(village_values, dtype=object)), n),
        money_sets=money_sets,
    )


CHUNK = 2000  # distinct names a side of one score matrix: memory stays bounded in a huge block
PAIR_BATCH = 250_000  # candidate pairs held at once while looking for copies (tens of MB)


def _groups(labels: np.ndarray, n_labels: int):
    """Positions sorted by label, and each label's start and count in that order."""
    order = np.argsort(labels, kind="stable")
    counts = np.bincount(labels, minlength=n_labels)
    return order, np.cumsum(counts) - counts, counts


def _expand(i, j, left, right):
    """Every (left member, right member) pair of the label pairs (i[k], j[k])."""
    (l_order, l_start, l_count), (r_order, r_start, r_count) = left, right
    nl, nr = l_count[i], r_count[j]
    per = nl * nr
    pair = np.repeat(np.arange(len(i)), per)
    local = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
    a = l_order[l_start[i][pair] + local // nr[pair]]
    b = r_order[r_start[j][pair] + local % nr[pair]]
    return a, b, pair


def _rounded(scores: np.ndarray) -> np.ndarray:
    """Scores to one decimal as name_score rounds them (Python's round)."""
    return np.array([round(float(s), 1) for s in scores], dtype=np.float64)


def _scored_pairs(p: _Prepared, left: np.ndarray, right: np.ndarray, settings):
    """(i, j, score) of every pair of the two key lists scoring at least the review score,
    in score matrices of at most CHUNK x CHUNK."""
    cutoff = _half_cutoff(settings)
    found_i, found_j, found_s = [], [], []
    for i0 in range(0, len(left), CHUNK):
        for j0 in range(0, len(right), CHUNK):
            a, b = left[i0 : i0 + CHUNK], right[j0 : j0 + CHUNK]
            scores = _scores(
                [p.keys[k] for k in a],
                [p.keys[k] for k in b],
                cutoff,
                ([p.words[k] for k in a], [p.words[k] for k in b]),
            )
            i, j = (scores >= settings.review_score).nonzero()
            found_i.append(i + i0)
            found_j.append(j + j0)
            found_s.append(scores[i, j])
    if not found_i:
        return (np.array([], dtype=np.int64),) * 2 + (np.array([], dtype=np.float32),)
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_s)


def _level_of(p: _Prepared, rows: pd.DataFrame) -> np.ndarray:
    return p.level[rows["row"].to_numpy()]


def _per_place(p: _Prepared, rows: pd.DataFrame, how: str, at: pd.DataFrame) -> np.ndarray:
    """The min or max level of `rows` in each place, at each place of `at` (NaN: none)."""
    levels = pd.Series(_level_of(p, rows)).groupby(rows["place"].to_numpy()).agg(how)
    return levels.reindex(at["place"]).to_numpy()


def _rollup_pairs(p: _Prepared, settings) -> pd.DataFrame:
    """rolls_up_to candidates (left = child, right = parent): a project and the projects of
    higher levels whose place holds its place (same tambon, its district or its province),
    sharing a fiscal year, not two different villages of one tambon, names scoring at least
    the review score. Names are scored once per distinct pair of names in a place."""
    columns = ["left", "right", "score"]
    codes = p.frame["tambon_code"]
    named = p.key >= 0
    is_parent = named & (p.level > 0) & (p.place >= 0)
    if not is_parent.any() or p.level[is_parent].max() <= p.level[named].min():
        return pd.DataFrame(columns=columns)  # no level above another here
    parents = pd.DataFrame({"place": codes[is_parent], "row": np.flatnonzero(is_parent)})
    places = set(parents["place"])
    candidates = np.flatnonzero(named & (p.place >= 0))
    inside = []
    for width in (2, 4, 6):  # rows inside a place: the place's code begins theirs
        prefix = codes.iloc[candidates].str[:width]
        hit = prefix.isin(places).to_numpy()
        inside.append(pd.DataFrame({"place": prefix[hit].to_numpy(), "row": candidates[hit]}))
    members = pd.concat(inside, ignore_index=True).drop_duplicates()
    # Only a row of a level below a parent's can be its child: a parent above no member of
    # its place, and a member below no parent of it, compare with nothing.
    parents = parents[_level_of(p, parents) > _per_place(p, members, "min", parents)]
    members = members[_level_of(p, members) < _per_place(p, parents, "max", members)]
    by_place = parents.groupby("place")["row"].apply(np.array).to_dict()
    found = []
    for place, rows in members.groupby("place")["row"]:
        left, right = np.sort(rows.to_numpy()), by_place[place]
        l_keys, l_label = np.unique(p.key[left], return_inverse=True)
        r_keys, r_label = np.unique(p.key[right], return_inverse=True)
        i, j, score = _scored_pairs(p, l_keys, r_keys, settings)
        if not len(i):
            continue
        a, b, pair = _expand(i, j, _groups(l_label, len(l_keys)), _groups(r_label, len(r_keys)))
        a, b = left[a], right[b]
        found.append(pd.DataFrame({"left": a, "right": b, "score": _rounded(score)[pair]}))
    if not found:
        return pd.DataFrame(columns=columns)
    pairs = pd.concat(found, ignore_index=True)
    a, b = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    keep = (p.project[a] != p.project[b]) & (p.level[b] > p.level[a])
    keep[keep] = p.years.shared(a[keep], b[keep]) > 0
    # Both name villages of the same tambon: they must share one.
    check = keep & (p.place[a] == p.place[b]) & (codes.str.len().to_numpy()[b] == 6)
    check &= (p.villages.counts[a] > 0) & (p.villages.counts[b] > 0)
    keep[check] = p.villages.shared(a[check], b[check]) > 0
    return pairs[keep].reset_index(drop=True)


def _duplicate_pairs(p: _Prepared, settings, rejected=frozenset()) -> pd.DataFrame:
    """The best possible_duplicate candidate of each later copy (left = the earlier row,
    right = the copy): projects of one level in one district with the same budget in every
    year both have (so blocked on a shared year-and-amount), not two rows of one table,
    not two villages of one tambon, names scoring at least the review score; the best is
    the highest score, then the earliest row."""
    columns = ["left", "right", "score", "accepted"]
    frame = p.frame
    block = (
        frame.groupby(["plan_level", "district_code"], sort=False)
        .ngroup()
        .fillna(-1)
        .to_numpy(dtype=np.int64)
    )
    money = p.money
    item_row = np.repeat(np.arange(len(frame)), money.counts)
    ok = (p.key[item_row] >= 0) & (block[item_row] >= 0)
    item_row, item_value = item_row[ok], money.values[ok]
    group = _codes(block[item_row] * money.width + item_value)
    order = np.lexsort((item_row, group))
    rows, group = item_row[order], group[order]
    if not len(rows):
        return pd.DataFrame(columns=columns)
    counts = np.bincount(group)
    starts = np.cumsum(counts) - counts
    after = starts[group] + counts[group] - 1 - np.arange(len(rows))  # later rows in group
    best, ends, start = [], np.cumsum(after), 0
    while start < len(rows):  # at most PAIR_BATCH pairs at once (at least one row's)
        limit = ends[start] - after[start] + PAIR_BATCH
        stop = max(start + 1, int(np.searchsorted(ends, limit, side="right")))
        at = np.arange(start, min(stop, len(rows)))
        best.append(_best_copies(p, rows, at, after[at], settings, rejected))
        start = stop
    pairs = pd.concat(best, ignore_index=True)
    return _first_per_copy(pairs).reset_index(drop=True)


def _best_copies(p: _Prepared, rows, at, after, settings, rejected=frozenset()) -> pd.DataFrame:
    """The candidate pairs of item positions `at` (each with the `after` later rows of its
    group), filtered and scored, best per copy."""
    first = np.repeat(at, after)
    local = np.arange(int(after.sum())) - np.repeat(np.cumsum(after) - after, after)
    a, b = rows[first], rows[first + 1 + local]
    n = len(p.key)
    a, b = np.divmod(_distinct_sorted(np.sort(a * n + b)), n)
    same_place = (p.place[a] == p.place[b]) & (p.place[a] >= 0)
    other_villages = (
        (p.villages.counts[a] > 0) & (p.villages.counts[b] > 0) & (p.villages.shared(a, b) == 0)
    )
    keep = (p.project[a] != p.project[b]) & ~(
        same_place & ((p.submission[a] == p.submission[b]) | other_villages)
    )
    a, b = a[keep], b[keep]
    keep = p.money.shared(a, b) == p.years.shared(a, b)  # same money in every shared year
    a, b = a[keep], b[keep]
    keep = _places_agree(p, a, b)  # a copy is in the same place (weigh_evidence): before scoring
    a, b = a[keep], b[keep]
    k = len(p.keys)
    names, which = np.unique(p.key[a] * k + p.key[b], return_inverse=True)
    left_names, right_names = np.divmod(names, k)
    raw = _pair_scores(
        [p.keys[x] for x in left_names],
        [p.keys[x] for x in right_names],
        ([p.words[x] for x in left_names], [p.words[x] for x in right_names]),
        settings,
    )
    passing = raw >= settings.review_score
    score = np.zeros(len(names))
    score[passing] = _rounded(raw[passing])
    keep = passing[which]
    pairs = pd.DataFrame({"left": a[keep], "right": b[keep], "score": score[which][keep]})
    pairs = p.weighed("possible_duplicate", pairs, settings)
    if rejected:
        pairs = pairs[~_is_rejected(p, pairs, rejected)]
    return _first_per_copy(pairs)


def _places_agree(p: _Prepared, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """places_agree of each pair (a[k], b[k]), over arrays: the same place code, or one a
    district or province whose code begins the other's (checked one by one: few pairs)."""
    agree = (p.place[a] == p.place[b]) & (p.place[a] >= 0)
    codes = p.frame["tambon_code"].to_numpy(dtype=object)
    lengths = p.frame["tambon_code"].str.len().fillna(0).to_numpy(dtype=np.int64)
    wider = np.flatnonzero(~agree & (lengths[a] != lengths[b]))
    for k in wider:
        agree[k] = places_agree(codes[a[k]], codes[b[k]])
    return agree


def _first_per_copy(pairs: pd.DataFrame) -> pd.DataFrame:
    order = np.lexsort((pairs["left"], -pairs["score"].to_numpy(), pairs["right"]))
    return pairs.iloc[order].drop_duplicates("right")


def _chosen_rollups(p: _Prepared, ups: pd.DataFrame, settings) -> list[tuple]:
    """Each child is linked once, to the nearest level above with an accepted match; a
    parent takes one child of a level (two same-named rows of one tambon are two projects,
    only one of which the plan above took in): best score first, ties to the closer raw
    spelling, then to the earlier row."""
    left, right = ups["left"].to_numpy(), ups["right"].to_numpy()
    score = ups["score"].to_numpy()
    parent_rank, child_rank = p.level[right], p.level[left]
    accepted = ups["accepted"].to_numpy(dtype=bool)
    raw = _raw_scores(p, left, right)
    order = np.lexsort((right, left, -raw, -score, parent_rank, ~accepted))
    nearest = np.full(len(p.level), -1, dtype=np.int64)  # per child: nearest accepted level
    big = np.iinfo(np.int64).max
    best = np.full(len(p.level), big, dtype=np.int64)
    np.minimum.at(best, left[accepted], parent_rank[accepted])
    nearest[best < big] = best[best < big]
    # An accepted match above the nearest accepted level is never taken.
    order = order[~(accepted[order] & (parent_rank[order] != nearest[left[order]]))]
    # The greedy pass in rounds: a pair first in order both for its child and for its
    # parent-and-level among the pairs left is the one the pass takes; the pairs sharing
    # its child or its parent-and-level go. The last few pairs go one at a time.
    parent_key = right * (int(child_rank.max()) + 1) + child_rank
    picked = []
    while len(order) > ROUND_MIN and len(picked) < MAX_ROUNDS:
        first_child = np.unique(left[order], return_index=True)[1]
        first_parent = np.unique(parent_key[order], return_index=True)[1]
        take = order[np.intersect1d(first_child, first_parent, assume_unique=True)]
        picked.append(take)
        done = np.isin(left[order], left[take]) | np.isin(parent_key[order], parent_key[take])
        order = order[~done]
    taken_children = set(left[np.concatenate(picked)].tolist()) if picked else set()
    taken_parents = set(parent_key[np.concatenate(picked)].tolist()) if picked else set()
    rest = []
    for k, child, key in zip(
        order.tolist(), left[order].tolist(), parent_key[order].tolist(), strict=True
    ):
        if child in taken_children or key in taken_parents:
            continue
        taken_children.add(child)
        taken_parents.add(key)
        rest.append(k)
    chosen = np.sort(np.concatenate([*picked, np.array(rest, dtype=np.int64)]))
    return [
        ("rolls_up_to", c, q, points, "accepted" if ok else "review")
        for c, q, points, ok in zip(
            left[chosen].tolist(),
            right[chosen].tolist(),
            score[chosen].tolist(),
            accepted[chosen].tolist(),
            strict=True,
        )
    ]


ROUND_MIN = 64  # pairs left when the greedy pass goes on one pair at a time
MAX_ROUNDS = 32  # (or after this many rounds: a long chain of conflicts)


def _raw_scores(p: _Prepared, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """fuzz.ratio of the two names as written, once per distinct pair of names."""
    from rapidfuzz import fuzz, process

    names, name = np.unique(
        p.frame["project_name"].fillna("").to_numpy(dtype=object), return_inverse=True
    )
    n = len(names)
    pairs, which = np.unique(name[left] * n + name[right], return_inverse=True)
    a, b = np.divmod(pairs, n)
    raw = process.cpdist(list(names[a]), list(names[b]), scorer=fuzz.ratio, dtype=np.float64)
    return raw[which]


def link_projects(
    projects: pd.DataFrame,
    budgets: pd.DataFrame,
    settings: LinkageSettings,
    decisions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The links between projects (LINK_COLUMNS and `decided_by`), accepted or to review.

    rolls_up_to: each project links to its best match at the nearest level above that has
    an accepted one; else its best match in the grey band is kept for review.
    possible_duplicate: the later copy links to the earlier when the budgets of the years
    both have are equal and the places agree; accepted when the names match above the
    accept score (or the evidence besides the name agrees: weigh_evidence) and both have
    budgets in the same years, else review.
    `decisions` (applicable_decisions: project_id, linked_project_id, decision, decided_by)
    are a person's word: a rejected pair is never proposed, an accepted one is the link
    (status accepted, decided_by who said so) in place of what the scores chose for it.
    """
    p = _prepare(projects, budgets, settings)
    rejected, forced = _decided_pairs(decisions)
    chosen = []  # (kind, child row, parent row, score, status)
    ups = _rollup_pairs(p, settings)
    if len(ups):
        ups = p.weighed("rolls_up_to", ups, settings)
        if rejected:
            ups = ups[~_is_rejected(p, ups, rejected)]
    if len(ups):
        chosen += _chosen_rollups(p, ups, settings)
    # Same-level plans share many programme names (every tambon has its ยาเสพติด project):
    # only a pair with the same budgets is the same project twice.
    dups = _duplicate_pairs(p, settings, rejected)
    if len(dups):
        a, b = dups["left"].to_numpy(), dups["right"].to_numpy()
        shared = p.years.shared(a, b)
        same_years = (shared == p.years.counts[a]) & (shared == p.years.counts[b])
        accepted = dups["accepted"].to_numpy(dtype=bool) & same_years
        for left, right, score, ok in zip(a, b, dups["score"], accepted, strict=True):
            chosen.append(
                ("possible_duplicate", right, left, score, "accepted" if ok else "review")
            )
    who = [None] * len(chosen)
    if forced:
        chosen, who = _with_decisions(p, chosen, forced)
    if not chosen:
        return pd.DataFrame(columns=[*LINK_COLUMNS, "decided_by"])
    kinds, child, parent, scores, statuses = (list(c) for c in zip(*chosen, strict=True))
    child, parent = np.array(child, dtype=np.int64), np.array(parent, dtype=np.int64)
    # matched_fields are symmetric but computed as before: (left, right) of the pair.
    up = np.array([k == "rolls_up_to" for k in kinds])
    left, right = np.where(up, child, parent), np.where(up, parent, child)
    ids = p.frame["project_id"].to_numpy(dtype=object)
    links = pd.DataFrame(
        {
            "link_id": [
                link_id(c, q, k) for c, q, k in zip(ids[child], ids[parent], kinds, strict=True)
            ],
            "project_id": ids[child],
            "linked_project_id": ids[parent],
            "link_kind": kinds,
            "status": statuses,
            "score": [Decimal(str(s)).quantize(Decimal("0.1")) for s in scores],
            "method": METHOD,
            "matched_fields": p.comparable_fields(left, right),
            "decided_by": pd.Series(who, dtype=object),
        },
        columns=[*LINK_COLUMNS, "decided_by"],
    )
    return links.sort_values(["link_kind", "project_id"], ignore_index=True)


DECISIONS = ("accept", "reject")


def _decided_pairs(decisions: pd.DataFrame | None):
    """(rejected pairs as frozensets of two project ids, accepted (child id, parent id, who))."""
    if decisions is None or decisions.empty:
        return frozenset(), []
    rejected, forced = set(), []
    for d in decisions.itertuples(index=False):
        if d.decision == "reject":
            rejected.add(frozenset((d.project_id, d.linked_project_id)))
        else:
            forced.append((d.project_id, d.linked_project_id, d.decided_by))
    return frozenset(rejected), forced


def _is_rejected(p: _Prepared, pairs: pd.DataFrame, rejected: frozenset) -> np.ndarray:
    ids = p.frame["project_id"].to_numpy(dtype=object)
    return np.array(
        [
            frozenset((ids[a], ids[b])) in rejected
            for a, b in zip(pairs["left"], pairs["right"], strict=True)
        ],
        dtype=bool,
    )


def _with_decisions(p: _Prepared, chosen: list[tuple], forced: list[tuple]):
    """The chosen links with each accepted decision in place of what the scores chose: the
    lower project of the two rolls up to the higher (the same level: the second named is the
    one kept, the first its copy); any link the scores chose for that project of that kind,
    or between the same two, gives way. Returns the links and who decided each."""
    row_of = {pid: k for k, pid in enumerate(p.frame["project_id"])}
    out = {(c[0], c[1]): (c, None) for c in chosen}  # (kind, child row) -> link
    for first, second, who in forced:
        if first not in row_of or second not in row_of:
            continue
        a, b = row_of[first], row_of[second]
        if p.level[a] > p.level[b]:
            a, b = b, a
        kind = "rolls_up_to" if p.level[a] < p.level[b] else "possible_duplicate"
        for key, (link, _) in list(out.items()):
            if {link[1], link[2]} == {a, b}:
                del out[key]
        ka, kb = p.key[a], p.key[b]
        score = (
            round(float(_scores([p.keys[ka]], [p.keys[kb]])[0, 0]), 1)
            if ka >= 0 and kb >= 0
            else 0.0
        )
        out[(kind, a)] = ((kind, a, b, score, "accepted"), who)
    values = list(out.values())
    return [v[0] for v in values], [v[1] for v in values]


def count_once(projects: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Per project: `funded_at_level` and `is_counted`.

    A project with an accepted link (it rolls up to a plan above, or it is a copy) is not
    counted: its money is counted in the project it links to. Following accepted links
    from a project reaches the project that counts its money; that project's level is
    where it is funded, unless it is still a request (ขอรับการสนับสนุน) nobody above has
    taken up (funded_at_level NULL: waiting)."""
    accepted = links[links["status"] == "accepted"] if len(links) else links
    parent = (
        dict(zip(accepted["project_id"], accepted["linked_project_id"], strict=True))
        if len(accepted)
        else {}
    )
    ids = projects["project_id"].tolist()
    levels, routes = projects["plan_level"].tolist(), projects["funding_route"].tolist()
    level = dict(zip(ids, levels, strict=True))
    route = dict(zip(ids, routes, strict=True))
    # A project with no accepted link is its own root (the loop below only for the rest).
    unique = len(level) == len(ids)
    funded = [
        None if (r == "requested" and lv != "province") else lv
        for lv, r in zip(levels, routes, strict=True)
    ]
    counted = [True] * len(ids)
    for k, pid in enumerate(ids):
        if unique and pid not in parent:
            continue
        root, seen = pid, {pid}
        while root in parent and parent[root] in level and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        waiting = route[root] == "requested" and level[root] != "province"
        funded[k] = None if waiting else level[root]
        counted[k] = not (pid in parent and parent[pid] in level)
    return pd.DataFrame(
        {
            "project_id": projects["project_id"].to_numpy(),
            "funded_at_level": pd.Series(funded, dtype=object),
            "is_counted": pd.Series(counted, dtype=bool),
        }
    )


def review_issues(
    links: pd.DataFrame, projects: pd.DataFrame, make_issue, place_names: dict[str, str]
) -> list[dict]:
    """One `data_issues` warning per link in the grey band, on the linking project's row,
    naming the other project and where both are (file › sheet › row, and place)."""
    if links.empty:
        return []
    review = links[links["status"] == "review"]
    position = pd.Index(projects["project_id"])
    rows = position.get_indexer(review["project_id"])
    others = position.get_indexer(review["linked_project_id"])
    column = {c: projects[c].tolist() for c in (*_ISSUE_COLUMNS, "submission_id", "tambon_code")}
    out = []
    for link, r, o in zip(review.itertuples(index=False), rows, others, strict=True):
        file, sheet, line = (column[c][o] for c in _ISSUE_COLUMNS[:3])
        where = " › ".join(str(p) for p in (file, sheet, line) if p)
        tambon = column["tambon_code"][o]
        place = place_names.get(tambon, tambon)
        expected = f"{column['project_name'][o]} ({place}; {where}; score {link.score})"
        code = "possible_link_up" if link.link_kind == "rolls_up_to" else "possible_duplicate_copy"
        issue = make_issue(
            code,
            source_file=column["source_file"][r],
            sheet=column["source_sheet"][r] or None,
            row=column["source_row"][r],
            value=column["project_name"][r],
            expected=expected,
        )
        source = {
            "submission_id": column["submission_id"][r],
            "source_file": column["source_file"][r],
        }
        out.append({**source, **issue})
    return out


_ISSUE_COLUMNS = ("source_file", "source_sheet", "source_row", "project_name")


def link_changes(
    old_links: pd.DataFrame | None,
    new_links: pd.DataFrame,
    old_projects: pd.DataFrame | None,
    new_projects: pd.DataFrame,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """`project_changes` rows for accepted links made and broken since the last publication
    (a link is the same link while both projects keep their ids)."""
    columns = schema.PROJECT_CHANGES.column_names

    def accepted(links):
        if links is None or links.empty:
            return pd.DataFrame(columns=["link_id", "project_id", "linked_project_id"])
        return links[links["status"] == "accepted"]

    old, new = accepted(old_links), accepted(new_links)
    made = new[~new["link_id"].isin(old["link_id"])].assign(change="link_made")
    broken = old[~old["link_id"].isin(new["link_id"])].assign(change="link_broken")
    rows = []
    for change, frame, projects in (
        ("link_made", made, new_projects),
        ("link_broken", broken, old_projects if old_projects is not None else new_projects),
    ):
        if frame.empty:
            continue
        about = projects.set_index("project_id")
        for link in frame.itertuples(index=False):
            if link.project_id not in about.index:
                continue
            p = about.loc[link.project_id]
            rows.append(
                {
                    "changed_at": now,
                    "change": change,
                    "project_id": link.project_id,
                    "district_code": p["district_code"],
                    "tambon_code": p["tambon_code"],
                    "project_name": p["project_name"],
                    "submission_id": p["submission_id"],
                    "linked_project_id": link.linked_project_id,
                }
            )
    return pd.DataFrame(rows, columns=columns)
