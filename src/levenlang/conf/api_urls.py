"""The REST API, version 1: /api/v1/. Resources are addressed by UUID."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView, SpectacularSwaggerView

from levenlang.accounts.api import MeView
from levenlang.ledger.api import DepositView, LeerrekeningView, OwnDepositView, PreviewView
from levenlang.residents.api import ResidentDetail
from levenlang.rules.api import MyNavigatorView, ResidentNavigatorView, SchemeRegisterView

v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema-json"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("me/", MeView.as_view(), name="api-me"),
    path("residents/<uuid:uuid>/", ResidentDetail.as_view(), name="api-resident"),
    path("residents/<uuid:uuid>/navigator/", ResidentNavigatorView.as_view(), name="api-resident-navigator"),
    path("navigator/", MyNavigatorView.as_view(), name="api-navigator"),
    path("schemes/", SchemeRegisterView.as_view(), name="api-schemes"),
    path("leerrekening/", LeerrekeningView.as_view(), name="api-leerrekening"),
    path("leerrekening/preview/", PreviewView.as_view(), name="api-leerrekening-preview"),
    path("deposits/", DepositView.as_view(), name="api-deposits"),
    path("own-deposits/", OwnDepositView.as_view(), name="api-own-deposits"),
]
urlpatterns = [path("v1/", include(v1))]
