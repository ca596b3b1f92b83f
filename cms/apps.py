from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Editorial content")

    def ready(self) -> None:
        import workers  # noqa: F401  (makes the project's Celery app the current one)

        from . import signals  # noqa: F401  (connects the receivers)
