"""End-to-end tests: a real browser (Debian's headless Chromium) against pytest-django's live server."""

import pytest
from django.db import connections


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: drives headless Chromium")


@pytest.fixture(scope="module", autouse=True)
def _restore_migration_data(django_db_setup, django_db_blocker):
    """Put the rows of the data migrations (regions, roles, permissions) back after the module.

    The browser tests are transactional, so the database is flushed after each of them.
    ``serialized_rollback`` restores the serialized rows only when the *next* test that asks for it
    starts, not after the flush; a later test that gets the database without the ``db`` fixture
    among its arguments (``request.getfixturevalue("editor")``, as in tests/cms/test_roles.py) is
    ordered after the transactional tests and would otherwise find no groups. Module scope: this
    teardown runs after the function-scoped flush."""
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)
