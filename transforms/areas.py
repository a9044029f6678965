"""Official districts and tambons (DOPA codes via geothai), and matching names written by hand."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

import geothai
import pandas as pd
from oneplan.transforms.text import clean_text, to_arabic_digits

CHAI_NAT = "18"

# อ.เมือง: the province's capital district (อำเภอเมือง + the province's name).
_CAPITAL = "เมือง"
# Places a tambon name is introduced inside a title, file or sheet name.
_TAMBON_MARK = re.compile(r"(?:ตำบล|ต\.)\s*([^\s_,()\-]+(?:\s[^\s_,()\-อจ][^\s_,()\-]*)?)")
_SPLIT = re.compile(r"[\s_,()\-]+")
# A district or province written after a tambon's name ("ตลุก อ.สรรพยา").
_TRAILING_LEVELS = re.compile(r"\s*(?:อ\.|อำเภอ|จ\.|จังหวัด)\s*\S.*$")
# A district written inside a place cell ("อ.ตาคลี").
_DISTRICT_MARK = re.compile(r"(?:อ\.|อำเภอ)\s*(\S+)")
# A province written inside a place cell ("ต.หนองโพ อ.ตาคลี จ.นครสวรรค์").
_PROVINCE_MARK = re.compile(r"(?:จ\.|จังหวัด)\s*([^\s,()]+)")


def province_codes(provinces: str) -> list[str]:
    """Province codes for a scope: one code ("18"), several ("18,17") or "all" of Thailand."""
    if provinces.strip().lower() == "all":
        return [p.code for p in geothai.provinces()]
    codes = [c.strip() for c in provinces.split(",") if c.strip()]
    unknown = [c for c in codes if geothai.province(c) is None]
    if unknown or not codes:
        raise ValueError(f"unknown province code(s) {unknown or provinces!r}: use e.g. 18 or all")
    return codes


def areas_frame(provinces: str = CHAI_NAT) -> pd.DataFrame:
    """One row per tambon of the provinces in scope, sorted by tambon code (`areas`)."""
    rows = []
    for province in province_codes(provinces):
        for district in geothai.districts(province):
            for tambon in geothai.subdistricts(district.code):
                rows.append(
                    {
                        "district_code": district.code,
                        "district_name_th": district.name_th,
                        "district_name_en": district.name_en,
                        "tambon_code": tambon.code,
                        "tambon_name_th": tambon.name_th,
                        "tambon_name_en": tambon.name_en,
                    }
                )
    return pd.DataFrame(rows).sort_values("tambon_code", ignore_index=True)


def name_key(text: str | None) -> str:
    """A place name in one comparable form: no prefix (ต./ตำบล/อ./อำเภอ), spaces, dots or case."""
    cleaned = clean_text(text)
    if cleaned is None:
        return ""
    return geothai.normalize(to_arabic_digits(cleaned))


def resolve_district_folder(folder_name: str, areas: pd.DataFrame) -> str | None:
    """District code for an inbox folder named by code, Thai name (any prefix) or English
    name; None when nothing matches or when the name fits several districts in scope."""
    text = (clean_text(folder_name) or "").strip()
    index = _district_index(areas)
    if text in index["codes"]:
        return text
    matches = index["names"].get(name_key(text), set())
    return next(iter(matches)) if len(matches) == 1 else None


def _district_index(areas: pd.DataFrame) -> dict:
    key = id(areas)
    cached = _DISTRICT_INDEX.get(key)
    if cached is None or cached[0] is not areas:
        names: dict[str, set[str]] = {}
        districts = areas.drop_duplicates("district_code")
        for row in districts.itertuples(index=False):
            for name in (row.district_name_th, row.district_name_en):
                names.setdefault(name_key(name), set()).add(row.district_code)
        cached = (areas, {"codes": set(districts["district_code"]), "names": names})
        _DISTRICT_INDEX[key] = cached
    return cached[1]


_DISTRICT_INDEX: dict[int, tuple[pd.DataFrame, dict]] = {}


@dataclass(frozen=True)
class TambonMatch:
    """Outcome of matching a written tambon name against the register.

    status: exact | fuzzy (accepted, reported) | wrong_district | unknown | ambiguous
    """

    status: str
    tambon_code: str | None = None
    tambon_name_th: str | None = None


@dataclass(frozen=True)
class PlacePrefixes:
    """The words that say which level a written place is (data/place_prefixes.csv): `ต.x`
    a tambon, `อ.x` / `อำเภอx` / `ทั้งอำเภอ` the whole district, `จ.x` / `ทั้งจังหวัด` the
    whole province. The prefix decides: `อ.หันคา` is the district even where a tambon
    shares its name."""

    pattern: re.Pattern  # the prefixes, longest first
    levels: dict[str, str]  # prefix -> tambon | district | province

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> PlacePrefixes:
        levels = {}
        for prefix, level in zip(table["prefix"], table["area_level"], strict=True):
            prefix = (clean_text(prefix) or "").replace(" ", "")
            if level not in ("tambon", "district", "province") or not prefix:
                raise ValueError(f"data/place_prefixes.csv: bad row {prefix!r} {level!r}")
            levels[prefix] = level
        alternatives = "|".join(re.escape(p) for p in sorted(levels, key=lambda p: (-len(p), p)))
        return cls(re.compile(f"(?:{alternatives})"), levels)

    def parts(self, text: str) -> list[tuple[str, str]]:
        """(level, name) of each part of a written place, in order: the text before the first
        prefix is a tambon's name; a prefix's name runs to the next prefix (maybe empty)."""
        out = []
        marks = list(self.pattern.finditer(text))
        head = text[: marks[0].start()] if marks else text
        if head.strip():
            out.append(("tambon", head.strip()))
        for k, mark in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
            out.append((self.levels[mark.group(0)], text[mark.end() : end].strip()))
        return out


class TambonMatcher:
    """Matches hand-written places to DOPA codes of the areas in scope: a tambon, or a whole
    district or province where the prefix says so (PlacePrefixes)."""

    def __init__(self, areas: pd.DataFrame, prefixes: PlacePrefixes, fuzzy_cutoff: float = 0.8):
        self._fuzzy_cutoff = fuzzy_cutoff
        self._prefixes = prefixes
        self._by_district: dict[str, dict[str, tuple[str, str]]] = {}
        self._province: dict[str, list[tuple[str, str, str]]] = {}
        for row in areas.itertuples(index=False):
            for key in {name_key(row.tambon_name_th), name_key(row.tambon_name_en)}:
                self._by_district.setdefault(row.district_code, {})[key] = (
                    row.tambon_code,
                    row.tambon_name_th,
                )
                self._province.setdefault(key, []).append(
                    (row.district_code, row.tambon_code, row.tambon_name_th)
                )
        self._district_names: dict[str, set[str]] = {}
        for row in areas.drop_duplicates("district_code").itertuples(index=False):
            for name in (row.district_name_th, row.district_name_en):
                self._district_names.setdefault(name_key(name), set()).add(row.district_code)
        self._provinces_in_scope = frozenset(areas["district_code"].str[:2])
        self._province_names: dict[str, set[str]] = {}
        self._province_keys: dict[str, list[str]] = {}
        for code in {c[:2] for c in areas["district_code"]}:
            province = geothai.province(code)
            for name in (province.name_th, province.name_en) if province else ():
                self._province_names.setdefault(name_key(name), set()).add(code)
            if province:
                self._province_keys.setdefault(code, []).append(province.name_th)
        self.match = lru_cache(maxsize=65536)(self._match)
        self.outside_scope = lru_cache(maxsize=4096)(self._outside_scope)

    def _outside_scope(self, province_text: str | None, district_text: str | None) -> bool:
        """True when a row's own จังหวัด cell names a province of Thailand outside the
        provinces in scope, or, with no province cell, its อำเภอ cell names only districts
        outside them (official names via geothai; a name we do not know is not judged)."""
        provinces, districts = _thailand_places()
        if clean_text(province_text):
            code = provinces.get(name_key(province_text))
            return code is not None and code not in self._provinces_in_scope
        key = name_key(district_text)
        if not key or key in self._district_names:
            return False
        found = districts.get(key)
        return bool(found) and not found & self._provinces_in_scope

    def _match(self, text: str, district_code: str) -> TambonMatch:
        """The place `text` names, read in a file of `district_code` (a district code, or a
        province code for a province-level file)."""
        cleaned = clean_text(text) or ""
        parts = self._prefixes.parts(cleaned)
        names = {}
        for level, name in parts:
            names.setdefault(level, name)
        prefixed = [name for level, name in parts[1:] if level == "tambon" and name]
        if prefixed and not self._prefixes.pattern.match(cleaned):
            names["tambon"] = prefixed[0]  # "หมู่ 3 ต.หันคา": the prefixed name is the tambon
        province = district_code[:2]
        if "province" in names and not self._names_province(names["province"], province):
            return TambonMatch("unknown")
        district = None
        if "district" in names:
            district = self._district_named(names["district"], province, district_code)
            if district is None:
                return TambonMatch("unknown")
        if "tambon" not in names:
            if district is not None:
                if len(district_code) == 4 and district != district_code:
                    return TambonMatch("wrong_district", district, self._district_label(district))
                return TambonMatch("exact", district, self._district_label(district))
            if "province" in names:
                return TambonMatch("exact", province, cleaned.replace(" ", ""))
            return TambonMatch("unknown")
        tambon = names["tambon"]
        if district is not None and district != district_code:
            found = self._match_tambon(tambon, district)
            if len(district_code) == 4 and found.status in ("exact", "fuzzy"):
                return TambonMatch("wrong_district", found.tambon_code, found.tambon_name_th)
            return found
        if len(district_code) == 2:
            return self._match_in_province(tambon, district_code)
        return self._match_tambon(tambon, district_code)

    def _match_tambon(self, tambon: str, district_code: str) -> TambonMatch:
        key = name_key(tambon)
        if not key:
            return TambonMatch("unknown")
        own = self._by_district.get(district_code, {})
        if key in own:
            code, name = own[key]
            return TambonMatch("exact", code, name)
        elsewhere = self._province.get(key)
        if elsewhere:
            return TambonMatch("wrong_district", elsewhere[0][1], elsewhere[0][2])
        close = difflib.get_close_matches(key, list(own), n=3, cutoff=self._fuzzy_cutoff)
        codes = {own[c][0] for c in close}
        if len(codes) == 1 or (len(codes) > 1 and _clearly_better(key, close)):
            code, name = own[close[0]]
            return TambonMatch("fuzzy", code, name)
        return TambonMatch("ambiguous" if close else "unknown")

    def _names_province(self, name: str, province_code: str) -> bool:
        """An empty name is the file's own province; else it must name it."""
        return not name or province_code in self._province_names.get(name_key(name), ())

    def _district_named(self, name: str, province_code: str, scope: str) -> str | None:
        """The district a district part names: empty is the file's own district (None in a
        province file: which one?), else a district of the province by its name."""
        if not name:
            return scope if len(scope) == 4 else None
        codes = {c for c in self._district_names.get(name_key(name), ()) if c[:2] == province_code}
        if not codes and name_key(name) == name_key(_CAPITAL):  # อ.เมือง: the capital district
            for key in self._province_keys.get(province_code, ()):
                codes |= {
                    c
                    for c in self._district_names.get(name_key(_CAPITAL + key), ())
                    if c[:2] == province_code
                }
        return next(iter(codes)) if len(codes) == 1 else None

    def _district_label(self, code: str) -> str:
        return "ทั้งอำเภอ" + next(
            (k for k, codes in self._district_names.items() if code in codes and k), code
        )

    def _match_in_province(self, tambon: str, province_code: str) -> TambonMatch:
        """A tambon written without its district in a province-level file: the one tambon of
        the province with that name."""
        key = name_key(tambon)
        found = [x for x in self._province.get(key, []) if x[0].startswith(province_code)]
        if len({t for _, t, _ in found}) == 1:
            _, t, n = found[0]
            return TambonMatch("exact", t, n)
        return TambonMatch("ambiguous" if found else "unknown")

    def names_a_tambon(self, text: str | None) -> bool:
        """True when the text names a tambon of any district in scope after ตำบล / ต.
        (`ต.ตลุก`, `อบต.ตลุก`, `เทศบาลตำบลวัดสิงห์`): a plan that says where it is, even
        if not in the district of its folder."""
        cleaned = clean_text(text)
        if not cleaned:
            return False
        for found in _TAMBON_MARK.finditer(cleaned):
            for candidate in (found.group(1), found.group(1).split(" ")[0]):
                key = name_key(_TRAILING_LEVELS.sub("", candidate)) or name_key(candidate)
                if key in self._province:
                    return True
        return False

    def find_in_text(self, text: str | None, district_code: str) -> TambonMatch | None:
        """An exact tambon of the district named in a title, sheet or file name; None if none.

        Tries the words after ตำบล / ต. first, then the whole text, then each word. Only exact
        matches count here: a sheet called "Sheet1" names no tambon and is not an error.
        """
        cleaned = clean_text(text)
        if not cleaned:
            return None
        candidates = [m.group(1) for m in _TAMBON_MARK.finditer(cleaned)]
        candidates += [m.group(1).split(" ")[0] for m in _TAMBON_MARK.finditer(cleaned)]
        candidates.append(cleaned)
        candidates += [w for w in _SPLIT.split(cleaned) if w]
        for candidate in candidates:
            parts = self._prefixes.parts(candidate)
            if parts and parts[0][0] != "tambon":  # a district or province, never a tambon
                continue
            found = self.match(candidate, district_code)
            if found.status == "exact" and len(found.tambon_code) == 6:
                return found
        return None


def places_in_text(text: str | None) -> tuple[str | None, str | None]:
    """(province, district) a place cell writes with their markers (`อ.ตาคลี จ.นครสวรรค์`,
    `อำเภอตาคลี`); None for a part it does not write."""
    cleaned = clean_text(text) or ""
    province = _PROVINCE_MARK.search(cleaned)
    district = _DISTRICT_MARK.search(cleaned)
    return (province.group(1) if province else None, district.group(1) if district else None)


@lru_cache(maxsize=1)
def _thailand_places() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Every province of Thailand by name (Thai and English) -> code, and every district
    name -> the provinces that have a district of that name (geothai)."""
    provinces: dict[str, str] = {}
    districts: dict[str, set[str]] = {}
    for province in geothai.provinces():
        for name in (province.name_th, province.name_en):
            provinces[name_key(name)] = province.code
        for district in geothai.districts(province.code):
            for name in (district.name_th, district.name_en):
                districts.setdefault(name_key(name), set()).add(province.code)
    return provinces, {k: frozenset(v) for k, v in districts.items()}


def _clearly_better(key: str, close: list[str]) -> bool:
    first = difflib.SequenceMatcher(None, key, close[0]).ratio()
    second = difflib.SequenceMatcher(None, key, close[1]).ratio()
    return first - second >= 0.1
