"""The WSGI entry point: the public API is served by a lean handler.

Anonymous, read-only JSON never touches sessions, CSRF tokens, users or messages, and the API's
requests are the product's hot path: a request under ``/api/`` (and the health checks) goes through
``settings.API_MIDDLEWARE`` only; everything else (the admin) through ``settings.MIDDLEWARE``. Both
handlers share one Django setup, URLconf and database connections. A detail that needs nothing of
Django's request machinery is answered before any of it (``api.fast``).
"""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

API_PREFIXES = ("/api/", "/healthz", "/readyz")


class ApiHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class Application:
    def __init__(self):
        self.api = ApiHandler()
        self.site = WSGIHandler()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(API_PREFIXES):
            return self.site(environ, start_response)
        from api import fast  # after Django is set up (the application is made before)

        answer = fast.answer(environ)
        if answer is None:
            return self.api(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]
