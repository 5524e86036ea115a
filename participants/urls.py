from django.urls import path

from . import evaluation_views as evaluation
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
    path(f"{P}/evaluation/", evaluation.evaluation, name="evaluation"),
    path(
        f"{P}/evaluation/default/",
        evaluation.evaluation_create_default,
        name="evaluation_create_default",
    ),
    path(f"{P}/evaluation/new/", evaluation.questionnaire_create, name="questionnaire_create"),
    path(
        f"{P}/evaluation/<id:questionnaire_id>/",
        evaluation.questionnaire,
        name="questionnaire",
    ),
    path(
        f"{P}/evaluation/<id:questionnaire_id>/print/",
        evaluation.questionnaire_print,
        name="questionnaire_print",
    ),
    path(
        f"{P}/evaluation/questions/<id:question_id>/delete/",
        evaluation.question_delete,
        name="question_delete",
    ),
    path(f"{P}/evaluation/rounds/<id:round_id>/", evaluation.round_update, name="round_update"),
    path(
        f"{P}/evaluation/invitations/<id:invitation_id>/paper/",
        evaluation.paper_entry,
        name="paper_entry",
    ),
    # Public: the personal link of a participant (the signed token is the right to answer).
    path("evaluation/<str:token>/", evaluation.evaluation_answer, name="evaluation_answer"),
]
