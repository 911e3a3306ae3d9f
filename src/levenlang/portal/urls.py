from django.urls import path

from levenlang.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
]
