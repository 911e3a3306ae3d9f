from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from levenlang.core.models import AuditEvent, Region, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    fieldsets = [*(DjangoUserAdmin.fieldsets or ()), ("Levenlang", {"fields": ["role", "region"]})]


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
