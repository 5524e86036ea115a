from django.urls import path

from . import views

app_name = "programmes"

P = "programmes/<slug:slug>"
A = f"{P}/applications/<int:pk>"
APPLY = "apply/<slug:slug>"

urlpatterns = [
    # Programme set-up (organisers)
    path("programmes/new/", views.programme_create, name="programme_create"),
    path(f"{P}/edit/", views.programme_edit, name="programme_edit"),
    path(f"{P}/finances/", views.finances, name="finances"),
    path(f"{P}/finances/fundings/new/", views.funding_edit, name="funding_create"),
    path(f"{P}/finances/fundings/<int:pk>/", views.funding_edit, name="funding_edit"),
    path(f"{P}/finances/budget-lines/new/", views.budget_line_edit, name="budget_line_create"),
    path(f"{P}/finances/budget-lines/<int:pk>/", views.budget_line_edit, name="budget_line_edit"),
    path(
        f"{P}/finances/<str:kind>/<int:pk>/delete/",
        views.finance_row_delete,
        name="finance_row_delete",
    ),
    path(
        f"{P}/finances/contributions/<int:pk>/",
        views.contribution_edit,
        name="contribution_edit",
    ),
    # The call (organisers)
    path(f"{P}/call/", views.call_edit, name="call_edit"),
    path(f"{P}/call/publish/", views.call_publish, name="call_publish"),
    path(f"{P}/call/invite/", views.call_invite, name="call_invite"),
    # Review and selection (organisers, reviewers)
    path(f"{P}/applications/", views.application_list, name="application_list"),
    path(f"{A}/", views.application_detail, name="application_detail"),
    path(f"{A}/reviewers/", views.application_assign, name="application_assign"),
    path(
        f"{A}/request-information/",
        views.application_request_information,
        name="application_request_information",
    ),
    path(f"{A}/review/", views.review_edit, name="review_edit"),
    path(f"{A}/decision/", views.application_decide, name="application_decide"),
    path(f"{A}/letter/", views.commitment_letter, name="commitment_letter"),
    path(f"{P}/selection/", views.selection_board, name="selection_board"),
    path(f"{P}/selection/close/", views.selection_close, name="selection_close"),
    # The public call and the city's application (city contacts)
    path(f"{APPLY}/", views.call_public, name="call_public"),
    path(f"{APPLY}/start/", views.apply_sign_up, name="apply_sign_up"),
    path(f"{APPLY}/invitation/<str:token>/", views.apply_sign_up, name="apply_invitation"),
    path(f"{APPLY}/applications/<int:pk>/", views.city_application, name="city_application"),
    path(
        f"{APPLY}/applications/<int:pk>/edit/",
        views.city_application_edit,
        name="city_application_edit",
    ),
    path(
        f"{APPLY}/applications/<int:pk>/withdraw/",
        views.city_application_withdraw,
        name="city_application_withdraw",
    ),
]
