from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import models
from .audit import resolve


@admin.register(models.City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "departement"]
    list_filter = ["departement"]
    search_fields = ["name", "insee_code"]


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["user", "organisation", "application"]


class FundingInline(admin.TabularInline):
    model = models.Funding
    extra = 0
    autocomplete_fields = ["funder"]


class BudgetLineInline(admin.TabularInline):
    model = models.BudgetLine
    extra = 0


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(models.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "start_date", "end_date", "venue", "capacity"]
    list_filter = ["start_date"]
    search_fields = ["title", "slug", "venue"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["partners"]
    date_hierarchy = "start_date"
    inlines = [MembershipInline, FundingInline, BudgetLineInline]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "programme", "role", "organisation", "application"]
    list_filter = ["role", "programme"]
    search_fields = ["user__username", "user__email", "programme__title"]
    autocomplete_fields = ["user", "programme", "organisation", "application"]


@admin.register(models.Funding)
class FundingAdmin(admin.ModelAdmin):
    list_display = [
        "funder",
        "programme",
        "kind",
        "amount_requested",
        "amount_awarded",
        "amount_received",
    ]
    list_filter = ["kind", "programme"]
    search_fields = ["funder__name", "agreement_reference"]


@admin.register(models.BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["label", "programme", "category", "planned_amount", "actual_amount", "funding"]
    list_filter = ["category", "programme"]
    search_fields = ["label"]


class SelectionCriterionInline(admin.TabularInline):
    model = models.SelectionCriterion
    extra = 0


@admin.register(models.Call)
class CallAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "programme",
        "opens_on",
        "closes_on",
        "places",
        "required_contribution",
        "published_at",
    ]
    list_filter = ["opens_on"]
    search_fields = ["title", "programme__title"]
    inlines = [SelectionCriterionInline]


class TriadNomineeInline(admin.TabularInline):
    model = models.TriadNominee
    extra = 0


class ApplicationEventInline(admin.TabularInline):
    model = models.ApplicationEvent
    extra = 0
    readonly_fields = ["actor", "from_status", "to_status", "note", "created_at"]
    can_delete = False


@admin.register(models.CityApplication)
class CityApplicationAdmin(admin.ModelAdmin):
    list_display = ["city", "call", "status", "contribution_pledged", "submitted_at", "decided_at"]
    list_filter = ["status", "call"]
    list_select_related = ["city", "call"]
    search_fields = ["city__name", "contact_name", "contact_email"]
    autocomplete_fields = ["city", "contact_user"]
    inlines = [TriadNomineeInline, ApplicationEventInline]


@admin.register(models.TriadNominee)
class TriadNomineeAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "role", "application", "commitment_given"]
    list_filter = ["role", "commitment_given"]
    search_fields = ["last_name", "first_name", "email", "application__city__name"]


@admin.register(models.ReviewAssignment)
class ReviewAssignmentAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "assigned_by", "assigned_at"]
    list_filter = ["application__call"]
    search_fields = ["application__city__name", "reviewer__username"]


class ReviewScoreInline(admin.TabularInline):
    model = models.ReviewScore
    extra = 0


@admin.register(models.Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "recommendation", "submitted_at"]
    list_filter = ["recommendation", "application__call"]
    search_fields = ["application__city__name", "reviewer__username", "comment"]
    inlines = [ReviewScoreInline]


@admin.register(models.ApplicationEvent)
class ApplicationEventAdmin(admin.ModelAdmin):
    list_display = ["application", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["application__city__name", "note"]


@admin.register(models.CityContribution)
class CityContributionAdmin(admin.ModelAdmin):
    list_display = [
        "application",
        "amount_pledged",
        "amount_invoiced",
        "amount_received",
        "received_on",
    ]
    search_fields = ["application__city__name", "agreement_reference"]


@admin.register(models.AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "programme", "action", "display"]
    list_filter = ["action", "target_type", "programme"]
    list_select_related = ["actor", "programme", "target_type", "related_type"]
    search_fields = ["action", "actor__username"]
    readonly_fields = [
        "created_at",
        "actor",
        "programme",
        "action",
        "target_type",
        "target_id",
        "related_type",
        "related_id",
        "data",
        "display",
    ]

    @admin.display(description=_("what happened"))
    def display(self, entry) -> str:
        return entry.display()

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # One query per kind of object named on the page, not one per line.
        changelist.result_list = resolve(changelist.result_list)
        return changelist

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "kind", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["programme"]
    raw_id_fields = ["programme", "recipient_user", "resent_from", "digest"]


@admin.register(models.NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "programme", "choice"]
    list_filter = ["choice"]
    raw_id_fields = ["user", "programme"]


@admin.register(models.TeamInvitation)
class TeamInvitationAdmin(admin.ModelAdmin):
    """Read-mostly: invitations are sent, resent and revoked from the team page, where each
    step is audited; only the SHA-256 of a link is stored."""

    list_display = ["email", "programme", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "programme"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "accepted_at", "accepted_by", "revoked_at", "invited_by"]
    autocomplete_fields = ["programme", "organisation"]


@admin.register(models.UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
