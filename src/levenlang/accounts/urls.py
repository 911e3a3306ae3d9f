from django.conf import settings
from django.urls import path

from levenlang.accounts import views

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.login_page, name="login"),
    path("uitloggen/", views.logout_view, name="logout"),
]
if settings.DEMO_MODE:
    urlpatterns += [
        path("demo/persona/", views.persona_login, name="persona-login"),
        path("demo/digid/", views.mock_digid, name="mock-digid"),
        path("demo/eherkenning/", views.mock_eherkenning, name="mock-eherkenning"),
    ]
