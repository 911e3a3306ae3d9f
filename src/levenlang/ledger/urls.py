from django.urls import path

from levenlang.ledger import statement_views as views

app_name = "ledger"
urlpatterns = [
    path("leerrekening/", views.my_statement, name="mine"),
    path("leerrekening/geld-toevoegen/", views.add_money, name="add-money"),
    path("leerrekening/overzicht.csv", views.my_statement, {"fmt": "csv"}, name="mine-csv"),
    path("leerrekening/overzicht.pdf", views.my_statement, {"fmt": "pdf"}, name="mine-pdf"),
    path("beheer/leerrekening/<uuid:resident_uuid>/", views.resident_statement, name="resident"),
    path(
        "beheer/leerrekening/<uuid:resident_uuid>/overzicht.csv",
        views.resident_statement,
        {"fmt": "csv"},
        name="resident-csv",
    ),
    path(
        "beheer/leerrekening/<uuid:resident_uuid>/overzicht.pdf",
        views.resident_statement,
        {"fmt": "pdf"},
        name="resident-pdf",
    ),
]
