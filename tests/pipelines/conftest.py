"""One temporary Prefect server for every test that runs the nightly flow in-process:
starting one costs seconds, so the test session shares it."""
import pytest
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect")))
    with prefect_test_harness(server_startup_timeout=180):
        yield
    mp.undo()
