"""Plan levels (village, tambon, district, province): which level a submitted file is, how
precise the place of its rows is, and the district and province rows of `areas`.

Pure functions over names and the first rows of sheets; the patterns are `data/plan_levels.csv`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geothai
import pandas as pd
from oneplan.transforms.numbers import village_numbers_from_name
from oneplan.transforms.text import clean_text, to_arabic_digits

PLAN_LEVELS = ("village", "tambon", "district", "province")  # bottom-up
DEFAULT_LEVEL = "tambon"
TITLE_ROWS = 6  # rows at the top of a sheet searched for the plan's title


def level_rank(level: str) -> int:
    """0 for village up to 3 for province."""
    return PLAN_LEVELS.index(level)


@dataclass(frozen=True)
class LevelPatterns:
    """Title / sheet / file-name patterns naming a plan level (data/plan_levels.csv)."""

    patterns: tuple[tuple[str, str], ...]  # (comparable pattern, level), longest first

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> LevelPatterns:
        unknown = set(table["plan_level"]) - set(PLAN_LEVELS)
        if unknown:
            raise ValueError(f"data/plan_levels.csv: unknown plan_level {sorted(unknown)}")
        pairs = {
            (_squash(p), lvl) for p, lvl in zip(table["pattern"], table["plan_level"], strict=True)
        }
        return cls(tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair))))

    def find(self, text: str | None) -> str | None:
        """The level the text names (the longest pattern found wins), or None."""
        squashed = _squash(text)
        for pattern, level in self.patterns:
            if pattern and pattern in squashed:
                return level
        return None


def _squash(text: object) -> str:
    """Text compared without spaces, Thai digits or typing variants of SARA AM."""
    cleaned = clean_text(text) or ""
    cleaned = cleaned.replace("\u0e4d\u0e32", "\u0e33").replace("เเ", "แ")
    return re.sub(r"\s+", "", to_arabic_digits(cleaned))


@dataclass(frozen=True)
class FilePlan:
    """What a file is: its plan level, the place its rows default to, its village."""

    plan_level: str
    default_place: str | None = None  # district or province code when rows name no tambon
    village_numbers: tuple[int, ...] = ()  # a village plan's village (from its name or title)


def file_plan(
    source_file: str,
    sheet_names: list[str],
    title_rows: list[str],
    patterns: LevelPatterns,
    district_code: str,
    in_province_folder: bool = False,
) -> FilePlan:
    """The plan level of one file: the first pattern found in its file name, then its title
    rows, then its sheet names, then the folders of its path; a file of the province folder
    is a province plan whatever its name, any other defaults to a tambon plan.

    Rows of a district plan that name no tambon are district-wide (default place = the
    district), those of a province plan province-wide; a village plan's rows sit in the
    village its file name or title names."""
    parts = source_file.split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    level = None
    for text in [stem, *title_rows, *sheet_names, *reversed(parts[:-1])]:
        level = patterns.find(text)
        if level:
            break
    if in_province_folder:
        level = "province"
    level = level or DEFAULT_LEVEL
    default_place = {"district": district_code, "province": district_code[:2]}.get(level)
    villages: tuple[int, ...] = ()
    if level == "village":
        for text in [stem, *title_rows, *sheet_names]:
            found = village_numbers_from_name(text)
            if found:
                villages = tuple(found[:1])
                break
    return FilePlan(level, default_place, villages)


def title_texts(rows: list[list], limit: int = TITLE_ROWS) -> list[str]:
    """The non-empty cells of the first rows of a sheet joined per row (where titles are)."""
    out = []
    for row in rows[:limit]:
        words = [t for t in (clean_text(v) for v in row[:30]) if t]
        if words:
            out.append(" ".join(words))
    return out


_PROVINCE_FOLDER_PREFIX = re.compile(r"^(?:จ\.|จังหวัด)\s*")


def resolve_province_folder(folder_name: str, provinces: list[str]) -> str | None:
    """Province code for an inbox folder of province-level files: `จังหวัด`, `จ.ชัยนาท`,
    `จังหวัดชัยนาท`, the province code (`18`) or its English name; None otherwise. A bare
    `จังหวัด` means the one province in scope (None when several are)."""
    text = (clean_text(folder_name) or "").strip()
    if text in provinces:
        return text
    if text == "จังหวัด":
        return provinces[0] if len(provinces) == 1 else None
    name = _PROVINCE_FOLDER_PREFIX.sub("", text)
    has_prefix = name != text
    for code in provinces:
        province = geothai.province(code)
        if province is None:
            continue
        if (has_prefix and name == province.name_th) or name.lower() == province.name_en.lower():
            return code
    return None


def place_rows(areas: pd.DataFrame) -> pd.DataFrame:
    """`areas` with the district-wide and province-wide rows a place can point at: a district
    row has the district code as its place code (tambon_code), a province row the province
    code. Every row says its `area_level`."""
    tambons = areas.assign(area_level="tambon")
    districts = areas.drop_duplicates("district_code").assign(
        tambon_code=lambda f: f["district_code"],
        tambon_name_th=lambda f: "ทั้งอำเภอ" + f["district_name_th"],
        tambon_name_en=lambda f: "All of " + f["district_name_en"],
        area_level="district",
    )
    provinces = []
    for code in sorted({c[:2] for c in areas["district_code"]}):
        province = geothai.province(code)
        provinces.append(
            {
                "district_code": code,
                "district_name_th": "จังหวัด" + province.name_th,
                "district_name_en": province.name_en + " province",
                "tambon_code": code,
                "tambon_name_th": "ทั้งจังหวัด" + province.name_th,
                "tambon_name_en": "All of " + province.name_en,
                "area_level": "province",
            }
        )
    out = pd.concat([tambons, districts, pd.DataFrame(provinces)], ignore_index=True)
    return out.sort_values("tambon_code", ignore_index=True)


def place_level(place_code: str) -> str:
    """tambon (6 digits), district (4) or province (2)."""
    return {6: "tambon", 4: "district", 2: "province"}[len(place_code)]


def place_projects(projects: pd.DataFrame, plans: dict[str, FilePlan]) -> pd.DataFrame:
    """Staged project rows with their file's `plan_level` and a `plan_key` that keeps
    projects of different plans apart (a village plan's village); a village plan's rows that
    name no village get the file's; rows of a province file take the district of their
    place (the province code for a province-wide row)."""
    out = projects.copy()
    levels = out["submission_id"].map(lambda s: plans[s].plan_level if s in plans else "tambon")
    out["plan_level"] = levels.astype("str")
    file_villages = out["submission_id"].map(
        lambda s: list(plans[s].village_numbers) if s in plans else []
    )
    empty = out["village_numbers"].map(lambda v: v is None or len(v) == 0)
    is_village = out["plan_level"].eq("village")
    out["village_numbers"] = [
        fv if (e and v) else (list(cur) if cur is not None else [])
        for cur, fv, e, v in zip(
            out["village_numbers"], file_villages, empty, is_village, strict=True
        )
    ]
    out["plan_key"] = [lvl if lvl != "tambon" else "" for lvl in out["plan_level"]]
    out.loc[is_village, "plan_key"] = [
        "village:" + ",".join(map(str, fv)) for fv in file_villages[is_village]
    ]
    # A province file's row sits in the district its place names.
    from_province = out["district_code"].str.len().eq(2)
    out.loc[from_province, "district_code"] = [
        place[:4] if len(place) >= 4 else place for place in out.loc[from_province, "tambon_code"]
    ]
    return out
