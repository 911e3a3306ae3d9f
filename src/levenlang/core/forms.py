from django import forms
from django.utils.translation import gettext_lazy as _

from levenlang.core.models import AuditEvent
from levenlang.core.roles import Role

__all__ = [
    "AuditFilterForm",
]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What happened"), required=False, choices=[("", _("All")), *AuditEvent.Action.choices]
    )
    actor_role = forms.ChoiceField(
        label=_("Role of the person who did it"), required=False, choices=[("", _("All")), *Role.choices]
    )
    subject_person = forms.UUIDField(
        label=_("Whose data (resident ID)"), required=False, help_text=_("The resident's ID, never the BSN.")
    )

    def filter(self, queryset):
        if not self.is_bound or not self.is_valid():
            return queryset
        data = {key: value for key, value in self.cleaned_data.items() if value}
        return queryset.filter(**data)
