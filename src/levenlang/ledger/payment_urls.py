from django.urls import path

from levenlang.ledger import payment_views

app_name = "payments"
urlpatterns = [path("demo/<uuid:uuid>/", payment_views.demo_checkout, name="demo-checkout")]
