from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from registry.models import Area, Household, Member, User


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ["name", "id_number", "relation", "counted", "not_counted_reason"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["id", "__str__", "village", "category", "exit_year"]
    list_filter = ["category"]
    search_fields = ["members__name", "members__id_number", "village__name"]
    raw_id_fields = ["village"]
    inlines = [MemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members")


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "area", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    raw_id_fields = ["area"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ["role", "area", "department"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ["role", "area", "department"]}),
    ]
