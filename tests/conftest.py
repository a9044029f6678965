"""Shared fixtures: the real reading rules and tambon matcher from data/ and geothai."""

import os

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# Files written by a test are seconds old: no quiet period (tests of it set their own).
os.environ.setdefault("ONEPLAN_QUIET_SECONDS", "0")

FAST_SELECTION = "not e2e"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """The fast suite (`-m "not e2e"`) runs on both cores (pytest-xdist, one worker a core, at
    most 2) unless `-n` says otherwise. The end-to-end tests (`-m e2e`, the second half of
    `python3 tasks.py test`) stay in one process: they share one temporary Prefect server."""
    if (
        "PYTEST_XDIST_WORKER" not in os.environ  # a worker never starts workers of its own
        and not hasattr(config, "workerinput")
        and config.option.markexpr.strip() == FAST_SELECTION
        and config.pluginmanager.hasplugin("xdist")
        and config.option.numprocesses is None
        and not config.option.collectonly
        and not config.getoption("usepdb", False)
    ):
        config.option.numprocesses = max(1, min(2, len(os.sched_getaffinity(0))))
        if config.option.dist == "no":  # xdist_group: one worker per shared expensive fixture
            config.option.dist = "loadgroup"


@pytest.fixture(scope="session")
def rules():
    from oneplan.flows.reference import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def matcher():
    from oneplan.flows.reference import load_matcher

    return load_matcher()


@pytest.fixture(scope="session")
def areas():
    from oneplan.flows.reference import load_areas

    return load_areas()
