from django.contrib import admin

from levenlang.catalog.models import ImportRun, Module, Offering, Provider, ProviderRecognition


class RecognitionInline(admin.TabularInline):
    model = ProviderRecognition
    extra = 0
    fields = ["kind", "reference", "valid_until", "status", "reviewed_by", "reviewed_at", "review_note"]
    readonly_fields = ["reviewed_by", "reviewed_at"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kvk_number", "kind", "status", "region"]
    list_filter = ["kind", "status", "region"]
    search_fields = ["name", "=kvk_number"]
    filter_horizontal = ["staff"]
    # Suspension goes through catalog.services.suspend_provider (the review page), so that open enrolments are
    # flagged; here it is read-only.
    readonly_fields = ["suspended_at", "suspension_reason"]
    inlines = [RecognitionInline]


class OfferingInline(admin.TabularInline):
    model = Offering
    extra = 0
    fields = ["code", "state", "start_date", "end_date", "capacity", "price_cents", "postcode", "region"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "provider", "category", "mode_of_delivery", "level", "price_cents", "status"]
    list_filter = ["status", "category", "mode_of_delivery", "level", "self_paced"]
    search_fields = ["title_nl", "title_en", "=code"]
    raw_id_fields = ["provider"]
    inlines = [OfferingInline]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["filename", "provider", "format", "status", "created_at"]
    list_filter = ["status", "format"]
    exclude = ["content"]
    readonly_fields = ["provider", "created_by", "filename", "format", "status", "report", "finished_at"]
