from django.urls import path

from . import views

app_name = "participants"

P = "programmes/<slug:slug>"

urlpatterns = [
    path(f"{P}/participants/", views.participant_list_view, name="participant_list"),
    path(f"{P}/participants/new/", views.participant_form, name="participant_create"),
    path(
        f"{P}/participants/<id:participant_id>/",
        views.participant_form,
        name="participant_edit",
    ),
    path(f"{P}/peer-groups/", views.peer_groups, name="peer_groups"),
    path(f"{P}/peer-groups/new/", views.peer_group_form, name="peer_group_create"),
    path(f"{P}/peer-groups/proposal/", views.peer_group_proposal, name="peer_group_proposal"),
    path(f"{P}/peer-groups/<id:group_id>/", views.peer_group_form, name="peer_group_edit"),
]
