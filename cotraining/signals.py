"""Receivers that join authentication to the rest of the app: the session's renewal stamp at
login, and the audit entry of a login lockout (django-axes)."""

import time

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from programmes.services.common import audit

from .middleware import SESSION_RENEWED_KEY


@receiver(user_logged_in, dispatch_uid="cotraining.session_renewed_at_login")
def stamp_session_at_login(sender, request, user, **kwargs):
    """A fresh login counts as a renewal: the next pages need not save the session again."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_RENEWED_KEY] = int(time.time())


@receiver(user_locked_out, dispatch_uid="cotraining.audit_login_lockout")
def audit_login_lockout(sender, request, username, ip_address, **kwargs):
    """One audit entry when a username is paused for an address, not one per refused try.

    django-axes sends the signal for the failure that reaches the limit and again for each try
    refused during the pause; only the first has counted its failures on the request.
    """
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    user = get_user_model().objects.filter(username=username).first()
    obj = user or (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .first()
    )
    if obj is None:
        return
    audit(
        actor=None,
        programme=None,
        action="login.locked_out",
        obj=obj,
        data={"ip": ip_address},
    )
