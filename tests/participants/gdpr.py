"""A person with something of everything the app holds about them, for the GDPR tests."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from programmes.models import AuditEntry, Call, CityApplication
from tests import factories


def give_records(training, person, *, organiser, notes=True):
    """Contact details, a user account, the triad nominee they came from, an attendance record
    with a note and a history on every half-day, and audit entries naming them."""
    call = Call.objects.filter(programme=training.programme).first()
    call = call or factories.CallFactory(programme=training.programme)
    application = CityApplication.objects.filter(call=call, city=person.city).first()
    nominee = factories.TriadNomineeFactory(
        application=application or factories.CityApplicationFactory(call=call, city=person.city),
        first_name=person.first_name,
        last_name=person.last_name,
        email="elu.nominee@ville.example",
        phone="01 02 03 04 05",
    )
    person.email = "elu@ville.example"
    person.phone = "06 11 22 33 44"
    person.position = "Adjoint au maire"
    person.user = factories.UserFactory()
    person.nominee = nominee
    person.commitment_given = True
    person.consent_name_in_reports = True
    person.consent_photos = True
    person.consent_recorded_at = timezone.now()
    person.save()
    for slot in training.slots:
        record = factories.AttendanceFactory(
            participant=person,
            slot=slot,
            status="late",
            note="Arrivé en retard, enfant malade" if notes else "",
            recorded_by=organiser,
        )
        factories.AttendanceChangeFactory(
            attendance=record, old_status="absent", new_status="late", note="Prévenu par SMS"
        )
    # A line written before the audit trail was structured: free text naming the person.
    AuditEntry.objects.create(
        programme=training.programme,
        actor=organiser,
        action="participants.imported",
        target_type=ContentType.objects.get_for_model(person),
        target_id=person.pk,
        data={"text": f"{person.full_name} <{person.email}> {person.phone}"},
    )
    return person
