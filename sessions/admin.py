from django.contrib import admin

from . import models


class SlotInline(admin.TabularInline):
    model = models.Slot
    extra = 0
    fields = ["part", "starts_at", "ends_at", "closed_at"]


@admin.register(models.TrainingDay)
class TrainingDayAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "programme", "place"]
    list_filter = ["programme"]
    search_fields = ["title", "place"]
    date_hierarchy = "date"
    inlines = [SlotInline]


class ActivityInline(admin.TabularInline):
    model = models.Activity
    extra = 0
    raw_id_fields = ["peer_group"]
    filter_horizontal = ["facilitators"]


@admin.register(models.Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "day", "part", "starts_at", "ends_at", "closed_at", "closed_by"]
    list_filter = ["part", "day__programme"]
    search_fields = ["day__title"]
    list_select_related = ["day", "closed_by"]
    inlines = [ActivityInline]


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "slot", "peer_group"]
    list_filter = ["kind", "slot__day__programme"]
    list_select_related = ["slot__day", "peer_group"]
    search_fields = ["title", "description"]
    filter_horizontal = ["facilitators"]


@admin.register(models.Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["participant", "slot", "status", "recorded_by", "recorded_at"]
    list_filter = ["status", "slot__day__programme", "slot"]
    search_fields = ["participant__last_name", "participant__first_name", "note"]
    raw_id_fields = ["participant", "slot"]
    list_select_related = ["participant", "slot__day", "recorded_by"]


@admin.register(models.AttendanceChange)
class AttendanceChangeAdmin(admin.ModelAdmin):
    list_display = ["attendance", "old_status", "new_status", "changed_by", "changed_at"]
    list_filter = ["new_status", "attendance__slot__day__programme"]
    list_select_related = ["attendance__participant", "attendance__slot__day", "changed_by"]
    raw_id_fields = ["attendance"]

    # The history is evidence: it is read, never edited, through the admin.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
