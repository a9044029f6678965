"""Load the reference tables in `data/` into the reader's `Rules` and the official areas."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import pandas as pd
from oneplan.flows.defaults import DATA, DEFAULT_DB, DEFAULT_EXPORT, DEFAULT_INBOX, ROOT, SQL
from oneplan.transforms.alignment import Alignment, build_alignment
from oneplan.transforms.areas import CHAI_NAT, TambonMatcher, areas_frame
from oneplan.transforms.rules import Rules, build_rules

RULE_TABLES = (
    "header_synonyms",
    "row_kinds",
    "sheet_kinds",
    "funding_routes",
    "issue_codes",
)
ALIGNMENT_TABLES = (
    "strategies_national",
    "strategies_provincial",
    "strategy_links",
    "strategy_keywords",
    "development_areas",
    "development_area_synonyms",
    "agencies",
)


def _read_table(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def load_alignment() -> Alignment:
    """The strategy frames, development areas and agencies from data/*.csv."""
    return build_alignment(*(_read_table(name) for name in ALIGNMENT_TABLES))


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
        alignment=load_alignment(),
    )


@lru_cache(maxsize=4)
def load_areas(provinces: str = CHAI_NAT) -> pd.DataFrame:
    """Official districts and tambons in scope: a province code, several ("18,17") or "all"."""
    return areas_frame(provinces)


@lru_cache(maxsize=4)
def load_matcher(provinces: str = CHAI_NAT) -> TambonMatcher:
    return TambonMatcher(load_areas(provinces))


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """Changes whenever the reading rules or the reader's code change: staged parses made
    under other rules are not reused."""
    digest = hashlib.sha256()
    paths = sorted(DATA.glob("*.csv")) + sorted((ROOT / "transforms").glob("*.py"))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
