"""flows/config.py: one precedence (option > environment > config file > defaults), the sample
defaults only for `oneplan run` by hand, deployed runs refused without configured paths or
with paths outside the configured roots."""

from __future__ import annotations

from pathlib import Path

import pytest
from oneplan.flows.cli import main
from oneplan.flows.config import (
    CONFIG_ENV,
    ENV,
    ConfigError,
    deployment_paths,
    describe,
    flow_paths,
    resolve,
    sample_defaults,
    storage_version,
)
from oneplan.flows.reference import DATA


def _toml(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_option_beats_environment_beats_file_beats_default(tmp_path):
    config = _toml(
        tmp_path / "conf" / "oneplan.toml",
        'inbox = "in-file"\ndb = "/data/file.duckdb"\nexport = "exp"\nprovinces = "17"\n',
    )
    env = {"ONEPLAN_CONFIG": str(config), "ONEPLAN_DB": "/env/db.duckdb"}
    settings = resolve({"inbox": "/opt/inbox"}, env)
    assert settings["inbox"].value == "/opt/inbox"
    assert settings["inbox"].source == "option inbox"
    assert settings["db"].value == "/env/db.duckdb"
    assert settings["db"].source == "environment ONEPLAN_DB"
    # relative paths in the file are relative to the file's folder
    assert settings["export"].value == str(tmp_path / "conf" / "exp")
    assert settings["export"].source == f"config file {config}"
    assert settings["provinces"].value == "17"
    assert settings["staging"].value is None
    assert settings["duckdb_storage_version"].value == "v1.4.0"
    assert settings["duckdb_storage_version"].source == "default"


def test_config_file_beside_the_database_is_found(tmp_path):
    _toml(tmp_path / "oneplan.toml", 'export = "/srv/export"\nduckdb_storage_version = "latest"\n')
    settings = resolve({"db": str(tmp_path / "oneplan.duckdb")}, {})
    assert settings["export"].value == "/srv/export"
    assert storage_version(tmp_path / ".oneplan.duckdb.building-1", {}) == "latest"


def test_sample_defaults_only_when_asked(tmp_path):
    assert resolve({}, {})["inbox"].value is None
    settings = resolve({}, {}, sample=True, cwd=tmp_path)
    assert settings["inbox"].value == str(DATA / "sample" / "inbox")
    assert settings["inbox"].source == "sample default"
    assert settings["db"].value == sample_defaults(tmp_path)["db"]


def test_installed_defaults_are_under_the_working_directory(tmp_path, monkeypatch):
    import oneplan.flows.config as config

    monkeypatch.setattr(config, "in_checkout", lambda: False)
    defaults = sample_defaults(tmp_path)
    assert defaults["db"] == str(tmp_path / "out" / "oneplan.duckdb")
    assert defaults["export"] == str(tmp_path / "out" / "export")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('inbx = "/x"\n', "unknown key(s) inbx"),
        ("inbox = 3\n", "inbox: expected text"),
        ('roots = "/x"\n', "roots: expected a list"),
        ("inbox = \n", "cannot be read"),
        ('inbox = "a\\u0007b"\n', "control characters"),
        ('duckdb_storage_version = "v1.4.0; drop table x"\n', "expected a DuckDB version"),
    ],
)
def test_bad_config_file_is_one_line_error(tmp_path, text, message):
    config = _toml(tmp_path / "oneplan.toml", text)
    with pytest.raises(ConfigError) as caught:
        resolve({}, {"ONEPLAN_CONFIG": str(config)})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_named_config_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="ONEPLAN_CONFIG=.*no such file"):
        resolve({}, {"ONEPLAN_CONFIG": str(tmp_path / "nope.toml")})


def test_oversized_config_file_is_refused(tmp_path):
    config = _toml(tmp_path / "oneplan.toml", "# " + "x" * 70_000 + "\n")
    with pytest.raises(ConfigError, match="limit 65536"):
        resolve({}, {"ONEPLAN_CONFIG": str(config)})


def test_deployed_run_without_configured_paths_is_refused():
    with pytest.raises(ConfigError) as caught:
        deployment_paths({}, {})
    message = str(caught.value)
    assert "ONEPLAN_INBOX, ONEPLAN_DB, ONEPLAN_EXPORT" in message
    assert "refusing to run on defaults" in message
    # parameters alone do not configure a deployed run: they come from the API
    with pytest.raises(ConfigError):
        deployment_paths({"inbox": "/a", "db": "/b/db.duckdb", "export": "/c"}, {})


def _configured(root: Path) -> dict[str, str]:
    return {
        "ONEPLAN_INBOX": str(root / "inbox"),
        "ONEPLAN_DB": str(root / "out" / "oneplan.duckdb"),
        "ONEPLAN_EXPORT": str(root / "out" / "export"),
    }


def test_deployed_run_uses_the_configured_paths(tmp_path):
    paths = deployment_paths({}, _configured(tmp_path))
    assert paths["inbox"] == str(tmp_path / "inbox")
    assert paths["export"] == str(tmp_path / "out" / "export")
    assert paths["staging"] is None
    assert paths["provinces"] == "18"
    # the same paths, or a folder inside the configured inbox, are allowed as parameters
    same = deployment_paths(
        {"inbox": str(tmp_path / "inbox" / "1804"), "db": str(tmp_path / "out" / "oneplan.duckdb")},
        _configured(tmp_path),
    )
    assert same["inbox"] == str(tmp_path / "inbox" / "1804")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("export", "/home/someone/notes"),
        ("db", "{root}/out/other.duckdb"),
        ("inbox", "{root}/inbox/../../etc"),
        ("staging", "/tmp/elsewhere"),
    ],
)
def test_deployed_run_with_paths_outside_the_roots_is_refused(tmp_path, key, value):
    value = value.format(root=tmp_path)
    with pytest.raises(ConfigError) as caught:
        deployment_paths({key: value}, _configured(tmp_path))
    message = str(caught.value)
    assert message.startswith(f"{key} {Path(value).resolve()} is outside the configured roots")
    assert "\n" not in message


def test_configured_roots_widen_what_a_triggered_run_may_use(tmp_path):
    env = {**_configured(tmp_path), "ONEPLAN_ROOTS": str(tmp_path)}
    paths = deployment_paths({"inbox": str(tmp_path / "inbox-test")}, env)
    assert paths["inbox"] == str(tmp_path / "inbox-test")
    with pytest.raises(ConfigError, match="outside the configured roots"):
        deployment_paths({"export": str(tmp_path.parent / "x")}, env)


def test_direct_flow_call_takes_environment_but_not_sample(tmp_path):
    with pytest.raises(ConfigError, match="no inbox, db, export given"):
        flow_paths({}, deployed=False, env={})
    paths = flow_paths({"export": "/x"}, deployed=False, env=_configured(tmp_path))
    assert paths["export"] == "/x"  # not deployed: any path the caller passes
    assert paths["inbox"] == str(tmp_path / "inbox")


def test_describe_names_each_source(tmp_path):
    text = describe(resolve({"inbox": "/in"}, {"ONEPLAN_DB": "/d.duckdb"}))
    assert "inbox                   /in  (option inbox)" in text
    assert "db                      /d.duckdb  (environment ONEPLAN_DB)" in text
    assert "export                  -  (not set)" in text


def test_cli_config_prints_sources_and_exit_code(tmp_path, monkeypatch, capsys):
    for name in ("INBOX", "DB", "EXPORT", "STAGING", "PROVINCES", "CONFIG", "ROOTS"):
        monkeypatch.delenv(f"ONEPLAN_{name}", raising=False)
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "(sample default)" in out
    assert main(["config", "--deployed"]) == 1
    out = capsys.readouterr().out
    assert "not configured: inbox, db, export" in out
    monkeypatch.setenv("ONEPLAN_INBOX", str(tmp_path))
    monkeypatch.setenv("ONEPLAN_DB", str(tmp_path / "db.duckdb"))
    monkeypatch.setenv("ONEPLAN_EXPORT", str(tmp_path / "export"))
    assert main(["config", "--deployed", "--export", "/e"]) == 0
    out = capsys.readouterr().out
    assert "export                  /e  (option export)" in out
    assert f"inbox                   {tmp_path}  (environment ONEPLAN_INBOX)" in out


def test_cli_serve_refuses_without_paths(monkeypatch, capsys):
    for name in ("INBOX", "DB", "EXPORT", "CONFIG"):
        monkeypatch.delenv(f"ONEPLAN_{name}", raising=False)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("oneplan serve: no ONEPLAN_INBOX, ONEPLAN_DB, ONEPLAN_EXPORT")
    assert "\n" not in err


def test_job_variables_cannot_reconfigure_a_deployed_run(tmp_path):
    """Issue 22 item 8: a triggered run takes no job variable at all (a `command` or an env
    PATH of the caller's choosing ran with the worker's API password)."""
    env = _configured(tmp_path)
    assert deployment_paths({}, env, ({}, {}))["inbox"] == env["ONEPLAN_INBOX"]
    for variables in (
        {"env": {"ONEPLAN_ROOTS": "/"}},
        {"env": {"oneplan_export": "/home"}},
        {"env": {"PREFECT_API_URL": "http://evil/api"}},
        {"env": {"PYTHONPATH": "/tmp/evil"}},
        {"env": {"PATH": "/tmp/evil"}},
        {"env": {"TZ": "UTC"}},
        {"command": "touch /tmp/pwned"},
        {"working_dir": "/tmp"},
    ):
        with pytest.raises(ConfigError, match="a deployed run takes no job variable"):
            deployment_paths({}, env, ({}, variables))
        with pytest.raises(ConfigError, match="a deployed run takes no job variable"):
            deployment_paths({}, env, (variables, {}))


def test_triggered_provinces_stay_within_the_configured_scope(tmp_path):
    env = _configured(tmp_path)
    assert deployment_paths({"provinces": "18"}, env)["provinces"] == "18"
    for wider in ("all", "18,17", "10"):
        with pytest.raises(ConfigError, match="reaches outside the configured scope '18'"):
            deployment_paths({"provinces": wider}, env)
    with pytest.raises(ConfigError, match="unknown province"):
        deployment_paths({"provinces": "99"}, env)
    regional = {**env, "ONEPLAN_PROVINCES": "18,17"}
    assert deployment_paths({"provinces": "17"}, regional)["provinces"] == "17"


def test_triggered_paths_inside_the_published_version_are_refused(tmp_path):
    """`export=<export>/new` resolved inside the configured export (a link to the published
    version), so it passed the roots check and wrote inside the published version."""
    from oneplan.flows.oneplan_flow import run_plan

    from tests.flows.test_publish import write_inbox

    env = {**_configured(tmp_path), "ONEPLAN_ROOTS": str(tmp_path)}  # roots as wide as can be
    write_inbox(tmp_path / "inbox")
    run_plan(env["ONEPLAN_INBOX"], env["ONEPLAN_DB"], env["ONEPLAN_EXPORT"])
    export = Path(env["ONEPLAN_EXPORT"])
    for key, value in (
        ("export", export / "new"),
        ("staging", export / "staging"),
        ("inbox", export / "districts"),
    ):
        with pytest.raises(ConfigError, match="lies inside the published export"):
            deployment_paths({key: str(value)}, env)
    assert deployment_paths({"export": str(export)}, env)["export"] == str(export)


def test_serve_refuses_an_open_api_without_auth():
    from oneplan.flows.serve import ServeError, check_api_is_closed
    from prefect.settings import PREFECT_API_AUTH_STRING, temporary_settings

    check_api_is_closed("http://127.0.0.1:4200/api")
    check_api_is_closed("http://localhost:4200/api")
    with (
        temporary_settings(updates={PREFECT_API_AUTH_STRING: None}),
        pytest.raises(ServeError, match="not a loopback address"),
    ):
        check_api_is_closed("http://10.0.0.5:4200/api")
    with temporary_settings(updates={PREFECT_API_AUTH_STRING: "oneplan:secret"}):
        check_api_is_closed("http://10.0.0.5:4200/api")


def test_serve_function_refuses_without_paths(monkeypatch):
    from oneplan.flows.serve import ServeError, serve

    for name in ("INBOX", "DB", "EXPORT", "CONFIG"):
        monkeypatch.delenv(f"ONEPLAN_{name}", raising=False)
    with pytest.raises(ServeError, match="^no ONEPLAN_DB, ONEPLAN_EXPORT: give"):
        serve(inbox="/srv/inbox")


def test_a_published_export_is_named_as_configured_not_as_its_version_folder(tmp_path):
    """After the first publication the export is our symlink to a version folder: the roots
    check compares and names the export folder the user configured, never the version."""
    env = _configured(tmp_path)
    version = tmp_path / "out" / ".export.versions" / "20261207T020000000000Z"
    version.mkdir(parents=True)
    (tmp_path / "out" / "export").symlink_to(version)
    paths = deployment_paths({"export": str(tmp_path / "out" / "export")}, env)
    assert paths["export"] == str(tmp_path / "out" / "export")
    elsewhere = tmp_path / "notes"
    with pytest.raises(ConfigError) as refused:
        deployment_paths({"export": str(elsewhere)}, env)
    assert f"({tmp_path / 'out' / 'export'})" in str(refused.value)
    assert ".versions" not in str(refused.value)


def test_sample_inbox_is_never_published_to_a_given_db_or_export(tmp_path, monkeypatch, capsys):
    """`oneplan run --db PROD --export PROD_EXPORT` without an inbox: refused, nothing written
    (issue 22 item 7); the sample defaults go together or not at all."""
    for key in (*ENV.values(), CONFIG_ENV):
        monkeypatch.delenv(key, raising=False)
    prod = tmp_path / "prod.duckdb"
    code = main(["run", "--db", str(prod), "--export", str(tmp_path / "export")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "oneplan run: no inbox given but db and export set (option db, option export): the "
        "bundled sample is published only to the sample's own database and export; give "
        "--inbox (or set ONEPLAN_INBOX)\n"
    )
    monkeypatch.setenv("ONEPLAN_EXPORT", str(tmp_path / "export"))
    assert main(["run"]) == 2
    assert "no inbox given but export set (environment ONEPLAN_EXPORT)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_quiet_period_and_money_fall_share_are_settings(tmp_path):
    from oneplan.flows.config import run_settings

    db = tmp_path / "oneplan.duckdb"
    assert run_settings(db, {}) == (120.0, 0.5)
    assert run_settings(db, {"ONEPLAN_QUIET_SECONDS": "0", "ONEPLAN_MONEY_FALL_SHARE": "0.3"}) == (
        0.0,
        0.3,
    )
    _toml(tmp_path / "oneplan.toml", "quiet_seconds = 600\nmoney_fall_share = 0.25\n")
    assert run_settings(db, {}) == (600.0, 0.25)
    for key, value in (
        ("QUIET_SECONDS", "-1"),
        ("QUIET_SECONDS", "nan"),
        ("MONEY_FALL_SHARE", "2"),
    ):
        with pytest.raises(ConfigError, match="expected a number from"):
            run_settings(db, {f"ONEPLAN_{key}": value})
