"""Load the reference tables in `data/` into the reader's `Rules` and the official areas."""

from __future__ import annotations

import ast
import csv
import hashlib
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
from oneplan.flows.defaults import DATA, DEFAULT_DB, DEFAULT_EXPORT, DEFAULT_INBOX, ROOT, SQL
from oneplan.transforms.alignment import LEVELS, Alignment, build_alignment
from oneplan.transforms.areas import CHAI_NAT, PlacePrefixes, TambonMatcher, areas_frame
from oneplan.transforms.rules import Rules, build_rules

RULE_TABLES = (
    "header_synonyms",
    "row_kinds",
    "sheet_kinds",
    "funding_routes",
    "issue_codes",
)
# strategy_levels.csv names the levels of the strategy frame; each level's strategies are
# strategies_<level>.csv (see `level_tables`).
ALIGNMENT_TABLES = (
    "strategy_levels",
    "strategy_links",
    "strategy_keywords",
    "development_areas",
    "development_area_synonyms",
    "agencies",
)


def _read_table(name: str) -> pd.DataFrame:
    """One data/ table, every cell as text ("" for an empty cell). The csv module, not
    pandas.read_csv: the same frame in a fifth of the time (`oneplan check` reads 15)."""
    path = DATA / f"{name}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.reader(handle) if row]
    if not rows:
        raise ValueError(f"{path}: no header row")
    header, body = rows[0], rows[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}: row {number} has {len(row)} cells, the header {len(header)}")
    return pd.DataFrame(body, columns=header, dtype=str)


@lru_cache(maxsize=1)
def load_alignment() -> Alignment:
    """The strategy frames, development areas and agencies from data/*.csv."""
    levels, *others = (_read_table(name) for name in ALIGNMENT_TABLES)
    return build_alignment(levels, level_tables(levels), *others)


def level_tables(levels: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each level's strategies (data/strategies_<level>.csv) for the levels listed in
    strategy_levels.csv (names checked against the known levels before any file is named)."""
    unknown = sorted(set(levels["level"]) - set(LEVELS))
    if unknown:
        raise ValueError(f"strategy_levels.csv: unknown level(s) {unknown} (levels: {LEVELS})")
    return {level: _read_table(f"strategies_{level}") for level in levels["level"]}


def category_strategies() -> pd.DataFrame:
    """The reader's category check (unknown_category): each provincial strategy's number and
    its keywords as one alternation, from strategies_provincial.csv and strategy_keywords.csv."""
    provincial = _read_table("strategies_provincial")
    keywords = _read_table("strategy_keywords")
    rows = []
    for row in provincial.itertuples(index=False):
        words = keywords.loc[keywords["strategy_code"] == row.code, "keyword"]
        if len(words):
            rows.append(
                {"strategy_no": row.number, "category_keywords": "|".join(map(re.escape, words))}
            )
    return pd.DataFrame(rows, columns=["strategy_no", "category_keywords"])


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The compiled reading rules from data/*.csv."""
    return build_rules(
        *(_read_table(name) for name in RULE_TABLES),
        category_strategies(),
        amount_measures=_read_table("amount_measures"),
        plan_revisions=_read_table("plan_revisions"),
        alignment=load_alignment(),
    )


@lru_cache(maxsize=4)
def load_areas(provinces: str = CHAI_NAT) -> pd.DataFrame:
    """Official districts and tambons in scope: a province code, several ("18,17") or "all"."""
    return areas_frame(provinces)


@lru_cache(maxsize=4)
def load_matcher(provinces: str = CHAI_NAT) -> TambonMatcher:
    return TambonMatcher(load_areas(provinces), load_place_prefixes())


@lru_cache(maxsize=1)
def load_place_prefixes() -> PlacePrefixes:
    """The words that say a written place's level (data/place_prefixes.csv)."""
    return PlacePrefixes.from_table(_read_table("place_prefixes"))


# What a staged parse runs: `flows.stage` and every oneplan module it imports, directly or not
# (found in the source, so a module the reader starts to import is hashed without a list to
# keep), and the data tables it reads (tests/flows/test_reference.py reads files and fails
# when the reader reads a table not listed here).
READER_ENTRY = "oneplan.flows.stage"
READER_TABLES = (
    *RULE_TABLES,
    *ALIGNMENT_TABLES,
    *(f"strategies_{level}" for level in LEVELS),
    "plan_levels",
    "place_prefixes",
    "amount_measures",
    "plan_revisions",
)
# The libraries whose behaviour a staged parse records: the cell reader and the official areas.
READER_LIBRARIES = ("python-calamine", "geothai")


def module_path(module: str, root: Path) -> Path | None:
    """The source file of `oneplan.<package>.<module>` under `root` (the checkout, or the
    installed oneplan folder); None for any other module."""
    parts = module.split(".")
    if parts[0] != "oneplan" or len(parts) < 2:
        return None
    path = root.joinpath(*parts[1:])
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(entry: str, root: Path) -> dict[str, Path]:
    """`entry` and every oneplan module it imports, at module level or inside a function,
    transitively: module name -> source file."""
    found: dict[str, Path] = {}
    todo = [entry]
    while todo:
        module = todo.pop()
        path = None if module in found else module_path(module, root)
        if path is None:
            continue
        found[module] = path
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
            if isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # from . import x / from .sheet import y
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}".rstrip(".")
                todo += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return found


def reader_fingerprint(root: Path, data: Path) -> str:
    """A digest of what a staged parse runs: the reader's modules (`READER_ENTRY` and its
    imports), the data tables it reads and the versions of the libraries it relies on. A
    module the reader never imports (a chart helper, the workbook writer) is not in it."""
    from importlib import metadata

    digest = hashlib.sha256()
    modules = imported_modules(READER_ENTRY, root)
    files = [(name, modules[name]) for name in sorted(modules)]
    files += [(f"data/{name}.csv", data / f"{name}.csv") for name in sorted(READER_TABLES)]
    for name, path in files:
        content = path.read_bytes()
        digest.update(f"{name}\x1f{len(content)}\x1f".encode())
        digest.update(content)
    for library in READER_LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "?"
        digest.update(f"{library}=={version}\x1f".encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """Changes whenever the reading rules or the reader's code change: staged parses made
    under other rules are not reused (`reader_fingerprint`)."""
    return reader_fingerprint(ROOT, DATA)


@lru_cache(maxsize=1)
def build_fingerprint() -> str:
    """Changes whenever anything that shapes the published tables changes: the reading rules,
    the transforms, the flows and the SQL."""
    digest = hashlib.sha256()
    paths = (
        sorted(DATA.glob("*.csv"))
        + sorted((ROOT / "transforms").glob("*.py"))
        + sorted((ROOT / "flows").glob("*.py"))
        + sorted(SQL.rglob("*.sql"))
    )
    for path in paths:
        # Folder and name, not the full path: a copy of data/ elsewhere (tests) still hashes.
        digest.update(f"{path.parent.name}/{path.name}".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


__all__ = [  # the paths live in flows.defaults (no heavy imports); re-exported here
    "DATA", "DEFAULT_DB", "DEFAULT_EXPORT", "DEFAULT_INBOX", "ROOT", "SQL",
    "build_fingerprint", "load_areas", "load_matcher", "load_rules", "rules_fingerprint",
]  # fmt: skip


def load_issue_labels() -> dict[str, str]:
    """Issue code -> its short Thai label (data/issue_labels.csv); a code without a label is
    shown by its code."""
    table = _read_table("issue_labels")
    return dict(zip(table["code"], table["label_th"], strict=True))


@lru_cache(maxsize=1)
def load_error_values() -> re.Pattern:
    """What a spreadsheet shows in a cell whose formula failed (data/error_values.csv: a
    literal text, or a regular expression where `is_regex` is true), as one pattern that
    matches a whole cell."""
    table = _read_table("error_values")
    parts = [
        p if is_regex == "true" else re.escape(p)
        for p, is_regex in zip(table["pattern"], table["is_regex"], strict=True)
    ]
    return re.compile("(?:" + "|".join(parts) + ")")


@lru_cache(maxsize=1)
def load_level_patterns():
    """The plan-level patterns of data/plan_levels.csv."""
    from oneplan.transforms.levels import LevelPatterns

    return LevelPatterns.from_table(_read_table("plan_levels"))


@lru_cache(maxsize=1)
def load_linkage_settings():
    """Linkage thresholds (data/linkage.csv) and abbreviations (data/abbreviations.csv)."""
    from oneplan.transforms.linkage import LinkageSettings

    return LinkageSettings.from_tables(_read_table("linkage"), _read_table("abbreviations"))
