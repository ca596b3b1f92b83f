"""The hotline re-check against a real local HTTP server: the number rules on real numbers from the
sample dumps, presence on the official page, evidence before a status changes, flags and the
fact-checkers' digest, one fetch per page, resumed runs and dry runs."""

import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import call_command

from cms.models import (
    CheckKind,
    CheckOutcome,
    Flag,
    FlagKind,
    Hotline,
    Job,
    JobRun,
    LiveHotline,
    NumberCheck,
    Trigger,
    VerificationStatus,
)
from cms.services import jobs
from tests.factories import SourceFactory, UserFactory

PAGES = {
    "/wuchuan.html": "<html><body><h1>吴川市医疗保障局</h1><p>咨询电话：0759-5586822</p></body></html>",
    "/moved.html": "<html><body><h1>吴川市医疗保障局</h1><p>新咨询电话：0759-5581111</p></body></html>",
}


class Site:
    def __init__(self):
        self.requests: list[str] = []
        self.broken: set[str] = set()
        handler = self.handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append(self.path)
                if self.path in site.broken:
                    self.send_response(503)
                    self.end_headers()
                    return
                body = PAGES.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def site(settings):
    settings.FETCH_ALLOW_PRIVATE_ADDRESSES = True
    settings.FETCH_HOST_DELAY = 0
    settings.FETCH_READ_TIMEOUT = 2
    s = Site()
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


def recheck(**options) -> JobRun:
    return jobs.run_job(Job.RECHECK_HOTLINES, trigger=Trigger.COMMAND, all=True, **options)


def outcome(hotline, kind) -> str:
    return NumberCheck.objects.filter(hotline=hotline, kind=kind).latest("checked_at").outcome


def status(hotline) -> str:
    return Hotline.objects.get(pk=hotline.pk).verification_status


# ------------------------------------------------------------------------------------ the number rules


@pytest.mark.parametrize(
    ("organisation", "number", "code", "region_ok"),
    [
        ("吴川市医疗保障局", "0759-5586822", "440883", True),  # a county dials its city's code
        ("酒泉市医疗保障局", "0937-2612345", "620900", True),  # 0937 is shared by 酒泉 and 嘉峪关
        ("嘉峪关市医疗保障局", "0937-6212345", "620200", True),
        ("广东省医疗保障局", "020-83339999", "440000", True),  # a provincial agency in the capital
        ("广东省医疗保障局", "0759-2212345", "440000", False),
        ("吴川市医疗保障局", "0595-22881234", "440883", False),  # 泉州's code under 吴川
    ],
)
def test_region_consistency(make_hotline, organisation, number, code, region_ok):
    # The content checks' gate keeps a mismatched number from being published: it stays a draft,
    # which the re-check covers too.
    hotline = make_hotline(organisation=organisation, number=number, code=code, published=region_ok)
    recheck()
    assert outcome(hotline, CheckKind.VALIDITY) == CheckOutcome.PASS
    assert outcome(hotline, CheckKind.REGION) == (CheckOutcome.PASS if region_ok else CheckOutcome.FAIL)
    assert status(hotline) == (VerificationStatus.VERIFIED if region_ok else VerificationStatus.FAILING)


def test_a_short_service_number_is_valid_and_has_no_area_code(make_hotline):
    hotline = make_hotline(organisation="国家医疗保障局", number="12393", code="440883")
    recheck()
    assert outcome(hotline, CheckKind.VALIDITY) == CheckOutcome.PASS
    assert outcome(hotline, CheckKind.REGION) == CheckOutcome.SKIPPED


def test_numbers_one_digit_apart_for_one_organisation_conflict(make_hotline):
    """普洱 (0879) in the sample dumps: 3235661 and 3235651 for the same office and purpose."""
    a = make_hotline(organisation="普洱市医疗保障局", number="0879-3235661", code="530800")
    b = make_hotline(organisation="普洱市医疗保障局", number="0879-3235651", code="530800", published=False)
    other = make_hotline(
        organisation="普洱市医疗保障局", number="0879-3235600", code="530800", purpose="complaint"
    )
    recheck()
    for hotline in (a, b):
        check = NumberCheck.objects.get(hotline=hotline, kind=CheckKind.CONFLICT)
        assert check.outcome == CheckOutcome.FAIL
        assert "仅一位数字不同" in check.detail
        assert status(hotline) == VerificationStatus.FAILING
    assert outcome(other, CheckKind.CONFLICT) == CheckOutcome.PASS


def test_an_old_human_verification_is_stale_not_failing(make_hotline, settings):
    hotline = make_hotline()
    Hotline.objects.filter(pk=hotline.pk).update(
        last_verified_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    recheck()
    assert outcome(hotline, CheckKind.STALENESS) == CheckOutcome.FAIL
    assert status(hotline) == VerificationStatus.STALE
    assert LiveHotline.objects.get(pk=hotline.pk).payload["verification_status"] == VerificationStatus.STALE


def test_a_batch_of_changed_statuses_leaves_live_rows_as_a_rebuild_would(make_hotline):
    """The re-check writes a batch's changed statuses into their live rows in one UPDATE: each row,
    payload included, must be what rebuilding it with the publish path's own builder gives."""
    from cms.services.live import store_payload

    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    hotlines = [
        make_hotline(number=number, purpose=purpose)
        for number, purpose in (
            ("0759-5586822", "consultation"),
            ("0759-5586698", "complaint"),
            ("0759-7739701", "office"),
        )
    ]
    Hotline.objects.filter(pk__in=[h.pk for h in hotlines]).update(last_verified_at=old)
    recheck()
    for hotline in hotlines:
        live = LiveHotline.objects.select_related("revision").get(pk=hotline.pk)
        assert live.verification_status == VerificationStatus.STALE
        written = (live.payload, live.seq)
        store_payload(live)
        rebuilt = LiveHotline.objects.get(pk=hotline.pk)
        assert written[0] == rebuilt.payload
        assert written[0]["last_verified_at"] == old.isoformat()
        assert rebuilt.seq > written[1] > 0


# ---------------------------------------------------------------------------------------- the pages


def test_the_number_on_its_official_page(site, make_hotline):
    page = SourceFactory(url=site.url("/wuchuan.html"))
    hotline = make_hotline(sources=[page.pk])
    recheck()
    check = NumberCheck.objects.get(hotline=hotline, kind=CheckKind.SOURCE)
    assert check.outcome == CheckOutcome.PASS
    assert "0759-5586822" in check.evidence["quote"]
    assert status(hotline) == VerificationStatus.VERIFIED


def test_a_number_gone_from_its_page_flags_what_shows_it(
    site, make_hotline, make_article, django_capture_on_commit_callbacks, client
):
    UserFactory(username="checker-2", email="checker@example.cn", role="核查员")
    page = SourceFactory(url=site.url("/moved.html"))
    hotline = make_hotline(sources=[page.pk])
    article = make_article(title="吴川医保电话", hotlines=[hotline.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = recheck()
    assert outcome(hotline, CheckKind.SOURCE) == CheckOutcome.FAIL
    assert status(hotline) == VerificationStatus.FAILING
    assert run.changed == 1
    assert Flag.objects.filter(hotline=hotline, kind=FlagKind.HOTLINE_FAILED, resolved_at=None).count() == 1
    assert Flag.objects.filter(article=article, kind=FlagKind.HOTLINE_FAILED, resolved_at=None).count() == 1
    body = client.get(f"/api/v1/articles/{article.slug}/").json()
    assert body["outdated"]["flagged"] is True
    assert body["hotlines"][0]["verification_status"] == VerificationStatus.FAILING
    digests = [m for m in mail.outbox if "未通过核查" in m.subject]
    assert len(digests) == 1
    assert "checker@example.cn" in digests[0].to
    # Again: still failing, nothing new.
    recheck()
    assert Flag.objects.filter(kind=FlagKind.HOTLINE_FAILED).count() == 2


def test_each_page_is_fetched_once_per_run(site, make_hotline):
    page = SourceFactory(url=site.url("/wuchuan.html"))
    for n, name in enumerate(["吴川市人民医院", "吴川市中医院", "吴川市妇幼保健院", "吴川市第二人民医院"]):
        make_hotline(organisation=name, number=f"0759-55868{n:02d}", sources=[page.pk])
    run = recheck()
    assert site.requests.count("/wuchuan.html") == 1
    assert run.summary["page_requests"] == 1


def test_a_server_error_is_not_evidence_until_repeated(site, make_hotline, settings):
    settings.RECHECK_FAILURES_TO_COUNT = 2
    settings.RECHECK_FAILURE_SPAN_HOURS = 0
    site.broken.add("/wuchuan.html")
    page = SourceFactory(url=site.url("/wuchuan.html"))
    hotline = make_hotline(sources=[page.pk])
    recheck()
    assert outcome(hotline, CheckKind.SOURCE) == CheckOutcome.TRANSIENT
    assert status(hotline) == VerificationStatus.VERIFIED  # one failure: no evidence
    recheck()
    assert status(hotline) == VerificationStatus.FAILING  # repeated


def test_repeated_failures_must_also_span_time(site, make_hotline, settings):
    settings.RECHECK_FAILURES_TO_COUNT = 2
    settings.RECHECK_FAILURE_SPAN_HOURS = 48
    site.broken.add("/wuchuan.html")
    hotline = make_hotline(sources=[SourceFactory(url=site.url("/wuchuan.html")).pk])
    for _ in range(3):
        recheck()
    assert status(hotline) == VerificationStatus.VERIFIED
    site.broken.clear()
    recheck()  # a success resets the count
    assert status(hotline) == VerificationStatus.VERIFIED


# ----------------------------------------------------------------------------- runs, resumes, dry runs


def test_only_due_numbers_unless_all(make_hotline):
    due = make_hotline()
    later = make_hotline(organisation="湛江市中心人民医院", number="0759-3388888", code="440800")
    Hotline.objects.filter(pk=later.pk).update(
        next_check_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)
    )
    run = jobs.run_job(Job.RECHECK_HOTLINES, trigger=Trigger.COMMAND)
    assert run.examined == 1
    assert set(NumberCheck.objects.values_list("hotline", flat=True)) == {due.pk}
    assert Hotline.objects.get(pk=due.pk).next_check_at > run.started_at


def test_a_resumed_run_checks_only_what_it_had_not(make_hotline):
    first = make_hotline()
    second = make_hotline(organisation="湛江市中心人民医院", number="0759-3388888", code="440800")
    interrupted = JobRun.objects.create(job=Job.RECHECK_HOTLINES, trigger=Trigger.SCHEDULE, key="k1")
    NumberCheck.objects.create(
        run=interrupted, subject=f"hotline:{first.pk}", hotline=first, number=first.number,
        kind=CheckKind.VALIDITY, outcome=CheckOutcome.PASS,
    )  # fmt: skip
    run = jobs.run_job(Job.RECHECK_HOTLINES, trigger=Trigger.SCHEDULE, key="k1", all=True)
    assert run.pk == interrupted.pk
    assert run.status == "succeeded"
    assert NumberCheck.objects.filter(run=run, hotline=first).count() == 1  # not checked again
    assert NumberCheck.objects.filter(run=run, hotline=second).count() == 5
    again = jobs.run_job(Job.RECHECK_HOTLINES, trigger=Trigger.SCHEDULE, key="k1", all=True)
    assert again.pk == run.pk
    assert NumberCheck.objects.filter(run=run).count() == 6


def test_a_dry_run_changes_nothing(make_hotline):
    hotline = make_hotline(number="0595-22881234", published=False)
    run = jobs.run_job(Job.RECHECK_HOTLINES, trigger=Trigger.COMMAND, all=True, dry_run=True)
    assert (run.examined, run.changed) == (1, 1)
    assert status(hotline) == VerificationStatus.VERIFIED
    assert not NumberCheck.objects.exists()
    assert not Flag.objects.exists()


def test_the_command(make_hotline, capsys):
    make_hotline(number="0595-22881234", published=False)
    call_command("recheck_hotlines", "--all")
    out = capsys.readouterr().out
    assert "检查 1 项，改变 1 项" in out
    call_command("recheck_hotlines", "--all", "--dry-run")
    assert "试运行" in capsys.readouterr().out


def test_hospital_phones_are_checked_too(make_hospital, site):
    from cms.models import Hospital

    good = make_hospital()  # 连云港市口腔医院, 0518-85767777 under 连云港
    wrong = make_hospital(
        name="连云港市第一人民医院",
        phones=({"label": "总机", "number": "0759-2212345", "extension": ""},),  # 湛江's code
        published=False,
    )
    run = recheck()
    assert run.examined == 2  # two numbers (no hotline)
    checks = NumberCheck.objects.filter(run=run, kind=CheckKind.REGION)
    assert {(c.hospital_id, c.outcome) for c in checks} == {
        (good.pk, CheckOutcome.PASS),
        (wrong.pk, CheckOutcome.FAIL),
    }
    assert Hospital.objects.get(pk=wrong.pk).verification_status == VerificationStatus.FAILING
    assert Hospital.objects.get(pk=good.pk).verification_status == VerificationStatus.VERIFIED
    # Checked within the interval: not due again unless --all.
    assert jobs.run_job(Job.RECHECK_HOTLINES, trigger=Trigger.COMMAND).examined == 0


def test_a_number_back_on_its_page_is_unflagged(site, make_hotline, make_article, client, monkeypatch):
    page = SourceFactory(url=site.url("/moved.html"))
    hotline = make_hotline(sources=[page.pk])
    article = make_article(title="吴川医保电话", hotlines=[hotline.pk])
    recheck()
    assert status(hotline) == VerificationStatus.FAILING
    monkeypatch.setitem(PAGES, "/moved.html", PAGES["/wuchuan.html"])  # the page lists it again
    recheck()
    assert status(hotline) == VerificationStatus.VERIFIED
    assert not Flag.objects.filter(resolved_at=None).exists()
    assert client.get(f"/api/v1/articles/{article.slug}/").json()["outdated"]["flagged"] is False


def test_a_beijing_landline_is_read_with_its_two_digit_area_code(make_hotline):
    hotline = make_hotline(organisation="北京市医疗保障局", number="010-89152500", code="110000")
    recheck()
    assert outcome(hotline, CheckKind.REGION) == CheckOutcome.PASS
