from django.contrib import admin

from levenlang.core.admin import PersonalDataAdmin
from levenlang.employers.models import Employer, Employment, SectorFund


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "kvk_number", "sector", "size", "region"]
    list_filter = ["sector", "size", "region"]
    search_fields = ["name", "=kvk_number"]
    filter_horizontal = ["staff"]


@admin.register(SectorFund)
class SectorFundAdmin(admin.ModelAdmin):
    list_display = ["name", "sector"]
    filter_horizontal = ["staff"]


@admin.register(Employment)
class EmploymentAdmin(PersonalDataAdmin):
    """Someone's job is their personal data: looks and changes are audited like a resident's own page."""

    audit_name = "employments"
    list_display = ["job_title", "employer", "start_date", "end_date"]
    raw_id_fields = ["resident", "employer"]
    list_select_related = ["employer", "resident"]

    def resident_of(self, obj):
        return obj.resident
