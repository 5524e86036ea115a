from django.contrib import admin

from . import models


@admin.register(models.ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "programme",
        "status",
        "progress",
        "attempts",
        "requested_by",
        "created_at",
        "finished_at",
        "file_size",
    ]
    list_filter = ["kind", "status", "programme"]
    search_fields = ["programme__title", "requested_by__username", "error"]
    readonly_fields = ["sha256", "file_size", "page_count", "started_at", "finished_at"]
