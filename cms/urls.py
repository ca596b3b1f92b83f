from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found
from django.views.generic import RedirectView

from api.views import healthz, readyz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", healthz),
    path("readyz", readyz),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]


def not_found(request, exception):
    """Under /api/ a miss is JSON like the API's other answers; elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "没有这个地址。"}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return page_not_found(request, exception)


handler404 = not_found
