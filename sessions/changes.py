"""Changes after the selection: who is expected at which half-day when a city withdraws, a
waitlisted city is given its place, or a triad member is replaced.

``programmes`` announces selections and deselections with signals, and ``participants`` turns
them into active or inactive people (it knows nothing of half-days). Here, once the selection
is final, the moment of the change bounds the half-days those people are expected at
(``ExpectedSpan``): the figures then count a city that left for the half-days before it left,
with its attendance kept, and a city given a free place from the half-days after.
"""

import datetime as dt

from django.dispatch import receiver
from django.utils import timezone

from participants.models import Participant
from programmes.models import CityApplication
from programmes.signals import application_deselected, application_selected

from .models import ExpectedSpan


def _moment(now: dt.datetime | None = None) -> tuple[dt.date, dt.time]:
    local = timezone.localtime(now or timezone.now())
    return local.date(), local.time().replace(microsecond=0)


def span_until(participant: Participant, day: dt.date, time: dt.time) -> ExpectedSpan:
    """Bound the half-days ``participant`` is expected at to those starting before ``day``
    ``time`` (an earlier bound is kept)."""
    span, _created = ExpectedSpan.objects.get_or_create(participant=participant)
    if span.until_day is None or (day, time) < (span.until_day, span.until_time):
        span.until_day, span.until_time = day, time
        span.save(update_fields=["until_day", "until_time"])
    return span


def span_from(participant: Participant, day: dt.date, time: dt.time) -> ExpectedSpan:
    """``participant`` is expected from the half-day starting at ``day`` ``time``."""
    span, _created = ExpectedSpan.objects.get_or_create(participant=participant)
    span.from_day, span.from_time = day, time
    span.save(update_fields=["from_day", "from_time"])
    return span


def _after_selection(application: CityApplication) -> bool:
    return application.call.selection_closed_at is not None


@receiver(application_deselected, dispatch_uid="sessions_city_left")
def city_left(sender, *, application: CityApplication, **kwargs) -> int:
    """A selected city left after the selection closed (it withdrew): its people are expected
    at the half-days started before now only. Before the selection closes a decision is
    provisional and its people were never expected. Returns the people bounded."""
    if not _after_selection(application):
        return 0
    day, time = _moment()
    people = list(Participant.objects.filter(nominee__application=application))
    for person in people:
        span_until(person, day, time)
    return len(people)


@receiver(application_selected, dispatch_uid="sessions_city_joined")
def city_joined(sender, *, application: CityApplication, **kwargs) -> int:
    """A city given a free place after the selection closed: its people are expected from now
    on (connected after ``participants``' receiver, which creates them). Returns the people
    bounded."""
    if not _after_selection(application):
        return 0
    day, time = _moment()
    people = list(
        Participant.objects.filter(nominee__application=application, is_active=True).exclude(
            expected_span__until_day__isnull=False
        )
    )
    for person in people:
        span_from(person, day, time)
    return len(people)
