from django.urls import path

from . import checkin_views, views

app_name = "sessions"

P = "programmes/<slug:slug>"

urlpatterns = [
    path(f"{P}/timetable/", views.timetable, name="timetable"),
    path(f"{P}/timetable/days/new/", views.day_form, name="day_create"),
    path(f"{P}/timetable/days/<id:day_id>/", views.day_form, name="day_edit"),
    path(f"{P}/timetable/days/<id:day_id>/half-days/new/", views.slot_form, name="slot_create"),
    path(f"{P}/timetable/half-days/<id:slot_id>/", views.slot_form, name="slot_edit"),
    path(
        f"{P}/timetable/half-days/<id:slot_id>/activities/new/",
        views.activity_form,
        name="activity_create",
    ),
    path(f"{P}/timetable/activities/<id:activity_id>/", views.activity_form, name="activity_edit"),
    path(
        f"{P}/timetable/days/<id:pk>/delete/",
        views.timetable_delete,
        {"model": "trainingday"},
        name="trainingday_delete",
    ),
    path(
        f"{P}/timetable/half-days/<id:pk>/delete/",
        views.timetable_delete,
        {"model": "slot"},
        name="slot_delete",
    ),
    path(
        f"{P}/timetable/activities/<id:pk>/delete/",
        views.timetable_delete,
        {"model": "activity"},
        name="activity_delete",
    ),
    path(f"{P}/attendance/", views.attendance_list, name="attendance_list"),
    path(f"{P}/attendance/<id:slot_id>/", views.attendance_sheet, name="attendance_sheet"),
    path(
        f"{P}/attendance/<id:slot_id>/record/<id:participant_id>/",
        views.attendance_record,
        name="attendance_record",
    ),
    path(
        f"{P}/attendance/<id:slot_id>/mark-present/",
        views.attendance_mark_present,
        name="attendance_mark_present",
    ),
    path(
        f"{P}/attendance/<id:slot_id>/sign/<str:role>/<id:participant_id>/",
        views.attendance_sign,
        name="attendance_sign",
    ),
    path(f"{P}/attendance/<id:slot_id>/sync/", views.attendance_sync, name="attendance_sync"),
    path(f"{P}/attendance/<id:slot_id>/close/", views.slot_close, name="slot_close"),
    path(f"{P}/attendance/<id:slot_id>/reopen/", views.slot_reopen, name="slot_reopen"),
    path(f"{P}/participation/", views.participation, name="participation"),
    path(f"{P}/expenses/", views.expenses, name="expenses"),
    path(f"{P}/expenses/new/", views.expense_form, name="expense_create"),
    path(f"{P}/expenses/<id:pk>/", views.expense_form, name="expense_edit"),
    path(f"{P}/participants/replace/", views.triad_replace, name="triad_replace"),
    path(
        f"{P}/attendance/<id:slot_id>/check-in-code/",
        checkin_views.checkin_code,
        name="checkin_code",
    ),
    path(
        f"{P}/attendance/<id:slot_id>/correct/<id:participant_id>/",
        views.attendance_correct,
        name="attendance_correct",
    ),
    path(f"{P}/attendance/<id:slot_id>/paper/", views.paper_scan_upload, name="paper_scan"),
    path(
        f"{P}/attendance/<id:slot_id>/paper/<id:scan_id>/",
        views.paper_scan_download,
        name="paper_scan_download",
    ),
    # Public: a participant's phone, with a personal link or an account.
    path("check-in/me/<str:token>/", checkin_views.checkin_person, name="checkin_person"),
    path("check-in/<id:slot_id>/<str:code>/", checkin_views.checkin_sign, name="checkin"),
]
