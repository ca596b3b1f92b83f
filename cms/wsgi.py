import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
django.setup(set_prefix=False)

from cms.handlers import Application  # noqa: E402  (after setup)

application = Application()
