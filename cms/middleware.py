"""Conditional GET for HEAD as well as GET, without stale 304s inside a second.

HTTP dates count whole seconds. A response built in the same second as the change it reflects cannot
tell a later change in that second from none, so such a response says it was modified one second
earlier and does not answer ``If-Modified-Since`` with a 304 (the ETag still does). Views give the
exact time of the last change with :func:`set_last_modified`.
"""

import datetime
import math

from django.utils import timezone
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date, parse_http_date_safe


def last_modified(changed_at: datetime.datetime) -> tuple[str, bool]:
    """The Last-Modified value for a change at ``changed_at``, and whether it may answer
    If-Modified-Since (not within the second of the change)."""
    changed = math.floor(changed_at.timestamp())
    settled = changed < math.floor(timezone.now().timestamp())
    return http_date(changed if settled else changed - 1), settled


def set_last_modified(response, changed_at: datetime.datetime | None) -> None:
    if changed_at is None:
        return
    response["Last-Modified"], response.revalidate_by_date = last_modified(changed_at)


class ConditionalGetMiddleware:
    """Django's ``ConditionalGetMiddleware``, for HEAD too and with the rule above."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or response.streaming:
            return response
        if self.needs_etag(request, response):
            set_response_etag(response)
        etag = response.get("ETag")
        last_modified = None
        if getattr(response, "revalidate_by_date", True):
            last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        if not (etag or last_modified):
            return response
        return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)

    @staticmethod
    def needs_etag(request, response) -> bool:
        """A 2xx without an ETag, not ``no-store``, and for HEAD only if the view built the body
        (Django runs a view's ``get`` for HEAD; the server drops the body afterwards)."""
        return (
            200 <= response.status_code < 300
            and not response.has_header("ETag")
            and "no-store" not in response.get("Cache-Control", "").lower()
            and (request.method == "GET" or bool(response.content))
        )
