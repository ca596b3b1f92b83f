"""Schemathesis against /api/schema/, inside the suite: more than a thousand generated requests through
the real WSGI application, with published data behind them. No request may give a 5xx or raise (Django's
got_request_exception fails this whole module), and every response must match the schema."""

import collections
import contextlib
import datetime
import sys
import time
from urllib.parse import urlencode

import hypothesis
import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.throttling import AnonRateThrottle
from schemathesis import GenerationMode
from schemathesis.core.failures import AcceptedNegativeData, FailureGroup
from schemathesis.openapi.checks import RejectedPositiveData

from cms.wsgi import application
from tests.factories import region

from .conftest import throttle_settings

MIN_REQUESTS = 1000
EXAMPLES = 40  # per operation and kind of generation (free, steered, negative)
# Findings of this check are recorded and reported, not failed on: an empty page, page_size or cursor,
# or an empty filter value, is taken as "not given" (views._int_parameter, decode_cursor,
# django-filter) instead of a 400, as query strings built by forms send them. Every other check of
# schemathesis must pass: every status code and every body is documented, and every schema-valid
# request is answered.
TOLERATED = (AcceptedNegativeData,)
# And schema-valid values that no schema can tell from valid ones are rightly a 400: a well-formed
# division code that does not exist, an opaque sync cursor the API never issued.
UNKNOWN_VALUES = {
    "region": "不是已知的 6 位行政区划代码",
    "parent": "不是已知的 6 位行政区划代码",
    "cursor": "同步游标无效",
}


def unknown_value(response) -> bool:
    if response.status_code != 400:
        return False
    body = response.json()
    return bool(body) and all(
        name in UNKNOWN_VALUES and all(UNKNOWN_VALUES[name] in m for m in messages)
        for name, messages in body.items()
    )


@pytest.fixture(scope="module", autouse=True)
def unhandled_exceptions():
    """Every request that raised in Django (a 500) fails the module, whatever the checks said."""
    raised: list[str] = []

    def record(sender, request=None, **kwargs):
        path = request.get_full_path() if request is not None else "?"
        raised.append(f"{path}: {sys.exc_info()[1]!r}")

    got_request_exception.connect(record, weak=False, dispatch_uid="tests.api.test_schemathesis")
    yield raised
    got_request_exception.disconnect(dispatch_uid="tests.api.test_schemathesis")
    if raised:
        pytest.fail(f"{len(raised)} request(s) raised an unhandled exception: {raised[:20]}", pytrace=False)


@pytest.fixture(scope="module", autouse=True)
def unthrottled_module():
    """A thousand requests from one address would be throttled (120/minute): raise the rate, in the
    settings and in the rate DRF's throttle class copied at import."""
    rate = "1000000/minute"
    with override_settings(REST_FRAMEWORK=throttle_settings(rate)), pytest.MonkeyPatch.context() as patch:
        patch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": rate})
        yield


@contextlib.contextmanager
def keep_the_test_connection():
    """The real WSGI handler closes "old" connections at each request's start and end, which would
    close the connection holding the test's transaction; Django's test client disconnects the same
    receiver around each of its requests (and connects it again after, hence not a module fixture)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(make_article, make_hotline, make_hospital, make_policy):
    codes = ["440883", "440800", "440000", "440100", "320700", "320000", "110000", "440802"]
    policies = [
        make_policy(
            region=region(codes[n % 6]) if n % 4 else None,
            effective_from=datetime.date(2020 + n % 5, 1 + n % 12, 1),
            effective_to=datetime.date(2030, 1, 1) if n % 3 == 0 else None,
        )
        for n in range(12)
    ]
    purposes = ["consultation", "complaint", "cross_region", "appointment", "office", "emergency"]
    hotlines = [
        make_hotline(
            organisation=f"医疗保障局 {n}",
            number=f"0759-55{n:05d}",
            code=codes[n % 8] if codes[n % 8] not in ("110000", "320000") else "440883",
            purpose=purposes[n % 6],
        )
        for n in range(12)
    ]
    levels, kinds = ["3A", "2A", "1", "ungraded"], ["general", "tcm", "dental", "children"]
    hospitals = [
        make_hospital(
            name=f"人民医院 {n}",
            code=codes[n % 8] if codes[n % 8] not in ("110000", "320000") else "320700",
            level=levels[n % 4],
            kind=kinds[n % 4],
            designated=bool(n % 2),
            aliases=[f"别名 {n}"] if n % 3 else [],
            phones=[{"label": "总机", "number": f"0518-857{n:05d}", "extension": ""}],
        )
        for n in range(12)
    ]
    categories = ["hotlines", "guide", "policy", "reimbursement", "cross_region", "hospitals"]
    articles = [
        make_article(
            title=f"湛江吴川医保电话 第{n}篇" if n % 2 else f"连云港医院报销 第{n}篇",
            summary=f"摘要 {n}",
            body=f"正文 {n}：医保电话与报销。\n\n- 第一条\n- 第二条",
            category=categories[n % 6],
            regions=[codes[n % 8]] + (["440883"] if n % 3 == 0 else []),
            hotlines=[hotlines[n].pk],
            hospitals=[hospitals[n].pk] if n % 2 == 0 else [],
            policies=[policies[n].pk],
        )
        for n in range(12)
    ]
    return {
        "slug": [a.slug for a in articles],
        "hotline": [h.pk for h in hotlines],
        "hospital": [h.pk for h in hospitals],
        "id": [p.pk for p in policies],
        "code": ["440000", "440800", "440883", "110000", "320700", "659001"],
    }


ORDERINGS = {
    "/api/v1/articles/": ["updated_at", "published_at", "title"],
    "/api/v1/hotlines/": ["updated_at", "organisation"],
    "/api/v1/hospitals/": ["updated_at", "name"],
}
SEARCHES = ["湛江", "医保 电话", "吴川", "连云港 报销", "人民医院", "广东省", "0759", "第3篇"]


def real_cursors(client) -> list[str]:
    cursors = ["0"]
    for kind in ("articles", "hotlines", "hospitals"):
        cursor = "0"
        for _ in range(3):
            response = client.get(f"/api/v1/sync/{kind}/?{urlencode({'cursor': cursor, 'page_size': 4})}")
            cursor = response.json()["next_cursor"]
            cursors.append(cursor)
    return cursors


def steer(case, data, seeded, cursors):
    """Swap generated values for ones the API accepts (known ids, bounded pages, real orderings and
    cursors), so that most steered requests reach a 200 with real rows whose bodies are validated."""
    path = case.operation.path
    if case.path_parameters:
        for name in case.path_parameters:
            case.path_parameters[name] = data.draw(st.sampled_from(seeded[name]))
        return
    query = dict(case.query or {})
    if "cursor" in case.operation.query:
        query["cursor"] = data.draw(st.sampled_from(cursors))
    if "page" in case.operation.query:
        query["page"] = data.draw(st.integers(1, 2))
    query["page_size"] = data.draw(st.integers(1, 100))
    if path in ORDERINGS:
        field = data.draw(st.sampled_from(ORDERINGS[path]))
        query["ordering"] = data.draw(st.sampled_from([field, f"-{field}"]))
    if "q" in case.operation.query:
        query["q"] = data.draw(st.sampled_from(["", *SEARCHES]))
    case.query = query


def fuzz(operation, exercise, settings, seeded, cursors):
    """Free positive, steered positive and negative cases for one operation."""
    label = operation.label

    @settings
    @hypothesis.given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def free(case):
        exercise(case, label, "positive")

    @settings
    @hypothesis.given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE), data=st.data())
    def steered(case, data):
        steer(case, data, seeded, cursors)
        exercise(case, label, "steered")

    @settings
    @hypothesis.given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    def negative(case):
        exercise(case, label, "negative")

    free()
    steered()
    try:
        negative()
    except Unsatisfiable:
        # A path of only free-form strings ({slug}, {code}) has no schema-violating values.
        assert "{slug}" in label or "{code}" in label, label


def test_schemathesis(seeded, client, unhandled_exceptions):
    started = time.monotonic()
    cursors = real_cursors(client)
    requests = collections.Counter()  # (operation, generation, status) → count
    failures: list[str] = []
    tolerated = collections.Counter()  # (operation, failure, status) → count
    validated_bodies = collections.Counter()

    def exercise(case, label, mode):
        response = case.call()
        requests[(label, mode, response.status_code)] += 1
        if response.status_code == 200:
            validated_bodies[label] += 1
        try:
            case.validate_response(response)
        except FailureGroup as group:
            for failure in group.exceptions:
                if isinstance(failure, TOLERATED) or (
                    isinstance(failure, RejectedPositiveData) and unknown_value(response)
                ):
                    tolerated[(label, type(failure).__name__, response.status_code)] += 1
                else:
                    failures.append(f"{label} [{mode}] {failure.title}: {case.as_curl_command()}")
        assert response.status_code < 500, case.as_curl_command()

    settings = hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    with keep_the_test_connection():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 13
        for operation in operations:
            fuzz(operation, exercise, settings, seeded, cursors)

    elapsed = time.monotonic() - started
    total = sum(requests.values())
    by_status = collections.Counter()
    for (_, _, status), count in requests.items():
        by_status[status] += count
    summary = (
        f"{total} requests in {elapsed:.1f}s; statuses {dict(sorted(by_status.items()))}; "
        f"tolerated findings {dict(tolerated)}"
    )
    print(summary)
    assert not unhandled_exceptions, unhandled_exceptions
    assert not failures, "\n".join(failures[:30])
    assert total >= MIN_REQUESTS, summary
    assert max(by_status) < 500, summary
    # Steering reached real data on every operation, so response bodies were validated everywhere.
    assert set(validated_bodies) == {operation.label for operation in operations}, validated_bodies
    assert all(count >= 10 for count in validated_bodies.values()), validated_bodies
