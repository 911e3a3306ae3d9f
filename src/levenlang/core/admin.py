from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from levenlang.core import audit
from levenlang.core.models import AuditEvent, Region, User


class PersonalDataAdmin(admin.ModelAdmin):
    """A Django admin page of residents' personal data: every list, detail page, addition, change and deletion is
    written to our audit log (who, whose, when, why), the looks as well as the changes. `resident_of(obj)` names
    the resident whose data an object is."""

    audit_name = ""  # what the page shows, for the audit entry's reason, for example "residents"

    def resident_of(self, obj):
        return obj

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:  # a list was rendered (not a redirect after an action)
            residents = [self.resident_of(obj) for obj in changelist.result_list]
            audit.record_views(request.user, residents, reason=f"Admin: list of {self.audit_name}", request=request)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_view_or_change_permission(request, obj):
            audit.record_view(
                request.user, self.resident_of(obj), reason=f"Admin: details of {self.audit_name}", request=request
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        what = f"changed {', '.join(form.changed_data)}" if change else "added"
        audit.record_change(
            request.user, self.resident_of(obj), reason=f"Admin: {self.audit_name} {what}", request=request
        )

    def delete_model(self, request, obj):
        audit.record_change(
            request.user, self.resident_of(obj), reason=f"Admin: {self.audit_name} deleted", request=request
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record_change(
                request.user, self.resident_of(obj), reason=f"Admin: {self.audit_name} deleted", request=request
            )
        super().delete_queryset(request, queryset)


@admin.register(User)
class UserAdmin(PersonalDataAdmin, DjangoUserAdmin):
    """User accounts are personal data too (names, e-mail): looks and changes are audited, as the resident when
    the account is one, else as the account itself."""

    audit_name = "user accounts"
    list_display = ["username", "first_name", "last_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["resident"]
    fieldsets = [*(DjangoUserAdmin.fieldsets or ()), ("Levenlang", {"fields": ["role", "region"]})]

    def resident_of(self, obj):
        return getattr(obj, "resident", None) or obj


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "centre"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the database refuses changes anyway, the admin does not offer them."""

    list_display = ["at", "actor", "actor_role", "action", "object_type", "object_id", "reason"]
    list_filter = ["action", "actor_role"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
