"""Where a run reads and writes, with one precedence for every value:

    command-line option (or flow parameter)  >  environment (ONEPLAN_*)
    >  config file (ONEPLAN_CONFIG, else oneplan.toml beside the database)  >  defaults

The sample defaults (the bundled sample inbox, ./out/) apply only to `oneplan run` typed by
hand. A run started by a deployment (prefect.yaml with a worker, or `oneplan serve`) refuses to
start unless the inbox, database and export are configured on the machine that runs it (the
environment or a config file there), and refuses parameters that point outside the configured
roots: whoever can trigger a run through the Prefect API can only make it do what the nightly
run does.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from oneplan.flows.defaults import DATA, ROOT
from oneplan.flows.errors import PublishError
from oneplan.flows.paths import check_outside_published

PATH_KEYS = ("inbox", "db", "export", "staging")
# The committee's link decisions (default: link_decisions.csv beside the inbox folder).
FILE_KEYS = ("link_decisions",)
KEYS = (
    *PATH_KEYS,
    *FILE_KEYS,
    "provinces",
    "duckdb_storage_version",
    "roots",
    "quiet_seconds",
    "money_fall_share",
)
REQUIRED = ("inbox", "db", "export")
ENV = {key: f"ONEPLAN_{key.upper()}" for key in KEYS}
CONFIG_ENV = "ONEPLAN_CONFIG"
CONFIG_NAME = "oneplan.toml"
MAX_CONFIG_BYTES = 64 * 1024
# The oldest storage format that keeps every feature the published file uses: DuckDB 1.4 and
# later open it. "latest" writes the running DuckDB's own format (2.0 and later only).
DEFAULT_STORAGE_VERSION = "v1.4.0"
STORAGE_VERSION = re.compile(r"^(v\d{1,2}\.\d{1,2}\.\d{1,2}|latest)$")
# A file modified less than this many seconds before a run may still be uploading: its
# previously published version is kept until the next run (flows/stage.py).
DEFAULT_QUIET_SECONDS = "120"
# A district whose accepted money falls by more than this share from the previous
# publication is published with a warning in the quality report and `oneplan status`.
DEFAULT_MONEY_FALL_SHARE = "0.5"
DEFAULTS = {
    "provinces": "18",
    "duckdb_storage_version": DEFAULT_STORAGE_VERSION,
    "quiet_seconds": DEFAULT_QUIET_SECONDS,
    "money_fall_share": DEFAULT_MONEY_FALL_SHARE,
}


class ConfigError(PublishError):
    """The configuration cannot be used; the message is one line meant for the operator."""


@dataclass(frozen=True)
class Setting:
    """One value in force and where it came from."""

    value: str | None
    source: str

    @property
    def is_set(self) -> bool:
        return self.value is not None


def in_checkout() -> bool:
    """True when running from a source checkout (editable install or tasks.py), not from an
    installed wheel: then the sample's output stays in the checkout's out/ as it always has."""
    return (ROOT / "pyproject.toml").is_file() and "site-packages" not in ROOT.parts


def sample_defaults(cwd: Path | None = None) -> dict[str, str]:
    """The defaults of `oneplan run` typed by hand: the bundled sample inbox (package data,
    only read) and out/ in the checkout, or under the current directory when installed."""
    out = ROOT / "out" if in_checkout() else (cwd or Path.cwd()) / "out"
    return {
        "inbox": str(DATA / "sample" / "inbox"),
        "db": str(out / "oneplan.duckdb"),
        "export": str(out / "export"),
    }


def check_sample_scope(settings: Mapping[str, Setting]) -> None:
    """The sample inbox goes with the sample's database and export only: a run given its
    own --db or --export (production) but no inbox must not publish the bundled sample
    over them."""
    inbox, db, export = (settings[key] for key in REQUIRED)
    if inbox.source != "sample default":
        return
    own = [
        key for key, setting in (("db", db), ("export", export)) if setting.source != inbox.source
    ]
    if own:
        sources = ", ".join(settings[key].source for key in own)
        raise ConfigError(
            f"no inbox given but {' and '.join(own)} set ({sources}): the bundled sample is "
            "published only to the sample's own database and export; give --inbox (or set "
            f"{ENV['inbox']})"
        )


def _clean(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected text, got {type(value).__name__}")
    if not value.strip() or any(ord(ch) < 32 for ch in value):
        raise ConfigError(f"{where}: empty or holds control characters")
    return value


def read_config_file(path: Path) -> dict[str, str]:
    """The keys of a oneplan.toml (relative paths resolved against its folder). Unknown keys,
    wrong types and oversized files are a ConfigError: a typo must not silently fall back to
    a default."""
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(f"config file {path} is {size} bytes (limit {MAX_CONFIG_BYTES})")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"config file {path} cannot be read: {err}") from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(KEYS)})"
        )
    out = {}
    for key, value in data.items():
        where = f"config file {path}: {key}"
        if key == "roots":
            if not isinstance(value, list) or not value:
                raise ConfigError(f"{where}: expected a list of folders")
            items = [_clean(item, where) for item in value]
            out[key] = os.pathsep.join(str(path.parent / item) for item in items)
        elif key in PATH_KEYS or key in FILE_KEYS:
            out[key] = str(path.parent / _clean(value, where))
        else:
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            out[key] = _clean(str(value) if number else value, where)
    return out


def find_config_file(db: str | None, env: Mapping[str, str]) -> Path | None:
    """ONEPLAN_CONFIG (which must exist), else oneplan.toml beside the database, if any."""
    named = env.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"{CONFIG_ENV}={named}: no such file")
        return path
    if db:
        beside = Path(db).parent / CONFIG_NAME
        if beside.is_file():
            return beside
    return None


def resolve(
    options: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    sample: bool = False,
    cwd: Path | None = None,
) -> dict[str, Setting]:
    """Every key's value in force and its source. `options` are command-line options or flow
    parameters (None = not given); `sample` adds the sample defaults (`oneplan run` by hand)."""
    env = os.environ if env is None else env
    options = {k: v for k, v in (options or {}).items() if k in KEYS and v is not None}
    from_env = {key: env[name] for key, name in ENV.items() if env.get(name)}
    defaults = dict(DEFAULTS)
    if sample:
        defaults.update(sample_defaults(cwd))
    db_hint = options.get("db") or from_env.get("db") or defaults.get("db")
    config_path = find_config_file(str(db_hint) if db_hint else None, env)
    from_file = read_config_file(config_path) if config_path else {}
    out = {}
    for key in KEYS:
        if key in options:
            out[key] = Setting(str(options[key]), f"option {key}")
        elif key in from_env:
            out[key] = Setting(_clean(from_env[key], ENV[key]), f"environment {ENV[key]}")
        elif key in from_file:
            out[key] = Setting(from_file[key], f"config file {config_path}")
        elif key in defaults:
            kind = "sample default" if key in REQUIRED else "default"
            out[key] = Setting(defaults[key], kind)
        else:
            out[key] = Setting(None, "not set")
    version = out["duckdb_storage_version"].value
    if not STORAGE_VERSION.match(version or ""):
        raise ConfigError(
            f"duckdb_storage_version {version!r} ({out['duckdb_storage_version'].source}): "
            "expected a DuckDB version such as v1.4.0, or latest"
        )
    _check_number("quiet_seconds", out["quiet_seconds"], 0, 86_400)
    _check_number("money_fall_share", out["money_fall_share"], 0, 1)
    return out


def _check_number(key: str, setting: Setting, low: float, high: float) -> float:
    try:
        value = float(setting.value)
    except (TypeError, ValueError):
        value = float("nan")
    if not low <= value <= high:  # also refuses nan
        raise ConfigError(
            f"{key} {setting.value!r} ({setting.source}): expected a number from {low:g} "
            f"to {high:g}"
        )
    return value


def run_settings(db_path: Path, env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """The quiet period (seconds) and the money-fall share in force for the database at
    `db_path` (environment > oneplan.toml beside it > defaults)."""
    settings = resolve({"db": str(db_path)}, env)
    return (
        _check_number("quiet_seconds", settings["quiet_seconds"], 0, 86_400),
        _check_number("money_fall_share", settings["money_fall_share"], 0, 1),
    )


def describe(settings: Mapping[str, Setting]) -> str:
    """`oneplan config`: each value in force and where it came from."""
    width = max(len(key) for key in settings)
    lines = []
    for key, setting in settings.items():
        value = setting.value if setting.is_set else "-"
        lines.append(f"{key:<{width}}  {value}  ({setting.source})")
    return "\n".join(lines)


def storage_version(db_path: Path, env: Mapping[str, str] | None = None) -> str:
    """The DuckDB storage version to write the database at `db_path` with."""
    return resolve({"db": str(db_path)}, env)["duckdb_storage_version"].value


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _roots(settings: Mapping[str, Setting], key: str) -> list[Path]:
    if settings["roots"].is_set:
        return [Path(p).resolve() for p in settings["roots"].value.split(os.pathsep) if p]
    if key == "staging" and not settings["staging"].is_set:
        return [Path(settings["db"].value).resolve().parent / "staging"]
    return [_real_path(key, settings[key].value)]


def _real_path(key: str, value: str) -> Path:
    """A path with its links resolved, except the export's last part: that is our symlink to
    the current version folder, and resolving it would compare (and name, in messages) one
    internal version instead of the export folder the user configured. The export root
    itself is checked where it is written (flows.paths.check_export_root)."""
    path = Path(value)
    if key == "export":
        return Path(os.path.abspath(path)).parent.resolve() / Path(os.path.abspath(path)).name
    return path.resolve()


def check_job_variables(job_variables: Mapping[str, object]) -> None:
    """A worker lets a flow run (or its deployment) override its job: the command it runs,
    its environment, its working folder. Those come through the API, and the nightly run
    needs none of them: refuse every one. (The work pool of deploy/oneplan-pool.json makes
    the server refuse them before a worker sees them; this is the flow's own refusal, for a
    pool created without it.)"""
    given = sorted(str(key) for key in (job_variables or {}))
    if given:
        raise ConfigError(
            f"job variables {', '.join(given)} given: a deployed run takes no job variable "
            "(its command, environment and folder are the worker's), so that a triggered run "
            "does only what the nightly run does"
        )


def deployment_paths(
    parameters: Mapping[str, object],
    env: Mapping[str, str] | None = None,
    job_variables: tuple[Mapping[str, object], ...] = (),
) -> dict[str, str | None]:
    """The paths of a run started by a deployment: the configured ones, or parameters that
    stay inside the configured roots (`roots`, else each configured path itself)."""
    for variables in job_variables:
        check_job_variables(variables or {})
    configured = resolve({}, env)
    missing = [ENV[key] for key in REQUIRED if not configured[key].is_set]
    if missing:
        raise ConfigError(
            "a deployed run needs its paths configured on the machine that runs it: set "
            f"{', '.join(missing)} (or {CONFIG_ENV}) in the worker's or `oneplan serve`'s "
            "environment; refusing to run on defaults"
        )
    out = {}
    for key in (*PATH_KEYS, "provinces"):
        given = parameters.get(key)
        out[key] = str(given) if given is not None else configured[key].value
    check_provinces_in_scope(out["provinces"], configured["provinces"].value)
    for key in PATH_KEYS:
        if out[key] is None:
            continue
        path = _real_path(key, out[key])
        roots = _roots(configured, key)
        if not any(_within(path, root) for root in roots):
            raise ConfigError(
                f"{key} {path} is outside the configured roots "
                f"({', '.join(str(r) for r in roots)}): a triggered run may only use the "
                "paths configured for the nightly run"
            )
        if parameters.get(key) is not None:
            where = Path(str(parameters[key]))
            try:  # a published version is never written into (flows/paths.py)
                if key == "export":
                    check_outside_published(key, Path(os.path.abspath(where)).parent, where)
                else:
                    check_outside_published(key, where)
            except PublishError as err:
                raise ConfigError(str(err)) from None
    return out


def check_provinces_in_scope(provinces: str | None, configured: str | None) -> None:
    """A triggered run's `provinces` must lie within the configured scope (default Chai Nat):
    it may narrow the plan, never widen it to areas the nightly run does not cover."""
    from oneplan.transforms.areas import province_codes

    scope = configured or DEFAULTS["provinces"]
    if provinces is None or provinces == scope:
        return
    try:
        wanted, allowed = set(province_codes(provinces)), set(province_codes(scope))
    except ValueError as err:
        raise ConfigError(f"provinces {provinces!r}: {err}") from None
    outside = sorted(wanted - allowed)
    if outside:
        raise ConfigError(
            f"provinces {provinces!r} reaches outside the configured scope {scope!r} "
            f"({', '.join(outside[:5])}{' ...' if len(outside) > 5 else ''}): a triggered run "
            "may only cover the provinces configured for the nightly run"
        )


def flow_paths(
    parameters: Mapping[str, object],
    deployed: bool,
    env: Mapping[str, str] | None = None,
    job_variables: tuple[Mapping[str, object], ...] = (),
) -> dict[str, str | None]:
    """inbox, db, export, staging and provinces for a flow run. Run by a deployment: see
    `deployment_paths`. Called directly: parameters > environment > config file, and no
    sample defaults (only `oneplan run` typed by hand has those)."""
    if deployed:
        return deployment_paths(parameters, env, job_variables)
    settings = resolve(parameters, env)
    missing = [key for key in REQUIRED if not settings[key].is_set]
    if missing:
        raise ConfigError(
            f"no {', '.join(missing)} given: pass them or set "
            f"{', '.join(ENV[key] for key in missing)}"
        )
    return {key: settings[key].value for key in (*PATH_KEYS, "provinces")}


DECISIONS_NAME = "link_decisions.csv"


def link_decisions_path(inbox: Path, db: Path, env: Mapping[str, str] | None = None) -> Path:
    """The decisions file a run reads: `link_decisions` configured (ONEPLAN_LINK_DECISIONS or
    the config file), else link_decisions.csv beside the inbox folder (not inside it: the
    inbox holds the districts' files, this one is the committee's)."""
    setting = resolve({"db": str(db)}, env)["link_decisions"]
    return Path(setting.value) if setting.is_set else Path(inbox).parent / DECISIONS_NAME
