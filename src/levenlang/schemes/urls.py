from django.urls import path

from levenlang.schemes import views

app_name = "schemes"
urlpatterns = [
    path("regelingen/", views.my_schemes, name="mine"),
    path("regelingen/register/", views.scheme_register, name="register"),
    path("regelingen/storting/", views.deposit_effect, name="deposit-effect"),
    path("beheer/regelingen/<uuid:resident_uuid>/", views.resident_schemes, name="resident"),
    path("regie/wat-als/", views.what_if, name="what-if"),
    path("regie/wat-als/<uuid:run_uuid>/", views.what_if_run, name="what-if-run"),
]
