from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_demo_users_are_refused_outside_demo_mode(settings):
    settings.DEMO_MODE = False

    with pytest.raises(CommandError, match="演示模式"):
        call_command("create_demo_users", stdout=StringIO())

    assert not get_user_model().objects.exists()


def test_demo_mode_creates_one_user_per_role_and_prints_credentials(settings, client):
    settings.DEMO_MODE = True
    out = StringIO()

    call_command("create_demo_users", stdout=out)

    users = get_user_model().objects.order_by("username")
    assert [(u.username, [g.name for g in u.groups.all()]) for u in users] == [
        ("bianji", ["编辑"]),
        ("hecha", ["核查员"]),
        ("shenhe", ["审核发布"]),
        ("yunwei", ["运维"]),
    ]
    line = next(line for line in out.getvalue().splitlines() if "bianji" in line)
    password = line.split("密码")[1].strip()
    assert client.login(username="bianji", password=password)
    assert not any(u.is_superuser for u in users)


def test_running_again_resets_the_passwords(settings):
    settings.DEMO_MODE = True
    first, second = StringIO(), StringIO()

    call_command("create_demo_users", stdout=first)
    call_command("create_demo_users", stdout=second)

    assert get_user_model().objects.count() == 4
    assert first.getvalue() != second.getvalue()
