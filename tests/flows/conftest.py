import pytest


@pytest.fixture(scope="session")
def harness():
    """One temporary Prefect server for every test that runs the real flow."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(scope="session")
def build_tables():
    """The consolidate and assemble steps on staged files, outside a run, without the run's
    refusal of a plan with no readable row: `build_tables(staged, inbox_issues, loaded_at)`."""
    from oneplan.flows.reference import load_areas
    from oneplan.flows.steps import consolidate_levels, publication_tables
    from oneplan.transforms.areas import CHAI_NAT
    from oneplan.transforms.levels import place_rows

    def build(staged, inbox_issues, loaded_at, previous=None, files_parsed=0, provinces=CHAI_NAT):
        areas = load_areas(provinces)
        linked = consolidate_levels(staged, areas)
        return publication_tables(
            staged,
            linked,
            inbox_issues,
            place_rows(areas),
            loaded_at,
            previous,
            files_parsed=files_parsed,
            inputs="",
        )

    return build


@pytest.fixture(scope="session")
def sample_published(tmp_path_factory) -> dict:
    """The bundled sample published once (`run_plan`, no Prefect) for every test that only
    reads what a run of the sample publishes (the README's generated sections, the workbook,
    the CSV, the report, the district packs): {"db", "export", "root"}. Tests must not
    change it; one that needs to, copies it."""
    from oneplan.flows.defaults import DEFAULT_INBOX
    from oneplan.flows.oneplan_flow import run_plan

    root = tmp_path_factory.mktemp("sample-published")
    db, export = root / "oneplan.duckdb", root / "export"
    run_plan(DEFAULT_INBOX, db, export, staging=str(root / "staging"))
    return {"db": db, "export": export, "root": root}
