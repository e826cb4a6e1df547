"""Fixtures of the core tests."""
import pytest


@pytest.fixture
def empty_default_queue():
    """This run's default RQ queue, empty before and after the test (RQ keeps what earlier tests left)."""
    from core.jobs import clear_queue

    clear_queue('default')
    yield
    clear_queue('default')
