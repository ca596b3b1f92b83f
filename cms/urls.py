from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from api.views import healthz, readyz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", healthz),
    path("readyz", readyz),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
