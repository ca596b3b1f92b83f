"""Real Celery processes for the worker tests: workers and beats started with the ``celery`` command
against the pytest database (the tests commit their data: ``transaction=True``) and the Redis
database of the test settings, which is flushed before and after each test.

Each process runs in a session of its own, so that stopping it (SIGTERM, then SIGKILL to its whole
process group) leaves none of its pool's children behind."""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from cms.models import Article, Hotline
from cms.services import workflow
from cms.services.factchecks import factcheck_record
from cms.services.revisions import content_save
from tests.factories import SourceFactory, UserFactory, region

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
STOP_TIMEOUT = 15  # seconds a process is given to shut down warmly before it is killed
START_TIMEOUT = 30  # seconds until a worker says it is ready


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str, processes=()) -> object:
    """Poll ``predicate`` until it returns something true; fail with the processes' logs if it does
    not within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.name} ---\n{p.output()[-4000:]}" for p in processes)
            pytest.fail(f"timed out after {timeout}s waiting for {what}\n{logs}")
        time.sleep(0.2)


@dataclass
class CeleryProcess:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def children(self) -> list[int]:
        """The pool's processes (Linux: /proc/<pid>/task/<pid>/children)."""
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except FileNotFoundError:
            return []
        return [int(pid) for pid in text.split()]

    def kill(self) -> None:
        """SIGKILL the process and its children: a machine lost, nothing cleaned up."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        self._signal_group(signal.SIGKILL)  # whatever is left of the group, the pool's children too
        if self.popen.poll() is None:
            self.popen.wait(timeout=STOP_TIMEOUT)

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)  # the process leads a session, and so a group, of its own
        except ProcessLookupError:
            pass


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(autouse=True)
def broker() -> Iterator[redis.Redis]:
    """The test settings' Redis database, empty before and after each test."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def celery_env(django_db_setup) -> dict[str, str]:
    """The environment of the Celery processes: the test settings, pointed at the test database
    (only the test runner adds the ``test_`` prefix, so the name is used as it is)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PYTHONPATH": str(ROOT),
    }


@dataclass
class Celery:
    """Starts ``celery`` processes; every one is stopped at teardown."""

    env: dict[str, str]
    directory: Path
    started: list[CeleryProcess] = field(default_factory=list)

    def worker(self, name: str = "w1", **env: str) -> CeleryProcess:
        command = ["worker", "--concurrency", "1", "--pool", "prefork", "--hostname", f"{name}@%h"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        worker = self._start(name, command, env)
        wait_until(
            lambda: " ready." in worker.output() or worker.popen.poll() is not None,
            timeout=START_TIMEOUT,
            what=f"worker {name} to start",
            processes=[worker],
        )
        assert worker.popen.poll() is None, worker.output()
        return worker

    def beat(self, name: str, **env: str) -> CeleryProcess:
        command = ["beat", "--pidfile", str(self.directory / f"{name}.pid"), "--max-interval", "1"]
        beat = self._start(name, command, env)
        wait_until(
            lambda: "beat: Starting" in beat.output() or beat.popen.poll() is not None,
            timeout=START_TIMEOUT,
            what=f"beat {name} to start",
            processes=[beat],
        )
        assert beat.popen.poll() is None, beat.output()
        return beat

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> CeleryProcess:
        log = self.directory / f"{name}-{len(self.started)}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [str(CELERY), "-A", "workers", *command, "--loglevel", "INFO"],
                cwd=self.directory,  # beat's schedule and pid files stay out of the repository
                env={**self.env, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = CeleryProcess(name, popen, log)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop()


@pytest.fixture
def celery(celery_env, tmp_path) -> Iterator[Celery]:
    starter = Celery(env=celery_env, directory=tmp_path)
    try:
        yield starter
    finally:
        starter.stop_all()


@pytest.fixture(scope="module")
def _restore_migration_data(django_db_setup, django_db_blocker):
    """Put the rows of the data migrations (regions, roles, schedules) back after the module: the
    tests here are transactional, so the database is flushed after each of them (as in tests/e2e)."""
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


# --- a local web server for the re-check's page fetches ---------------------------------------------


@dataclass
class PageServer:
    """Official pages on 127.0.0.1, each answered after ``delay`` seconds; robots.txt is absent."""

    delay: float
    body: str = "<html><body><p>本页列出的电话已经调整。</p></body></html>"
    requests: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def page_requests(self) -> list[str]:
        return [path for path in list(self.requests) if path != "/robots.txt"]


@pytest.fixture
def page_server() -> Iterator[PageServer]:
    pages = PageServer(delay=0.3)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            pages.requests.append(self.path)
            if self.path == "/robots.txt":
                self.send_error(404)
                return
            time.sleep(pages.delay)
            body = pages.body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the worker asking was killed

        def log_message(self, format, *args):
            pass

    pages.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    pages.server.daemon_threads = True
    thread = threading.Thread(target=pages.server.serve_forever, daemon=True)
    thread.start()
    yield pages
    pages.server.shutdown()
    pages.server.server_close()
    thread.join(timeout=5)


# --- content through the real workflow (as tests/api/conftest.py) --------------------------------


@pytest.fixture
def team(db) -> dict:
    return {
        "editor": UserFactory(username="worker-editor", role="编辑"),
        "checker": UserFactory(username="worker-checker", role="核查员"),
        "publisher": UserFactory(username="worker-publisher", role="审核发布"),
    }


@pytest.fixture
def approve(team) -> Callable:
    """Take an item through the workflow to approved."""

    def go(item):
        workflow.item_submit(item=item, user=team["editor"])
        workflow.item_pass_check(item=item, user=team["checker"])
        workflow.item_approve(item=item, user=team["publisher"])
        return type(item).objects.get(pk=item.pk)

    return go


@pytest.fixture
def publish(team, approve) -> Callable:
    def go(item):
        item = approve(item)
        workflow.item_publish(item=item, user=team["publisher"])
        return type(item).objects.get(pk=item.pk)

    return go


@pytest.fixture
def schedule(team) -> Callable:
    """Schedule an approved item's publication, then move the time into the past: it is due."""

    def go(item, *, ago: float = 60):
        at = timezone.now() + datetime.timedelta(hours=1)
        workflow.item_schedule_publication(item=item, user=team["publisher"], at=at)
        due = timezone.now() - datetime.timedelta(seconds=ago)
        type(item).objects.filter(pk=item.pk).update(publish_at=due)
        return type(item).objects.get(pk=item.pk)

    return go


@pytest.fixture
def make_hotline(team, approve, publish) -> Callable:
    def make(*, organisation: str, number: str = "0759-5586822", sources=(), state: str = "published"):
        hotline = Hotline(organisation=organisation, number=number, region=region("440883"))
        content_save(item=hotline, user=team["editor"], expected_version=None, m2m={"sources": [*sources]})
        factcheck_record(
            item=hotline, user=team["checker"], subject="phone", claim=hotline.number,
            verdict="confirmed", method="phone_call", called_at=timezone.now(), person_reached="接线员张三",
        )  # fmt: skip
        hotline = Hotline.objects.get(pk=hotline.pk)
        return {"draft": lambda h: h, "approved": approve, "published": publish}[state](hotline)

    return make


@pytest.fixture
def make_article(team, approve, publish) -> Callable:
    official = SourceFactory(is_official=True, title="湛江市医疗保障局")

    def make(*, slug: str, state: str = "published", **m2m):
        article = Article(
            title=f"湛江吴川医保电话 {slug}",
            slug=slug,
            body="湛江市吴川市医疗保障局联系电话为 0759-5586822。",
        )
        links = {"sources": [official.pk], **m2m}
        content_save(item=article, user=team["editor"], expected_version=None, m2m=links)
        article = Article.objects.get(pk=article.pk)
        return {"draft": lambda a: a, "approved": approve, "published": publish}[state](article)

    return make
