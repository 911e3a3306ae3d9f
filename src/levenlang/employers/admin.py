from django.contrib import admin

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
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ["job_title", "employer", "start_date", "end_date"]
    raw_id_fields = ["resident", "employer"]
