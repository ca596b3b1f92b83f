"""Smoke test of `make run`'s embedded default: SQLite, no external service, the admin served."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from tests.conftest import DUMPS, ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_env(tmp_path, **extra: str) -> dict[str, str]:
    """The environment of `make run`: local settings on a fresh SQLite file, nothing inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **extra,
    )
    return env


def manager(env: dict[str, str]):
    """``manage(*args)``: run manage.py in ``env``, fail on a non-zero exit, return its output."""

    def manage(*args):
        command = [sys.executable, "manage.py", *args]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    return manage


def test_embedded_default_migrates_imports_and_serves_the_chinese_admin(tmp_path):
    env = local_env(tmp_path)

    manage = manager(env)

    manage("migrate", "--noinput")
    assert "新建文章 63 篇" in manage("import_dump", *map(str, DUMPS))
    assert "bianji" in manage("create_demo_users")
    assert "已发布 1 条咨询电话和 1 篇文章" in manage("demo_workflow")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "医保信息核查后台" in page
        assert "登录" in page
        search = urllib.parse.quote("湛江")
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/v1/articles/?q={search}", timeout=5
        ) as response:
            articles = json.loads(response.read())
        assert [a["title"] for a in articles["results"]] == [
            "湛江吴川医保电话"
        ]  # the demo's published article
        assert articles["results"][0]["hotlines"][0]["display_number"] == "0759-5586822"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_embedded_default_runs_the_jobs_with_a_worker_and_no_redis(tmp_path):
    """The jobs on SQLite: from the command line, and through a real Celery worker whose broker is a
    folder (kombu's filesystem transport), as `make run` starts it."""
    env = local_env(
        tmp_path, CELERY_BROKER_URL="filesystem://", CELERY_BROKER_FOLDER=str(tmp_path / "broker")
    )
    (tmp_path / "broker").mkdir()

    manage = manager(env)

    manage("migrate", "--noinput")
    manage("import_dump", *map(str, DUMPS))
    manage("create_demo_users")
    manage("demo_workflow")
    assert "检查 1 项" in manage("recheck_hotlines", "--all", "--offline")
    assert "检查" in manage("flag_outdated", "--as-of", "2030-01-01")
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "workers", "worker", "--concurrency", "1", "--pool", "solo"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        send = "from workers.tasks import publish_scheduled; publish_scheduled.delay(trigger='manual')"
        manage("shell", "-c", send)
        look = (
            "from cms.models import JobRun; "
            "print(list(JobRun.objects.values_list('trigger', 'job', 'status')))"
        )
        runs = ""
        for _ in range(150):
            runs = manage("shell", "-c", look)
            # Wait for this run's end, not for any "succeeded": the commands above have succeeded already.
            if (
                "('manual', 'publish_scheduled', 'succeeded')" in runs
                or "'publish_scheduled', 'failed'" in runs
            ):
                break
            time.sleep(0.2)
        assert "('manual', 'publish_scheduled', 'succeeded')" in runs, (tmp_path / "worker.log").read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=20)
