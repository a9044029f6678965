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

# "ตลุก อ.สรรพยา จ.ชัยนาท": the tambon is what comes before the district or province part.
_TRAILING_LEVELS = re.compile(r"\s*(?:อ\.|อำเภอ|จ\.|จังหวัด)\s*\S.*$")
# Places a tambon name is introduced inside a title, file or sheet name.
_TAMBON_MARK = re.compile(r"(?:ตำบล|ต\.)\s*([^\s_,()\-]+(?:\s[^\s_,()\-อจ][^\s_,()\-]*)?)")
_SPLIT = re.compile(r"[\s_,()\-]+")
# Words that name a district or province, never a tambon ("อำเภอหันคา" is not ต.หันคา).
_OTHER_LEVEL = re.compile(r"^(?:อ\.|อำเภอ|จ\.|จังหวัด)")
# In a province-level file: "ตลุก อ.สรรพยา" names the district after the tambon.
_DISTRICT_MARK = re.compile(r"(?:อ\.|อำเภอ)\s*(\S+)")
_DISTRICT_PART = re.compile(r"^(?:อ\.|อำเภอ)\s*|\s*(?:จ\.|จังหวัด).*$")
_PROVINCE_WORD = re.compile(r"^(?:จ\.|จังหวัด)")
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


class TambonMatcher:
    """Matches hand-written tambon names to DOPA codes of the areas in scope."""

    def __init__(self, areas: pd.DataFrame, fuzzy_cutoff: float = 0.8):
        self._fuzzy_cutoff = fuzzy_cutoff
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
        cleaned = clean_text(text) or ""
        wide = self._match_wide(cleaned, district_code)
        if wide is not None:
            return wide
        if len(district_code) == 2:
            return self._match_in_province(cleaned, district_code)
        key = name_key(_TRAILING_LEVELS.sub("", cleaned)) or name_key(cleaned)
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

    def _match_wide(self, cleaned: str, district_code: str) -> TambonMatch | None:
        """A place wider than a tambon: ทั้งอำเภอ / ทั้งจังหวัด (the file's district or province),
        or, in a province-level file, a district alone (อ.หันคา / อำเภอหันคา)."""
        squashed = cleaned.replace(" ", "")
        if squashed.startswith("ทั้งจังหวัด") or (
            len(district_code) == 2 and _PROVINCE_WORD.match(squashed)
        ):
            return TambonMatch("exact", district_code[:2], squashed)
        if squashed.startswith("ทั้งอำเภอ") and len(district_code) == 4:
            return TambonMatch("exact", district_code, squashed)
        if len(district_code) == 2 and _OTHER_LEVEL.match(squashed):
            code = self._district_named(squashed, district_code)
            if code:
                return TambonMatch("exact", code, squashed)
        return None

    def _district_named(self, text: str, province_code: str) -> str | None:
        key = name_key(_DISTRICT_PART.sub("", text))
        codes = {c for c in self._district_names.get(key, ()) if c.startswith(province_code)}
        return next(iter(codes)) if len(codes) == 1 else None

    def _match_in_province(self, cleaned: str, province_code: str) -> TambonMatch:
        """A tambon written in a province-level file: "ตลุก อ.สรรพยา" (in that district) or
        a name that is one tambon of the province."""
        part = _DISTRICT_MARK.search(cleaned)
        if part:
            district = self._district_named(part.group(1), province_code)
            tambon = cleaned[: part.start()].strip()
            if district and tambon:
                return self._match(tambon, district)
        key = name_key(_TRAILING_LEVELS.sub("", cleaned)) or name_key(cleaned)
        found = {t for d, t, n in self._province.get(key, []) if d.startswith(province_code)}
        if len(found) == 1:
            (d, t, n), *_ = [x for x in self._province[key] if x[0].startswith(province_code)]
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
            if _OTHER_LEVEL.match(candidate):
                continue
            found = self.match(candidate, district_code)
            if found.status == "exact":
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
