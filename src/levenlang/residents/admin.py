from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from levenlang.core.admin import PersonalDataAdmin
from levenlang.core.identifiers import clean_bsn
from levenlang.residents.models import Resident


@admin.register(Resident)
class ResidentAdmin(PersonalDataAdmin):
    """The BSN is shown masked, on the list and on a resident's page, and is never a search term: a search term
    is part of the URL, and URLs end up in browser histories and server logs. Staff find a resident by BSN with
    the form above the list, which posts the number and goes to the resident's page by its id."""

    audit_name = "residents"
    list_display = ["given_name", "family_name", "bsn_masked", "birth_date", "region", "situation"]
    list_filter = ["situation", "nlqf_level", "region"]
    search_fields = ["family_name"]
    raw_id_fields = ["user"]
    list_select_related = ["region"]
    readonly_fields = ["bsn_masked"]

    @admin.display(description="BSN")
    def bsn_masked(self, obj) -> str:
        return obj.masked_bsn

    def get_fields(self, request, obj=None):
        # A new resident needs their BSN typed once; after that it is shown masked and cannot be changed here
        # (a wrong BSN is corrected at the source, the BRP).
        fields = [f for f in super().get_fields(request, obj) if f not in ("bsn", "bsn_masked")]
        return ["bsn_masked", *fields] if obj is not None else ["bsn", *fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_urls(self):
        find = path(
            "find-by-bsn/",
            self.admin_site.admin_view(require_POST(self.find_by_bsn)),
            name="residents_resident_find_by_bsn",
        )
        return [find, *super().get_urls()]

    def find_by_bsn(self, request):
        """The resident with the posted BSN: a redirect to their page (which audits the look), or back to the
        list with a message."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        back = redirect("admin:residents_resident_changelist")
        try:
            bsn = clean_bsn(request.POST.get("bsn", "").strip())
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return back
        resident = Resident.objects.filter(bsn=bsn).only("pk").first()
        if resident is None:
            self.message_user(request, _("No resident has this BSN."), messages.ERROR)
            return back
        return redirect(reverse("admin:residents_resident_change", args=[resident.pk]))
