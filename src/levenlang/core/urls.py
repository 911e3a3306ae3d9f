from django.urls import path

from levenlang.core.views import AuditLogView

app_name = "core"
urlpatterns = [
    path("audit/", AuditLogView.as_view(), name="audit-log"),
]
