from django.contrib import admin

from levenlang.catalog.models import Provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kvk_number", "kind", "status", "region"]
    list_filter = ["kind", "status", "region"]
    search_fields = ["name", "=kvk_number"]
    filter_horizontal = ["staff"]
