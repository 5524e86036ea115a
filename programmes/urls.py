from django.urls import path

from .views import apply, followup, journal, outbox, review, selection, setup, team

app_name = "programmes"

P = "programmes/<slug:slug>"
A = f"{P}/applications/<id:pk>"
APPLY = "apply/<slug:slug>"

urlpatterns = [
    # Programme set-up (organisers)
    path("programmes/new/", setup.programme_create, name="programme_create"),
    path(f"{P}/edit/", setup.programme_edit, name="programme_edit"),
    path(f"{P}/close/", setup.programme_close, name="programme_close"),
    path(f"{P}/finances/", setup.finances, name="finances"),
    path(f"{P}/finances/fundings/new/", setup.funding_edit, name="funding_create"),
    path(f"{P}/finances/fundings/<id:pk>/", setup.funding_edit, name="funding_edit"),
    path(f"{P}/finances/budget-lines/new/", setup.budget_line_edit, name="budget_line_create"),
    path(f"{P}/finances/budget-lines/<id:pk>/", setup.budget_line_edit, name="budget_line_edit"),
    path(
        f"{P}/finances/<str:kind>/<id:pk>/delete/",
        setup.finance_row_delete,
        name="finance_row_delete",
    ),
    path(
        f"{P}/finances/contributions/<id:pk>/",
        setup.contribution_edit,
        name="contribution_edit",
    ),
    # The call (organisers)
    path(
        f"{P}/organisations/<id:pk>/images/",
        setup.organisation_images,
        name="organisation_images",
    ),
    path(
        f"{P}/organisations/<id:pk>/<str:which>/",
        setup.organisation_image,
        name="organisation_image",
    ),
    path(f"{P}/call/", setup.call_edit, name="call_edit"),
    path(f"{P}/call/publish/", setup.call_publish, name="call_publish"),
    path(f"{P}/call/invite/", setup.call_invite, name="call_invite"),
    # The team (organisers); accepting an invitation; one's own account
    path(f"{P}/team/", team.team, name="team"),
    path(f"{P}/team/invite/", team.team_invite, name="team_invite"),
    path(
        f"{P}/team/invitations/<id:pk>/resend/",
        team.team_invitation_resend,
        name="team_invitation_resend",
    ),
    path(
        f"{P}/team/invitations/<id:pk>/revoke/",
        team.team_invitation_revoke,
        name="team_invitation_revoke",
    ),
    path(f"{P}/team/members/<id:pk>/role/", team.team_member_role, name="team_member_role"),
    path(f"{P}/team/members/<id:pk>/remove/", team.team_member_remove, name="team_member_remove"),
    path("invitations/<str:token>/", team.team_invitation_accept, name="team_invitation_accept"),
    path("account/", team.account, name="account"),
    # Review and selection (organisers, reviewers)
    path(f"{P}/applications/", review.application_list, name="application_list"),
    path(f"{P}/applications/requests/", review.access_requests, name="access_requests"),
    path(f"{A}/", review.application_detail, name="application_detail"),
    path(f"{A}/reviewers/", review.application_assign, name="application_assign"),
    path(
        f"{A}/request-information/",
        review.application_request_information,
        name="application_request_information",
    ),
    path(f"{A}/review/", review.review_edit, name="review_edit"),
    path(f"{A}/decision/", selection.application_decide, name="application_decide"),
    path(f"{A}/promote/", selection.application_promote, name="application_promote"),
    path(f"{A}/letter/", review.commitment_letter, name="commitment_letter"),
    path(f"{A}/thread/", review.application_message, name="application_message"),
    path(
        f"{A}/thread/<id:message_id>/document/",
        review.application_message_attachment,
        name="application_message_attachment",
    ),
    path(f"{P}/selection/", selection.selection_board, name="selection_board"),
    path(f"{P}/selection/close/", selection.selection_close, name="selection_close"),
    # The programme's e-mails (organisers) and each member's notifications
    path(f"{P}/messages/", outbox.message_list, name="message_list"),
    path(f"{P}/messages/<id:pk>/resend/", outbox.message_resend, name="message_resend"),
    path(f"{P}/notifications/", outbox.notification_preferences, name="notification_preferences"),
    # After the training: the cities' follow-up (organisers, funders; each city's contact)
    path(f"{P}/follow-up/", followup.followup_board, name="followup_board"),
    path(f"{P}/follow-up/<id:pk>/remind/", followup.followup_remind, name="followup_remind"),
    path(
        f"{P}/follow-up/milestones/<id:pk>/document/",
        followup.milestone_document,
        name="milestone_document",
    ),
    path(
        f"{APPLY}/applications/<id:pk>/follow-up/",
        followup.city_followup,
        name="city_followup",
    ),
    path(
        f"{APPLY}/applications/<id:pk>/follow-up/commitments/new/",
        followup.action_item_edit,
        name="action_item_create",
    ),
    path(
        f"{APPLY}/applications/<id:pk>/follow-up/commitments/<id:item_id>/",
        followup.action_item_edit,
        name="action_item_edit",
    ),
    # The programme's journal: its audit trail (organisers)
    path(f"{P}/journal/", journal.journal, name="journal"),
    # The public call and the city's application (city contacts)
    path(f"{APPLY}/", apply.call_public, name="call_public"),
    path(f"{APPLY}/start/", apply.apply_sign_up, name="apply_sign_up"),
    path(f"{APPLY}/invitation/<str:token>/", apply.apply_sign_up, name="apply_invitation"),
    path(f"{APPLY}/confirm/<str:token>/", apply.apply_confirm, name="apply_confirm"),
    path(f"{APPLY}/applications/<id:pk>/", apply.city_application, name="city_application"),
    path(
        f"{APPLY}/applications/<id:pk>/edit/",
        apply.city_application_edit,
        name="city_application_edit",
    ),
    path(
        f"{APPLY}/applications/<id:pk>/thread/",
        apply.city_application_message,
        name="city_application_message",
    ),
    path(
        f"{APPLY}/applications/<id:pk>/withdraw/",
        apply.city_application_withdraw,
        name="city_application_withdraw",
    ),
]
