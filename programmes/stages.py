"""A programme's stage, derived from its dates and events: never set by hand.

The one definition is :func:`programme_stage`. The training days live in a higher app
(``sessions``): the caller passes what it knows of them (:class:`TrainingDates`), so this layer
never reaches up. The wiring layer (``cotraining.selectors``) gathers them for a page.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    PREPARING = "preparing", pgettext_lazy("programme stage", "Preparing")
    CALL_OPEN = "call_open", pgettext_lazy("programme stage", "Call open")
    SELECTION = "selection", pgettext_lazy("programme stage", "Selection")
    READY = "ready", pgettext_lazy("programme stage", "Ready to train")
    TRAINING = "training", pgettext_lazy("programme stage", "Training under way")
    FOLLOW_UP = "follow_up", pgettext_lazy("programme stage", "Follow-up")
    CLOSED = "closed", pgettext_lazy("programme stage", "Closed")


@dataclass(frozen=True)
class TrainingDates:
    """What the timetable says: its first and last day, and whether a half-day was held."""

    first_day: dt.date | None = None
    last_day: dt.date | None = None
    any_held: bool = False


@dataclass(frozen=True)
class ProgrammeStage:
    stage: Stage
    next_step: str

    @property
    def label(self) -> str:
        return str(self.stage.label)

    def __str__(self) -> str:
        return self.label


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


def programme_stage(*, programme, call, training: TrainingDates, today: dt.date) -> ProgrammeStage:
    """The stage of ``programme`` on ``today`` and what comes next, from its dates and events:
    closed once an organiser closed it; follow-up after its last day (of the timetable, else its
    end date); training once its first day came or a half-day was held; ready once the
    selection is closed; selection after the call's closing date; call open between the call's
    dates once published; preparing before. ``call`` may be None. No query."""
    first = training.first_day or programme.start_date
    last = training.last_day or programme.end_date
    if programme.closed_at is not None:
        return ProgrammeStage(Stage.CLOSED, _("Nothing more: the programme is closed."))
    if last is not None and last < today:
        return ProgrammeStage(
            Stage.FOLLOW_UP,
            _(
                "Follow the citizens' councils in each city, send the reports to the funders, "
                "then close the programme."
            ),
        )
    if training.any_held or (first is not None and first <= today):
        if last is not None:
            return ProgrammeStage(
                Stage.TRAINING, _("The training ends on %(day)s.") % {"day": _day(last)}
            )
        return ProgrammeStage(Stage.TRAINING, _("Record attendance at each half-day."))
    if call is not None and call.selection_closed_at is not None:
        if first is not None:
            return ProgrammeStage(
                Stage.READY, _("The training starts on %(day)s.") % {"day": _day(first)}
            )
        return ProgrammeStage(Stage.READY, _("Set the dates of the training days."))
    if call is not None and call.published_at is not None:
        if today > call.closes_on:
            return ProgrammeStage(
                Stage.SELECTION,
                _("Decide on every application, then close the selection."),
            )
        if call.opens_on <= today:
            return ProgrammeStage(
                Stage.CALL_OPEN,
                _("The call closes on %(day)s.") % {"day": _day(call.closes_on)},
            )
        return ProgrammeStage(
            Stage.PREPARING, _("The call opens on %(day)s.") % {"day": _day(call.opens_on)}
        )
    if call is not None:
        return ProgrammeStage(Stage.PREPARING, _("Publish the call for applications."))
    return ProgrammeStage(Stage.PREPARING, _("Write the call for applications."))
