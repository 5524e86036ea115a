"""The personal data held about one person, across the apps: export (right of access) and erasure
(right to erasure), by registry rather than by reach.

Each app that stores something about a person says so in its own ``personal_data.py``, with any
of these module attributes (all optional):

- ``export(person) -> dict``: its sections of the JSON export (plain JSON-ready values; the keys
  become top-level keys of the export and must not collide with another app's);
- ``erase(person) -> None``: blank or delete what it holds, keeping what the figures need;
- ``MODELS``: the models it answers for (a test fails if a model holding a person's name or
  contact is answered for by no app).

``person`` is a ``Person`` below. The registry finds the modules by importing
``<app>.personal_data`` for every installed app (adding an app that stores personal data
means adding that one file), runs the exports, and runs every eraser in ONE transaction, in the
order of ``INSTALLED_APPS``. It lives here, at the top, because it joins every app; the apps never
import it.
"""

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Participant
from participants.selectors import participant_get_for_personal_data
from programmes.errors import Conflict
from programmes.services import audit


@dataclass(frozen=True)
class Person:
    """One person in one programme, as every app's export and eraser receives it.

    ``participant`` is the row with its programme, city, organisation, peer group and user account
    loaded; ``label`` is the neutral name they go by once erased; ``identifiers`` are their names,
    e-mail and phone as known before the erasure (including those given for them as a triad
    nominee), for the few free texts written before the data were structured."""

    participant: Participant
    label: str
    identifiers: frozenset[str] = field(default_factory=frozenset)
    erased_at: object = None  # the moment of the erasure, for erasers

    @property
    def programme_id(self) -> int:
        return self.participant.programme_id

    @property
    def nominee_id(self) -> int | None:
        return self.participant.nominee_id

    @property
    def nominee(self):
        """The triad nominee of a city's application this person came from, if any (loaded)."""
        return self.participant.nominee if self.participant.nominee_id else None


@cache
def providers() -> tuple[ModuleType, ...]:
    """The ``personal_data`` modules of the installed apps, in the order of ``INSTALLED_APPS``
    (this module, the registry itself, aside)."""
    names = [f"{config.name}.personal_data" for config in apps.get_app_configs()]
    return tuple(
        import_module(name) for name in names if name != __name__ and find_spec(name) is not None
    )


def erased_label(participant: Participant) -> str:
    """The neutral name an erased person goes by: it says nothing about them."""
    return _("Erased person %(number)d") % {"number": participant.pk}


def _identifiers(participant: Participant) -> frozenset[str]:
    values = {participant.full_name, participant.first_name, participant.email, participant.phone}
    nominee = participant.nominee
    if nominee is not None:
        values |= {
            f"{nominee.first_name} {nominee.last_name}",
            nominee.email,
            nominee.phone,
        }
    # A lone first name shorter than 3 letters would blank unrelated words of old texts.
    return frozenset(value for value in values if len(value.strip()) >= 3)


class ImproperlyConfiguredExport(RuntimeError):
    """Two apps wrote the same section of the export."""


def person_export(*, programme, participant_id: int, user) -> dict:
    """Everything the apps hold about one person of ``programme``, for a download (Http404 for a
    person of another programme). Side effect: an audit entry saying who exported whose data
    (by id only)."""
    participant = participant_get_for_personal_data(
        programme=programme, participant_id=participant_id
    )
    person = Person(participant=participant, label=erased_label(participant))
    data = {
        "exported_at": timezone.now().isoformat(),
        "programme": {"slug": participant.programme.slug, "title": participant.programme.title},
    }
    for provider in providers():
        export = getattr(provider, "export", None)
        if export is None:
            continue
        sections = export(person)
        clash = set(sections) & set(data)
        if clash:
            raise ImproperlyConfiguredExport(f"{provider.__name__} repeats {sorted(clash)}")
        data.update(sections)
    # One insert: atomic by itself, so no savepoint is needed around it.
    audit(programme=programme, actor=user, action="participants.exported", obj=participant)
    return data


@transaction.atomic
def person_erase(*, participant: Participant, user) -> Participant:
    """Erase one person's personal data in every app (right to erasure), in one transaction, and
    keep what the figures need (see each app's ``personal_data.erase``). The person is marked
    erased and cannot be erased again nor edited. Side effect: an audit entry without personal
    data. Raises ``Conflict`` (code ``already_erased``) the second time."""
    locked = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("programme", "nominee__application")
        .get(pk=participant.pk)
    )
    if locked.erased_at is not None:
        raise Conflict(_("This person's data were already erased."), code="already_erased")
    person = Person(
        participant=locked,
        label=erased_label(locked),
        identifiers=_identifiers(locked),
        erased_at=timezone.now(),
    )
    for provider in providers():
        erase = getattr(provider, "erase", None)
        if erase is not None:
            erase(person)
    audit(programme=locked.programme, actor=user, action="participants.erased", obj=locked)
    return locked


def answered_for() -> set[type]:
    """Every model some app's ``personal_data`` answers for."""
    return {model for provider in providers() for model in getattr(provider, "MODELS", ())}
