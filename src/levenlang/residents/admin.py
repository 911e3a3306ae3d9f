from django.contrib import admin

from levenlang.core.audit import record_view
from levenlang.residents.models import Resident


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["given_name", "family_name", "masked_bsn", "birth_date", "region", "situation"]
    list_filter = ["situation", "nlqf_level", "region"]
    search_fields = ["family_name", "=bsn"]  # exact BSN only: no partial-number fishing
    raw_id_fields = ["user"]
    list_select_related = ["region"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Opening one resident in the admin is a look at someone else's personal data: log it.
        resident = self.get_object(request, object_id)
        if resident is not None:
            record_view(request.user, resident, reason="Admin: resident details", request=request)
        return super().change_view(request, object_id, form_url, extra_context)
