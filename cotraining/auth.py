"""Signing in: the backend that loads the signed-in user, and the login page as django-axes
shows it to someone paused after too many failures."""

import functools
import math

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.shortcuts import render

from programmes import prepared


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


class UserBackend(ModelBackend):
    """Django's ``ModelBackend`` (passwords, permissions, the inactive refused), with the
    signed-in user of every request read by a statement put together once per process
    (``programmes.prepared``): the same row, all of the model's columns, by primary key.
    Checking the session against the password hash stays Django's
    (``django.contrib.auth.get_user``).
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        using = router.db_for_read(user_model)
        sql, user_columns = _user_statement(user_model, using)
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        user = None if row is None else user_columns.instance(using, row)
        return user if user is not None and self.user_can_authenticate(user) else None


@functools.cache
def _user_statement(user_model, using: str):
    user_columns = prepared.columns(user_model, "u", using)
    return (
        f"SELECT {user_columns.select} FROM {prepared.table(user_model, 'u', using)} "  # noqa: S608
        f"WHERE {prepared.column(user_model, user_model._meta.pk.name, 'u', using)} = %s",
        user_columns,
    )
