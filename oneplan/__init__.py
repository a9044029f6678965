"""oneplan: Chai Nat's tambon development plans consolidated into one provincial One Plan.

The repository keeps the top-level folders `flows/`, `transforms/`, `sql/`, `data/` and `sample/`;
they are installed as `oneplan.flows`, `oneplan.transforms`, `oneplan.sql`, `oneplan.data` and
`oneplan.sample` (see `[tool.setuptools]` in pyproject.toml), so nothing is installed under a
generic top-level name.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`oneplan.__version__`, looked up when asked for: importlib.metadata costs every
    process that imports the package (`oneplan check`, each reader child) ~30 ms."""
    if name != "__version__":
        raise AttributeError(f"module 'oneplan' has no attribute {name!r}")
    from importlib import metadata

    try:
        return metadata.version("oneplan")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
