from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # programmes.urls first: its "programmes/new/" must win over the overview's slug pattern.
    path("", include("programmes.urls")),
    path("programmes/<slug:slug>/", views.programme_overview, name="programme_overview"),
    path("", include("participants.urls")),
    path("", include("sessions.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
