"""Each project aligned to the strategies above it, its category to a development area, and
every agency it names to one canonical agency.

The strategy frames (national, provincial and the links between them), the keywords that
infer a strategy, the development areas with their synonyms and the agency table are data
(`data/strategies_*.csv`, `strategy_links.csv`, `strategy_keywords.csv`,
`development_areas.csv`, `development_area_synonyms.csv`, `agencies.csv`). A new plan cycle
is a CSV edit. Reading the files is `flows.reference`'s job; everything here is pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

ROUTES_WITH_AN_AGENCY = ("requested", "joint")
LOCAL_KIND = "local"
_THAI_RUN = re.compile(r"[\u0e01-\u0e4e]+")
# A heading or cell naming a strategy by its number: ยุทธศาสตร์จังหวัดที่ 2, ยุทธศาสตร์ที่ 2, 2.
_NUMBERED = re.compile(
    r"^(?P<prefix>(?:ความสอดคล้องกับ)?(?:ประเด็น)?ยุทธศาสตร์(?:การพัฒนา)?(?P<province>จังหวัด"
    r"(?:ชัยนาท)?)?(?:ที่)?|ประเด็นการพัฒนา(?:ที่)?)?(?P<number>\d{1,2})(?!\d)(?P<rest>.*)$"
)
_PLACE_END = ("อำเภอ", "จังหวัด", "ร่วมกับ")


# The levels of the strategy frame a provincial plan aligns with, top first (the "three levels
# of plans": the National Strategy, then the regional, provincial-cluster and provincial plans).
# Which of them a run uses, their ranks and their plans' names are data/strategy_levels.csv;
# each level's strategies are data/strategies_<level>.csv.
LEVELS = ("national", "regional", "cluster", "provincial")
REQUIRED_LEVELS = ("national", "provincial")


@dataclass(frozen=True)
class Level:
    level: str
    rank: int  # 1 = the top
    plan_name_th: str
    plan_name_en: str


@dataclass(frozen=True)
class Strategy:
    level: str  # one of LEVELS
    code: str
    number: str
    name_th: str
    name_en: str
    parent_codes: tuple[str, ...] = ()  # the links as written (data/strategy_links.csv)
    # Per level above: the strategies of that level it serves, the links to that level as
    # written, else through the levels between (see `build_alignment`).
    above: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def codes_at(self, level: str) -> tuple[str, ...]:
        return dict(self.above).get(level, ())


@dataclass(frozen=True)
class Agency:
    code: str
    name_th: str
    name_en: str
    kind: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class AgencyMatch:
    """One agency named in a text: the table row, and its canonical names for that text."""

    agency: Agency
    name_th: str
    name_en: str
    start: int


@dataclass(frozen=True)
class Alignment:
    levels: tuple[Level, ...]  # top first
    all_strategies: tuple[Strategy, ...]  # by level (top first), then as in their table
    keywords: tuple[tuple[str, str], ...]  # (normalised keyword, provincial code)
    development_areas: tuple[tuple[str, str, str], ...]  # (code, name_th, name_en)
    area_synonyms: tuple[tuple[str, str], ...]  # (normalised pattern, area code)
    agencies: tuple[Agency, ...]
    _alias_index: dict[str, tuple[tuple[str, Agency], ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def strategies(self) -> tuple[Strategy, ...]:
        return self.all_strategies

    def of_level(self, level: str) -> tuple[Strategy, ...]:
        return tuple(s for s in self.all_strategies if s.level == level)

    @property
    def national(self) -> tuple[Strategy, ...]:
        return self.of_level("national")

    @property
    def provincial(self) -> tuple[Strategy, ...]:
        return self.of_level("provincial")

    def plan_of(self, level: str) -> Level:
        return next(lv for lv in self.levels if lv.level == level)


_KEY_NOISE = re.compile(r"[\s()\[\]{}.:*\"'“”‘’\-_ฯ]+")
_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _key(text: object) -> str:
    """The matching key of a (cleaned) text: Arabic digits, lower case, without spaces, dots,
    brackets, quotes, dashes and the abbreviation mark ฯ (so อบจ. = อบจ, โยธาฯ = โยธา)."""
    if text is None or text != text:  # None or NaN
        return ""
    return _KEY_NOISE.sub("", str(text).translate(_ARABIC).lower())


def build_alignment(
    levels: pd.DataFrame,
    level_tables: Mapping[str, pd.DataFrame],
    links: pd.DataFrame,
    keywords: pd.DataFrame,
    development_areas: pd.DataFrame,
    area_synonyms: pd.DataFrame,
    agencies: pd.DataFrame,
) -> Alignment:
    """Compile the alignment tables; raises ValueError naming the bad table and line.

    `levels` is strategy_levels.csv, `level_tables` each listed level's strategies
    (strategies_<level>.csv). A link goes from a strategy to one of a level above it. For each
    level above a strategy, the strategies it serves there are its links to that level as
    written; when it has none, the ones the strategies it links to (at the levels between)
    serve there, so a provincial strategy linked to a cluster issue serves that issue's
    regional and national strategies too, unless the provincial plan states its own."""
    compiled_levels = _levels(levels)
    rank = {lv.level: lv.rank for lv in compiled_levels}
    level_of: dict[str, str] = {}
    rows: list[tuple[str, object]] = []
    for lv in compiled_levels:
        table = level_tables[lv.level]
        name = f"strategies_{lv.level}.csv"
        codes = _unique(table["code"], name)
        numbers = list(table["number"]) if "number" in table else codes
        _unique(pd.Series(numbers), f"{name} (number)")
        for code in codes:
            if code in level_of:
                raise ValueError(f"{name}: code {code!r} is also a {level_of[code]} strategy")
            level_of[code] = lv.level
        rows += [(lv.level, r) for r in table.itertuples(index=False)]
    parents: dict[str, list[str]] = {code: [] for code in level_of}
    for i, row in enumerate(links.itertuples(index=False), start=2):
        child, parent = level_of.get(row.strategy_code), level_of.get(row.parent_code)
        if child is None or parent is None:
            raise ValueError(f"strategy_links.csv line {i}: unknown code in {tuple(row)[:2]}")
        if rank[parent] >= rank[child]:
            raise ValueError(
                f"strategy_links.csv line {i}: {row.parent_code} ({parent}) is not a level "
                f"above {row.strategy_code} ({child})"
            )
        parents[row.strategy_code].append(row.parent_code)
    above = _levels_above(parents, level_of, rank)
    strategies = tuple(
        Strategy(
            level,
            r.code,
            str(getattr(r, "number", r.code)),
            r.name_th,
            r.name_en,
            tuple(parents[r.code]),
            above[r.code],
        )
        for level, r in rows
    )
    compiled_keywords = []
    for i, row in enumerate(keywords.itertuples(index=False), start=2):
        if level_of.get(row.strategy_code) != "provincial" or not _key(row.keyword):
            raise ValueError(f"strategy_keywords.csv line {i}: {row.strategy_code!r}")
        compiled_keywords.append((_key(row.keyword), row.strategy_code))
    area_codes = _unique(development_areas["code"], "development_areas.csv")
    synonyms = []
    for i, row in enumerate(area_synonyms.itertuples(index=False), start=2):
        if row.area_code not in area_codes or not _key(row.pattern):
            raise ValueError(f"development_area_synonyms.csv line {i}: {row.area_code!r}")
        synonyms.append((_key(row.pattern), row.area_code))
    _unique(agencies["code"], "agencies.csv")
    agency_rows, index = [], {}
    for i, row in enumerate(agencies.itertuples(index=False), start=2):
        aliases = tuple(dict.fromkeys(_key(a) for a in [row.name_th, *row.aliases.split("|")]))
        aliases = tuple(a for a in aliases if a and "{" not in a)
        if not aliases:
            raise ValueError(f"agencies.csv line {i}: no alias")
        agency = Agency(row.code, row.name_th, row.name_en, row.kind, aliases)
        agency_rows.append(agency)
        for alias in aliases:
            index.setdefault(alias[0], []).append((alias, agency))
    return Alignment(
        levels=compiled_levels,
        all_strategies=strategies,
        keywords=tuple(compiled_keywords),
        development_areas=tuple(
            (r.code, r.name_th, r.name_en) for r in development_areas.itertuples(index=False)
        ),
        area_synonyms=tuple(synonyms),
        agencies=tuple(agency_rows),
        # Longest alias first: กรมทางหลวงชนบท wins over กรมทางหลวง.
        _alias_index={
            ch: tuple(sorted(entries, key=lambda e: -len(e[0]))) for ch, entries in index.items()
        },
    )


def _levels(levels: pd.DataFrame) -> tuple[Level, ...]:
    """strategy_levels.csv, top first: known levels, each once, national and provincial
    present, distinct whole ranks."""
    out = []
    for i, row in enumerate(levels.itertuples(index=False), start=2):
        if row.level not in LEVELS or not str(row.rank).isdigit() or not row.plan_name_th:
            raise ValueError(f"strategy_levels.csv line {i}: {row.level!r} (levels: {LEVELS})")
        out.append(Level(row.level, int(row.rank), row.plan_name_th, row.plan_name_en))
    names = [lv.level for lv in out]
    ranks = [lv.rank for lv in out]
    if len(set(names)) != len(names) or len(set(ranks)) != len(ranks):
        raise ValueError("strategy_levels.csv: each level and each rank once")
    if not set(REQUIRED_LEVELS) <= set(names):
        raise ValueError(f"strategy_levels.csv: the levels {REQUIRED_LEVELS} are required")
    if max(out, key=lambda lv: lv.rank).level != "provincial":
        raise ValueError("strategy_levels.csv: provincial must be the lowest level")
    return tuple(sorted(out, key=lambda lv: lv.rank))


def _levels_above(
    parents: dict[str, list[str]], level_of: dict[str, str], rank: dict[str, int]
) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """Per strategy, per level above it (top first): the links to that level as written,
    else what the strategies it links to serve there."""
    order = sorted(rank, key=rank.__getitem__)
    resolved: dict[str, dict[str, tuple[str, ...]]] = {}
    for code in sorted(level_of, key=lambda c: rank[level_of[c]]):  # the top level first
        mine: dict[str, tuple[str, ...]] = {}
        for level in order[: order.index(level_of[code])]:
            direct = [p for p in parents[code] if level_of[p] == level]
            via = [c for p in parents[code] for c in resolved[p].get(level, ())]
            mine[level] = tuple(dict.fromkeys(direct or via))
        resolved[code] = mine
    return {code: tuple(levels.items()) for code, levels in resolved.items()}


def _unique(values: pd.Series, table: str) -> list[str]:
    values = list(values)
    dup = sorted({v for v in values if values.count(v) > 1})
    if dup or any(not v for v in values):
        raise ValueError(f"{table}: codes must be unique and non-empty ({dup})")
    return values


# ---- strategies -----------------------------------------------------------------------------
def _by_number(alignment: Alignment, number: str, level: str = "provincial") -> str | None:
    number = str(int(number))
    return next((s.code for s in alignment.of_level(level) if s.number == number), None)


def _by_name(alignment: Alignment, key: str, level: str = "provincial") -> str | None:
    """The strategy of the level whose full name is in the text (the longest, when one name
    holds another), or whose name starts with the text (a heading that shortens the name);
    None when none or several do."""
    if not key:
        return None
    strategies = alignment.of_level(level)
    found = {s.code: len(_key(s.name_th)) for s in strategies if _key(s.name_th) in key}
    if found:
        longest = max(found.values())
        found = {c: n for c, n in found.items() if n == longest}
    elif len(key) >= 6:
        found = {s.code: 0 for s in strategies if _key(s.name_th).startswith(key)}
    return next(iter(found)) if len(found) == 1 else None


# A title line's enumerator (`ก.`, `ง)`) and, in a stated strategy, where its number is:
# ยุทธศาสตร์จังหวัดที่ 2, ยุทธศาสตร์การพัฒนาจังหวัดชัยนาท ที่ 2, ประเด็นการพัฒนาที่ ๒,
# ประเด็นยุทธศาสตร์ข้อ 2 (on the matching key: Arabic digits, no spaces or dots).
_ENUMERATOR = re.compile(r"^\s*[\u0e01-\u0e2e]\s*[.)]\s*")
_STATED_NUMBER = re.compile(
    r"(?:ยุทธศาสตร์|ประเด็น)[\u0e01-\u0e4ea-z]{0,40}?(?:ที่|ข้อ)(?P<number>\d{1,2})(?!\d)"
)
_NATIONAL_NUMBER = re.compile(r"(?:ยุทธศาสตร์ชาติ|ด้าน)(?:ด้าน)?ที่(?P<number>\d{1,2})(?!\d)")


def provincial_from_text(text: str | None, alignment: Alignment) -> str | None:
    """The provincial strategy a file's own title line states (`ง. ยุทธศาสตร์จังหวัดที่ 2 …`,
    `ประเด็นการพัฒนาที่ ๒`, the strategy's name, or failing those its keywords); None when
    the line names none."""
    key = _key(_ENUMERATOR.sub("", text or ""))
    if not key:
        return None
    stated = _STATED_NUMBER.search(key) or _NUMBERED.match(key)
    code = _by_number(alignment, stated["number"]) if stated else None
    return code or _by_name(alignment, key) or infer_strategy([key], alignment)


def national_from_text(text: str | None, alignment: Alignment) -> str | None:
    """The National Strategy area a file's title line states (`ก. ยุทธศาสตร์ชาติ ด้านการสร้าง
    ความสามารถในการแข่งขัน`, `ยุทธศาสตร์ชาติที่ 2`, `ด้านที่ 2`); None when it names none."""
    key = _key(_ENUMERATOR.sub("", text or ""))
    if not key:
        return None
    code = _by_name(alignment, key, "national")
    if code is None and (stated := _NATIONAL_NUMBER.search(key)):
        code = _by_number(alignment, stated["number"], "national")
    return code


def strategy_from_cell(text: str | None, alignment: Alignment) -> str | None:
    """The provincial strategy a strategy-column cell names: its number (`2`, `๒`,
    `ยุทธศาสตร์ที่ 2`) or its name; None when the cell names none."""
    key = _key(text)
    numbered = _NUMBERED.match(key)
    if numbered:
        return _by_number(alignment, numbered["number"])
    return _by_name(alignment, key)


def strategy_from_heading(text: str | None, alignment: Alignment) -> str | None:
    """The provincial strategy a section heading or category text names explicitly.

    A tambon numbers its own strategies too (`ยุทธศาสตร์ที่ 1 ด้านโครงสร้างพื้นฐาน`), so a
    number counts only when the heading says จังหวัด, when nothing follows it, or when the
    words after it are that strategy's name; otherwise only the name counts.
    """
    key = _key(text)
    numbered = _NUMBERED.match(key)
    if numbered and numbered["prefix"]:
        code = _by_number(alignment, numbered["number"])
        rest = numbered["rest"]
        if code and (numbered["province"] or not rest or _by_name(alignment, rest) == code):
            return code
        return _by_name(alignment, rest)
    return _by_name(alignment, key)


def infer_strategy(texts: list[str | None], alignment: Alignment) -> str | None:
    """The provincial strategy the keywords of the texts (category, project name) point to:
    the strategy with the most distinct keywords found, only when it has strictly more than
    every other; None when no keyword is found or the best is tied."""
    key = "\x1f".join(_key(t) for t in texts if t)
    scores: dict[str, int] = {}
    for keyword, code in alignment.keywords:
        if keyword in key:
            scores[code] = scores.get(code, 0) + 1
    if not scores:
        return None
    ranked = sorted(scores.values(), reverse=True)
    if len(ranked) > 1 and ranked[0] == ranked[1]:
        return None
    return max(scores, key=scores.__getitem__)


def align_strategy(
    strategy_text: str | None,
    category_text: str | None,
    section_text: str | None,
    project_name: str | None,
    alignment: Alignment,
) -> tuple[str | None, str | None]:
    """(strategy_code, strategy_source) of one project: a strategy column, else the category
    column or section heading naming a strategy, else keywords; (None, None) when unknown."""
    named = named_strategy(strategy_text, category_text, section_text, alignment)
    if named[0]:
        return named
    code = infer_strategy([category_text or section_text, project_name], alignment)
    return (code, "inferred") if code else (None, None)


def named_strategy(
    strategy_text: str | None,
    category_text: str | None,
    section_text: str | None,
    alignment: Alignment,
    file_text: str | None = None,
) -> tuple[str | None, str | None]:
    """(code, source) of the strategy a column, the file's title lines or a heading names
    explicitly, in that order, or (None, None). The row's own cell is the most precise; the
    title line (`ง. ยุทธศาสตร์จังหวัดที่ …`, the file's own stated alignment) comes before a
    heading inside the table and always before keywords."""
    for text, source, resolve in (
        (strategy_text, "column", strategy_from_cell),
        (category_text, "column", strategy_from_heading),
        (file_text, "file", provincial_from_text),
        (section_text, "section", strategy_from_heading),
    ):
        code = resolve(text, alignment) if text else None
        if code:
            return code, source
    return None, None


def development_area(category: str | None, alignment: Alignment) -> str | None:
    """The development area (ด้าน) code of a category text: the first synonym found."""
    key = _key(category)
    if not key:
        return None
    return next((area for pattern, area in alignment.area_synonyms if pattern in key), None)


# ---- agencies -------------------------------------------------------------------------------
def find_agencies(
    text: str | None, alignment: Alignment, tambon_name: str = "", tambon_names=()
) -> list[AgencyMatch]:
    """Every agency named in a text, in the order written (longest alias at each place).

    Templates fill in the place written after the alias: `{tambon}` with the tambon named
    there (one of `tambon_names` when it starts with one), else the project's own
    `tambon_name`; `{place}` with the words written there."""
    key = _key(text)
    out, i = [], 0
    while i < len(key):
        hit = next(
            (
                (alias, agency)
                for alias, agency in alignment._alias_index.get(key[i], ())
                if key.startswith(alias, i)
            ),
            None,
        )
        if hit is None:
            i += 1
            continue
        alias, agency = hit
        end = i + len(alias)
        place, used = _place_after(key[end:], agency, tambon_name, tambon_names, alignment)
        out.append(
            AgencyMatch(
                agency,
                _fill(agency.name_th, place),
                _fill(agency.name_en, place, english=True),
                i,
            )
        )
        i = end + used
    return out


def _place_after(
    rest: str, agency: Agency, tambon_name: str, tambon_names, alignment: Alignment
) -> tuple[str, int]:
    """(place name, characters used) written after an alias, for templated agencies."""
    if "{tambon}" not in agency.name_th and "{place}" not in agency.name_th:
        return "", 0
    rest = rest.removeprefix("ตำบล") if rest.startswith("ตำบล") else rest
    run = _THAI_RUN.match(rest)
    words = run.group(0) if run else ""
    for end in _PLACE_END:
        cut = words.find(end)
        if cut >= 0:
            words = words[:cut]
    for j in range(1, len(words)):  # another agency named right after: not part of the place
        if any(words.startswith(a, j) for a, _ in alignment._alias_index.get(words[j], ())):
            words = words[:j]
            break
    if "{tambon}" in agency.name_th:
        known = sorted((t for t in tambon_names if t and words.startswith(t)), key=len)
        if known:
            return known[-1], len(known[-1])
        return (words, len(words)) if words else (tambon_name, 0)
    return words, len(words)


def _fill(template: str, place: str, english: bool = False) -> str:
    filled = template.replace("{tambon}", place).replace("{place}", place)
    return " ".join(filled.split()) if english else filled


def canonical_agency(
    text: str | None, alignment: Alignment, tambon_name: str = "", tambon_names=()
) -> str | None:
    """The canonical Thai name of the first agency a text names; None when it names none."""
    found = find_agencies(text, alignment, tambon_name, tambon_names)
    return found[0].name_th if found else None


def requested_from(
    funding_route: str | None,
    texts: list[str | None],
    alignment: Alignment,
    tambon_name: str = "",
    tambon_names=(),
) -> str | None:
    """The canonical agency a requested or joint project asks: the first agency other than
    a local one (อบต./เทศบาล) named in the texts, in order (source of funds, then the
    responsible agency); None for own money or when no such agency is named."""
    if funding_route not in ROUTES_WITH_AN_AGENCY:
        return None
    for text in texts:
        for found in find_agencies(text, alignment, tambon_name, tambon_names):
            if found.agency.kind != LOCAL_KIND:
                return found.name_th
    return None


# ---- published reference tables ------------------------------------------------------------
LEVELS_ABOVE_COLUMNS = {"cluster": "cluster_codes", "regional": "regional_codes"}
LEVELS_ABOVE_COLUMNS["national"] = "national_codes"


def strategies_frame(alignment: Alignment) -> pd.DataFrame:
    """The `strategies` table: every strategy of every level, top level first, with its plan,
    the links as written and, per level above, the strategies it serves there."""
    return pd.DataFrame(
        [
            {
                "level": s.level,
                "strategy_code": s.code,
                "number": s.number,
                "name_th": s.name_th,
                "name_en": s.name_en,
                "plan_name_th": alignment.plan_of(s.level).plan_name_th,
                "plan_name_en": alignment.plan_of(s.level).plan_name_en,
                "parent_codes": list(s.parent_codes),
                **{column: list(s.codes_at(lv)) for lv, column in LEVELS_ABOVE_COLUMNS.items()},
            }
            for s in alignment.strategies
        ]
    )


def development_areas_frame(alignment: Alignment) -> pd.DataFrame:
    return pd.DataFrame(
        alignment.development_areas, columns=["development_area", "name_th", "name_en"]
    )


def agencies_frame(alignment: Alignment) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "agency_code": a.code,
                "name_th": a.name_th,
                "name_en": a.name_en,
                "kind": a.kind,
                "aliases": list(a.aliases),
            }
            for a in alignment.agencies
        ]
    )


# ---- one frame of projects -----------------------------------------------------------------
ALIGNED_COLUMNS = (
    "strategy_code",
    "strategy_source",
    "national_strategy_code",
    "development_area",
    "responsible_agency",
    "responsible_agency_text",
    "requested_from",
)


@dataclass(frozen=True)
class Finding:
    """One thing about a project to report (an issue code, its value, the column)."""

    index: int
    code: str
    value: str
    column: str | None = None


def align_projects(
    projects: pd.DataFrame, alignment: Alignment, tambon_names: dict[str, str]
) -> tuple[pd.DataFrame, list[Finding]]:
    """Projects with ALIGNED_COLUMNS added (responsible_agency normalised, the typed text
    kept in responsible_agency_text), and what to report: a strategy cell naming no
    provincial strategy (`unknown_strategy_value`), a project with no strategy
    (`strategy_unknown`), an agency text naming no known agency (`agency_unknown`), a
    requested or joint project naming no agency to ask (`requested_from_unknown`), and, once
    per file and text, a title line stating a strategy that is none of ours
    (`unknown_file_strategy`).

    The file's own stated alignment (`provincial_strategy_text`, `national_strategy_text`:
    the title lines the reader stages) sets strategy_code with strategy_source `file` ahead
    of a heading and of keywords, and national_strategy_code."""
    by_district: dict[str, list[str]] = {}
    for code, name in tambon_names.items():
        by_district.setdefault(code[:4], []).append(_key(name))

    def col(name: str) -> list:
        if name not in projects:
            return [None] * len(projects)
        return [None if pd.isna(v) else v for v in projects[name]]

    out = {name: [] for name in ALIGNED_COLUMNS}
    findings: list[Finding] = []
    rows = zip(
        col("strategy_text"),
        col("category"),
        col("section_text"),
        col("project_name"),
        col("responsible_agency"),
        col("funding_source_text"),
        col("funding_route"),
        col("tambon_code"),
        col("provincial_strategy_text"),
        col("national_strategy_text"),
        col("source_file"),
        strict=True,
    )
    found: dict[tuple, list[AgencyMatch]] = {}  # the same texts recur: resolve each once
    explicit_found: dict[tuple, tuple[str | None, str | None]] = {}
    national_found: dict[str, str | None] = {}
    provincial_found: dict[str, str | None] = {}
    reported: set[tuple] = set()  # (file, text) of a stated strategy already reported

    def agencies_in(text, tambon_name, names) -> list[AgencyMatch]:
        if not text:
            return []
        key = (text, tambon_name, id(names))
        if key not in found:
            found[key] = find_agencies(text, alignment, tambon_name, names)
        return found[key]

    for i, row in enumerate(rows):
        strategy, category, section, name, agency, source, route, tambon = row[:8]
        stated, stated_national, source_file = row[8:]
        written_category = category if category != section else None
        explicit = (strategy, written_category, section, stated)
        if explicit not in explicit_found:
            explicit_found[explicit] = named_strategy(*explicit[:3], alignment, stated)
        code, source_kind = explicit_found[explicit]
        if stated_national and stated_national not in national_found:
            national_found[stated_national] = national_from_text(stated_national, alignment)
        national = national_found.get(stated_national) if stated_national else None
        if stated and stated not in provincial_found:
            provincial_found[stated] = provincial_from_text(stated, alignment)
        for text, matched in ((stated, provincial_found.get(stated)), (stated_national, national)):
            if text and matched is None and (source_file, text) not in reported:
                reported.add((source_file, text))
                findings.append(Finding(i, "unknown_file_strategy", text))
        if code is None:
            code = infer_strategy([written_category or section, name], alignment)
            source_kind = "inferred" if code else None
        if strategy and strategy_from_cell(strategy, alignment) is None:
            findings.append(Finding(i, "unknown_strategy_value", strategy))
        if code is None:
            findings.append(Finding(i, "strategy_unknown", name))
        tambon_name = tambon_names.get(tambon or "", "")
        names = by_district.get((tambon or "")[:4], [])
        responsible = agencies_in(agency, tambon_name, names)
        canonical = responsible[0].name_th if responsible else None
        if agency and canonical is None:
            findings.append(Finding(i, "agency_unknown", agency))
        asked = None
        if route in ROUTES_WITH_AN_AGENCY:
            named = [*agencies_in(source, tambon_name, names), *responsible]
            asked = next((m.name_th for m in named if m.agency.kind != LOCAL_KIND), None)
        if route in ROUTES_WITH_AN_AGENCY and asked is None:
            findings.append(Finding(i, "requested_from_unknown", name))
        out["strategy_code"].append(code)
        out["strategy_source"].append(source_kind)
        out["national_strategy_code"].append(national)
        out["development_area"].append(development_area(category, alignment))
        out["responsible_agency"].append(canonical or agency)
        out["responsible_agency_text"].append(agency)
        out["requested_from"].append(asked)
    aligned = projects.copy()
    for name, values in out.items():
        aligned[name] = pd.Series(values, index=projects.index, dtype="object")
    return aligned, findings
