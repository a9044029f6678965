"""oneplan: Chai Nat's tambon development plans consolidated into one provincial One Plan.

The repository keeps the top-level folders `flows/`, `transforms/`, `sql/`, `data/` and `sample/`;
they are installed as `oneplan.flows`, `oneplan.transforms`, `oneplan.sql`, `oneplan.data` and
`oneplan.sample` (see `[tool.setuptools]` in pyproject.toml), so nothing is installed under a
generic top-level name.
"""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("oneplan")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
