from django.contrib import admin

from . import models


@admin.register(models.Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "category",
        "city",
        "programme",
        "peer_group",
        "consent_name_in_reports",
        "is_active",
    ]
    list_filter = ["category", "programme", "is_active", "consent_name_in_reports", "city"]
    search_fields = ["last_name", "first_name", "email", "city__name"]
    autocomplete_fields = ["city", "organisation", "user", "peer_group"]
    raw_id_fields = ["nominee"]


@admin.register(models.PeerGroup)
class PeerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "knowledge", "referent"]
    list_filter = ["knowledge", "programme"]
    search_fields = ["name"]
    raw_id_fields = ["referent"]
