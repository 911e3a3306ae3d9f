from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import ListView

from levenlang.core import audit
from levenlang.core.forms import AuditFilterForm
from levenlang.core.models import AuditEvent
from levenlang.core.permissions import VIEW_AUDIT_LOG


class AuditLogView(PermissionRequiredMixin, ListView):
    """The audit log for administrators, newest first, filterable by action, role and person."""

    permission_required = VIEW_AUDIT_LOG
    raise_exception = True
    template_name = "core/audit_log.html"
    paginate_by = 50

    def get_queryset(self):
        self.form = AuditFilterForm(self.request.GET or None)
        return self.form.filter(AuditEvent.objects.select_related("actor"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, **kwargs)
        context["entries"] = audit.entries(context["object_list"])
        person = self.form.cleaned_data.get("subject_person") if self.form.is_bound and self.form.is_valid() else None
        context["person"] = (str(person), audit.person_name(str(person))) if person else None
        return context
