"""Shared fixtures: the real reading rules and tambon matcher from data/ and geothai."""

import os

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# Files written by a test are seconds old: no quiet period (tests of it set their own).
os.environ.setdefault("ONEPLAN_QUIET_SECONDS", "0")


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
