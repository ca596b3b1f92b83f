"""Throttling of the public API: every reader is anonymous, one bucket per client address."""

from rest_framework.throttling import AnonRateThrottle


class ReaderRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle (rate ``anon``, the address as the key, behind ``NUM_PROXIES`` trusted
    proxies), without asking for a user: the API has no accounts, and its fast path
    (``LiveDetailView.dispatch``) hands the throttle Django's request, which carries none."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
