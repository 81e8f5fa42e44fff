"""Daemons of a test's own, beside the shared one of a test file: for
tests that stop and start theirs, and whose end checks its sanitizer
reports."""
import pytest

from conftest import Server


@pytest.fixture
def own_server():
    """A daemon for one test; imported by the test files that use it."""
    srv = Server()
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, "sanitizer reports:\n" + reports


def restarted(srv):
    """Stop and start srv (its start-up steps run again); a new boto3
    client of it."""
    srv.stop()
    srv.start()
    return srv.boto3()
