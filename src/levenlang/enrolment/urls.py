from django.urls import path

from levenlang.enrolment import views

app_name = "enrolment"
urlpatterns = [
    path("inschrijven/<uuid:offering_uuid>/", views.book, name="book"),
    path("mijn-inschrijvingen/", views.mine, name="mine"),
    path("inschrijvingen/sterk-inloggen/", views.strong_login, name="strong-login"),
    path("inschrijvingen/<uuid:enrolment_uuid>/", views.detail, name="detail"),
    path("inschrijvingen/<uuid:enrolment_uuid>/stap/", views.step, name="step"),
    path("inschrijvingen/<uuid:enrolment_uuid>/bevestigen/", views.reserve, name="reserve"),
    path("inschrijvingen/<uuid:enrolment_uuid>/bewijs.json", views.credential, name="credential"),
    path("opleider/inschrijvingen/", views.provider_list, name="provider-list"),
    path("opleider/meldingen/", views.provider_bulk, name="provider-bulk"),
    path("opleider/meldingen/inschrijvingen.csv", views.provider_declarations_csv, name="provider-declarations-csv"),
    path("opleider/uitbetalingen/", views.provider_payouts, name="provider-payouts"),
    path("bewijs-controleren/", views.verify, name="verify"),
    path("beheer/prijsmonitor/", views.price_monitor, name="price-monitor"),
    path("beheer/inschrijvingen/", views.admin_list, name="admin-list"),
]
