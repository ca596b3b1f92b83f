from pathlib import Path

import pytest

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
DUMPS = sorted((ROOT / "demo" / "dumps").glob("*.txt"))
ROLES = ["编辑", "核查员", "审核发布", "运维"]


@pytest.fixture
def dumps() -> list[Path]:
    return DUMPS


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", role="编辑")


@pytest.fixture
def fact_checker(db):
    return UserFactory(username="checker", role="核查员")


@pytest.fixture
def publisher(db):
    return UserFactory(username="publisher", role="审核发布")


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", role="运维")
