from django.urls import path

from . import views

app_name = "reports"

P = "programmes/<slug:slug>"

urlpatterns = [
    # Public: anyone holding a sealed attendance sheet checks it here.
    path("verify/", views.verify, name="verify"),
    # Public once the organisers open it: aggregated results, nothing personal.
    path("results/<slug:slug>/", views.public_results, name="public_results"),
    path(f"{P}/results/public/", views.public_results_toggle, name="public_results_toggle"),
    path(
        f"{P}/evaluation/<id:questionnaire_id>/results/",
        views.evaluation_results,
        name="evaluation_results",
    ),
    path(
        f"{P}/attendance/<id:slot_id>/sealed.pdf",
        views.sealed_sheet_pdf,
        name="sealed_sheet_pdf",
    ),
    path(f"{P}/reports/", views.report_list, name="report_list"),
    path(
        f"{P}/participants/<id:participant_id>/certificate.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        f"{P}/participants/<id:participant_id>/certificate/send/",
        views.certificate_send,
        name="certificate_send",
    ),
    path(f"{P}/reports/<id:pk>/status/", views.report_run_status, name="report_run_status"),
    path(f"{P}/reports/<id:pk>/download/", views.report_run_download, name="report_run_download"),
    path(f"{P}/reports/<id:pk>/people/", views.report_run_people, name="report_run_people"),
    path(
        f"{P}/reports/<id:pk>/people/<id:participant_id>/download/",
        views.report_run_person_download,
        name="report_run_person_download",
    ),
    path(
        f"{P}/exports/<str:dataset>.<str:file_format>",
        views.export_download,
        name="export",
    ),
    # The blank attendance sheet keeps the address it had under the attendance pages.
    path(
        f"{P}/attendance/<id:slot_id>/sheet.pdf",
        views.attendance_sheet_pdf,
        name="attendance_sheet_pdf",
    ),
]
