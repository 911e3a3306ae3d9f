from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("levenlang.conf.api_urls")),
    path("beheer/django/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("levenlang.portal.urls")),
    path("account/", include("levenlang.accounts.urls")),
    path("beheer/", include("levenlang.core.urls")),
    path("betalen/", include("levenlang.ledger.payment_urls")),
    path("", include("levenlang.ledger.urls")),
    path("", include("levenlang.catalog.urls")),
    path("", include("levenlang.enrolment.urls")),
    path("", include("levenlang.schemes.urls")),
    prefix_default_language=False,
)
if not settings.DEMO_MODE:
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))

# The site's error pages in the site layout; under /api/ they answer problem details (RFC 9457, core.api).
handler400 = "levenlang.portal.errors.bad_request"
handler403 = "levenlang.portal.errors.permission_denied"
handler404 = "levenlang.portal.errors.page_not_found"
handler500 = "levenlang.portal.errors.server_error"
