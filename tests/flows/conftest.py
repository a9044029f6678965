import pytest


@pytest.fixture(scope="session")
def harness():
    """One temporary Prefect server for every test that runs the real flow."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
