from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

app_name = "api"

v1 = [
    path("articles/", views.ArticleList.as_view(), name="article-list"),
    path("sync/articles/", views.ArticleSync.as_view(), name="article-sync"),
    path("sync/hotlines/", views.HotlineSync.as_view(), name="hotline-sync"),
    path("sync/hospitals/", views.HospitalSync.as_view(), name="hospital-sync"),
    path("articles/<str:slug>/", views.ArticleDetail.as_view(), name="article-detail"),
    path("hotlines/", views.HotlineList.as_view(), name="hotline-list"),
    path("hotlines/<int:pk>/", views.HotlineDetail.as_view(), name="hotline-detail"),
    path("hospitals/", views.HospitalList.as_view(), name="hospital-list"),
    path("hospitals/<int:pk>/", views.HospitalDetail.as_view(), name="hospital-detail"),
    path("policies/", views.PolicyList.as_view(), name="policy-list"),
    path("policies/<int:pk>/", views.PolicyDetail.as_view(), name="policy-detail"),
    path("regions/", views.RegionList.as_view(), name="region-list"),
    path("regions/<str:code>/", views.RegionDetail.as_view(), name="region-detail"),
]

urlpatterns = [
    *[path(f"v1/{p.pattern}", p.callback, name=p.name) for p in v1],
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
