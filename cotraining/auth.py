"""The login page as django-axes shows it to someone paused after too many failures."""

import math

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the reason and how long to wait (429), instead of axes's
    plain English text; the pause ends by itself (``AXES_COOLOFF_TIME``)."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "next": request.POST.get("next", request.GET.get("next", "")),
            "cooloff_minutes": minutes,
        },
        status=429,
    )
