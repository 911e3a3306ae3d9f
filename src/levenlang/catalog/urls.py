from django.urls import path

from levenlang.catalog import views

app_name = "catalog"
urlpatterns = [
    path("aanbod/", views.search, name="search"),
    path("aanbod/<uuid:uuid>/", views.module_detail, name="module"),
    path("opleider/aanmelden/", views.register, name="register"),
    path("opleider/modules/", views.provider_modules, name="provider-modules"),
    path("opleider/modules/nieuw/", views.module_edit, name="provider-module-new"),
    path("opleider/modules/<uuid:uuid>/", views.module_edit, name="provider-module"),
    path("opleider/modules/<uuid:uuid>/publiceren/", views.module_publish, name="provider-module-publish"),
    path("opleider/modules/<uuid:uuid>/uitvoeringen/nieuw/", views.offering_edit, name="provider-offering-new"),
    path(
        "opleider/modules/<uuid:uuid>/uitvoeringen/<uuid:offering_uuid>/",
        views.offering_edit,
        name="provider-offering",
    ),
    path("opleider/import/", views.import_page, name="provider-import-new"),
    path("opleider/import/<uuid:uuid>/", views.import_detail, name="provider-import"),
    path("opleider/erkenningen/", views.recognitions, name="provider-recognitions"),
    path("beheer/opleiders/", views.review_providers, name="review-providers"),
    path("beheer/erkenningen/<uuid:uuid>/", views.review_recognition, name="review-recognition"),
    path("beheer/opleiders/<uuid:uuid>/status/", views.provider_status, name="provider-status"),
]
