"""The REST API, version 1: /api/v1/. Resources are addressed by UUID."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView, SpectacularSwaggerView

from levenlang.accounts.api import MeView
from levenlang.residents.api import ResidentDetail

v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema-json"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("me/", MeView.as_view(), name="api-me"),
    path("residents/<uuid:uuid>/", ResidentDetail.as_view(), name="api-resident"),
]
urlpatterns = [path("v1/", include(v1))]
