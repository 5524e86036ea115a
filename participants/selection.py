"""A selected city's triad becomes participants of the programme.

``programmes`` announces decisions with signals (it must not import this app); the receivers
here create one participant per triad nominee, once: ``Participant.nominee`` is one-to-one, so a
city selected, moved to the waiting list and selected again keeps the same participants, who
are set inactive while the city is not selected and active again when it is.
"""

from django.dispatch import receiver

from programmes.models import CityApplication
from programmes.services import audit
from programmes.signals import application_deselected, application_selected

from .models import Participant


@receiver(application_selected, dispatch_uid="participants_from_selected_application")
def participants_from_selected_application(
    sender, *, application: CityApplication, actor=None, **kwargs
) -> list[Participant]:
    """Create the participants of a selected application's triad (the missing ones only) and
    reactivate those a previous deselection set inactive. Returns the participants created."""
    programme = application.call.programme
    new = [
        Participant(
            programme=programme,
            category=nominee.role,  # the nominee roles are the triad categories
            first_name=nominee.first_name,
            last_name=nominee.last_name,
            city=application.city,
            position=nominee.position,
            email=nominee.email,
            phone=nominee.phone,
            nominee=nominee,
            commitment_given=nominee.commitment_given,
        )
        for nominee in application.nominees.filter(participant__isnull=True).order_by("pk")
    ]
    Participant.objects.bulk_create(new)
    reactivated = Participant.objects.filter(
        nominee__application=application, is_active=False
    ).update(is_active=True)
    if new or reactivated:
        audit(
            programme=programme,
            actor=actor,
            action="participants.from_application",
            obj=application,
            related=application.city,
            data={"created": len(new), "reactivated": reactivated},
        )
    return new


@receiver(application_deselected, dispatch_uid="participants_of_deselected_application")
def participants_of_deselected_application(
    sender, *, application: CityApplication, actor=None, **kwargs
) -> int:
    """Set inactive the participants of a city that is no longer selected (their history,
    such as attendance, is kept). Returns how many were set inactive."""
    count = Participant.objects.filter(nominee__application=application, is_active=True).update(
        is_active=False
    )
    if count:
        audit(
            programme=application.call.programme,
            actor=actor,
            action="participants.deactivated",
            obj=application,
            related=application.city,
            data={"count": count},
        )
    return count
