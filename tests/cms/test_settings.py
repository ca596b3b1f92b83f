"""Production settings: secure by default, no secrets in the code, no demo accounts."""

import os
import secrets
import subprocess
import sys

from tests.conftest import ROOT


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/yibao",
    "DJANGO_ALLOWED_HOSTS": "cms.example.org",
}


def test_production_settings_pass_the_deployment_checklist():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", **PRODUCTION)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY 未设置" in result.stderr


def test_production_refuses_to_start_without_a_database():
    env = {k: v for k, v in PRODUCTION.items() if k != "DATABASE_URL"}

    result = _manage("check", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), **env)

    assert result.returncode != 0
    assert "DATABASE_URL 未设置" in result.stderr


def test_production_has_no_demo_accounts():
    result = _manage("create_demo_users", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION)

    assert result.returncode != 0
    assert "演示账号只能在演示模式" in result.stderr


def test_locale_and_time_zone():
    from django.conf import settings

    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == ("zh-hans", "Asia/Shanghai", True)
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
