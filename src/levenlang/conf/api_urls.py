"""The REST API, version 1: /api/v1/. Resources are addressed by UUID."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularJSONAPIView, SpectacularSwaggerSplitView

from levenlang.accounts.api import MeView
from levenlang.enrolment import api as enrolment_api
from levenlang.ledger.api import DepositView, LeerrekeningView, OwnDepositView, PreviewView
from levenlang.residents.api import ResidentDetail
from levenlang.schemes.api import DepositEffectView, MyNavigatorView, ResidentNavigatorView, SchemeRegisterView

v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema-json"),
    # The split view serves Swagger UI's start-up script as a file: the Content-Security-Policy allows no inline one.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="core/swagger_ui.html"),
        name="api-docs",
    ),
    path("me/", MeView.as_view(), name="api-me"),
    path("residents/<uuid:uuid>/", ResidentDetail.as_view(), name="api-resident"),
    path("residents/<uuid:uuid>/navigator/", ResidentNavigatorView.as_view(), name="api-resident-navigator"),
    path("navigator/", MyNavigatorView.as_view(), name="api-navigator"),
    path("schemes/", SchemeRegisterView.as_view(), name="api-schemes"),
    path("deposit-effect/", DepositEffectView.as_view(), name="api-deposit-effect"),
    path("leerrekening/", LeerrekeningView.as_view(), name="api-leerrekening"),
    path("leerrekening/preview/", PreviewView.as_view(), name="api-leerrekening-preview"),
    path("deposits/", DepositView.as_view(), name="api-deposits"),
    path("own-deposits/", OwnDepositView.as_view(), name="api-own-deposits"),
    path("enrolments/", enrolment_api.EnrolmentList.as_view(), name="api-enrolments"),
    path("enrolments/declarations/", enrolment_api.Declarations.as_view(), name="api-enrolment-declarations"),
    path("enrolments/<uuid:uuid>/", enrolment_api.EnrolmentDetail.as_view(), name="api-enrolment"),
    path("enrolments/<uuid:uuid>/preview/", enrolment_api.EnrolmentPreview.as_view(), name="api-enrolment-preview"),
    path(
        "enrolments/<uuid:uuid>/credential/",
        enrolment_api.CredentialDownload.as_view(),
        name="api-enrolment-credential",
    ),
    *[
        path(f"enrolments/<uuid:uuid>/{name}/", view.as_view(), name=f"api-enrolment-{name}")
        for name, view in enrolment_api.STEP_VIEWS.items()
    ],
    path("credentials/verify/", enrolment_api.CredentialVerify.as_view(), name="api-credential-verify"),
    path("oeapi/", include("levenlang.catalog.api_urls")),
]
urlpatterns = [path("v1/", include(v1))]
