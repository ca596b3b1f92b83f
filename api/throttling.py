"""Throttling of the public API: every reader is anonymous, one bucket per client address.

DRF's ``AnonRateThrottle`` keeps the time of every request in the window and reads, trims and writes
that whole list on every request: its cost grows with the rate, on the product's hottest path. This
throttle keeps two counters instead (this window's and the previous one's) and estimates the requests
of the last ``duration`` seconds as the current count plus the previous count weighted by how much of
the previous window still overlaps (the "sliding window counter"): one atomic increment and one read.
"""

import math

from django.core.cache import cache as default_cache
from rest_framework.throttling import AnonRateThrottle


class ReaderRateThrottle(AnonRateThrottle):
    """The ``anon`` rate, the client address as the key (behind ``NUM_PROXIES`` trusted proxies), and
    no user asked for: the API has no accounts, and its fast path (``LiveDetailView.dispatch``) hands
    the throttle Django's request."""

    cache = default_cache

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        now = self.timer()
        window = math.floor(now / self.duration)
        current, previous = f"{key}:{window}", f"{key}:{window - 1}"
        counts = self.cache.get_many([current, previous])
        overlap = 1 - (now - window * self.duration) / self.duration
        estimate = counts.get(current, 0) + counts.get(previous, 0) * overlap
        if estimate >= self.num_requests:
            # Until the estimate drops below the limit: the previous window's share shrinks linearly.
            spare = self.num_requests - counts.get(current, 0)
            if spare > 0 and counts.get(previous, 0):
                wait = (overlap - spare / counts[previous]) * self.duration
            else:
                wait = (window + 1) * self.duration - now
            self.wait_seconds = max(1.0, wait)
            return False
        if not self.cache.add(current, 1, timeout=2 * self.duration + 1):
            try:
                self.cache.incr(current)
            except ValueError:  # expired between add and incr
                self.cache.set(current, 1, timeout=2 * self.duration + 1)
        return True

    def wait(self):
        return getattr(self, "wait_seconds", None)
