import pytest

from cotraining.personal_data import person_erase, person_export
from participants import services
from participants.models import Category, Participant, PeerGroup
from programmes.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

Knowledge = PeerGroup.Knowledge


def test_the_proposal_places_everyone_by_kind_of_knowledge(programme, member):
    user = member(programme, "organiser")
    professionals = factories.PeerGroupFactory(
        programme=programme, knowledge=Knowledge.PROFESSIONAL, name="Pros"
    )
    activist = factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    support = factories.ParticipantFactory(programme=programme, category=Category.SUPPORT_PERSON)
    elected = factories.ParticipantFactory(
        programme=programme, category=Category.ELECTED_OFFICIAL, peer_group=professionals
    )
    professional = factories.ParticipantFactory(
        programme=programme, category=Category.CITY_PROFESSIONAL, peer_group=professionals
    )
    facilitator = factories.ParticipantFactory(programme=programme, category=Category.FACILITATOR)

    moved = services.peer_group_apply_proposal(programme=programme, user=user)

    assert moved == 3
    groups = {p.pk: p.peer_group for p in Participant.objects.select_related("peer_group")}
    assert groups[activist.pk].knowledge == Knowledge.LIVED_EXPERIENCE
    assert groups[support.pk] == groups[activist.pk]
    assert groups[elected.pk].knowledge == Knowledge.INSTITUTIONAL
    assert groups[professional.pk] == professionals  # already in the right kind of group
    assert groups[facilitator.pk] is None
    assert PeerGroup.objects.filter(programme=programme).count() == 3
    assert AuditEntry.objects.filter(action="peer_groups.composed").count() == 1
    # Applying it again changes nothing.
    assert services.peer_group_apply_proposal(programme=programme, user=user) == 0


def test_newcomers_go_to_the_smallest_group_of_their_kind(programme, member):
    user = member(programme, "organiser")
    big = factories.PeerGroupFactory(programme=programme, knowledge=Knowledge.PROFESSIONAL)
    small = factories.PeerGroupFactory(programme=programme, knowledge=Knowledge.PROFESSIONAL)
    factories.ParticipantFactory.create_batch(
        3, programme=programme, category=Category.CITY_PROFESSIONAL, peer_group=big
    )
    newcomers = factories.ParticipantFactory.create_batch(
        2, programme=programme, category=Category.CITY_PROFESSIONAL
    )

    services.peer_group_apply_proposal(programme=programme, user=user)

    assert {
        p.peer_group_id for p in Participant.objects.filter(pk__in=[n.pk for n in newcomers])
    } == {small.pk}


def test_assigning_a_group_of_another_programme_is_refused(programme, member):
    user = member(programme, "organiser")
    mine = factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    foreign = factories.PeerGroupFactory()
    with pytest.raises(ValueError, match="another programme"):
        services.peer_group_assign(programme=programme, assignments={mine.pk: foreign}, user=user)
    mine.refresh_from_db()
    assert mine.peer_group is None


def test_consents_are_dated_when_they_change(programme, member):
    user = member(programme, "organiser")
    person = Participant(programme=programme, category=Category.ACTIVIST, first_name="Mireille")
    services.participant_save(participant=person, user=user, changed=["first_name"])
    first_date = person.consent_recorded_at
    assert first_date is not None

    person.position = "Militante"
    services.participant_save(participant=person, user=user, changed=["position"])
    assert person.consent_recorded_at == first_date

    person.consent_photos = True
    services.participant_save(participant=person, user=user, changed=["consent_photos"])
    assert person.consent_recorded_at > first_date
    entry = AuditEntry.objects.filter(action="participants.updated").first()
    assert entry.data == {"fields": ["consent_photos"]}
    assert entry.display() == "Participant modifié : Mireille (consent_photos)."


# --- GDPR: erasure ------------------------------------------------------------------------


def _figures(programme):
    from sessions.selectors import programme_participation

    figures = programme_participation(programme=programme)
    return (
        figures.summary,
        figures.by_category,
        figures.by_city,
        figures.by_day,
        figures.by_slot,
        figures.hours_delivered,
        sorted(
            (row.participant_id, row.category, row.city, row.halfdays_attended, row.hours_attended)
            for row in figures.participants
        ),
        figures.triads,
        sorted((row.participant_id, row.kept, row.missed) for row in figures.commitments),
    )


def test_erasing_blanks_the_personal_data_and_keeps_the_figures(training, organiser):
    from django.core.exceptions import ValidationError

    from programmes.models import TriadNominee
    from sessions.models import Attendance, AttendanceChange
    from tests.factories import give_records

    person = give_records(training, training.trainees[0], organiser=organiser)
    old = {"name": person.full_name, "email": person.email, "phone": person.phone}
    account, city, category = person.user, person.city, person.category
    before = _figures(training.programme)

    person_erase(participant=person, user=organiser)

    person.refresh_from_db()
    assert person.full_name == f"Personne effacée {person.pk}"
    assert (person.email, person.phone, person.position, person.user) == ("", "", "", None)
    assert (person.consent_name_in_reports, person.consent_photos) == (False, False)
    assert person.erased_at is not None
    assert (person.city, person.category, person.commitment_given) == (city, category, True)
    assert Attendance.objects.filter(participant=person).exclude(note="").count() == 0
    assert list(Attendance.objects.filter(participant=person).values_list("status", flat=True)) == [
        "late"
    ] * len(training.slots)
    assert not AttendanceChange.objects.filter(attendance__participant=person).exclude(note="")
    nominee = TriadNominee.objects.get(pk=person.nominee_id)
    assert (nominee.first_name, nominee.last_name, nominee.email, nominee.phone) == (
        person.first_name,
        "",
        "",
        "",
    )
    assert nominee.position == ""
    assert nominee.commitment_given is True
    account.refresh_from_db()  # the account itself stays: it may serve other programmes
    assert _figures(training.programme) == before
    trail = " ".join(
        str(entry.data) + entry.display()
        for entry in AuditEntry.objects.select_related("target_type", "related_type")
    )
    for value in old.values():
        assert value not in trail
    erased = AuditEntry.objects.get(action="participants.erased")
    assert (erased.actor, erased.target_id) == (organiser, person.pk)
    assert erased.display() == (
        "Données personnelles effacées : la personne s’appelle désormais "
        f"Personne effacée {person.pk}."
    )

    with pytest.raises(ValidationError) as refused:
        person_erase(participant=person, user=organiser)
    assert refused.value.code == "already_erased"
    assert AuditEntry.objects.filter(action="participants.erased").count() == 1


def test_erasing_touches_nobody_else(training, organiser):
    from sessions.models import Attendance
    from tests.factories import give_records

    person, other = training.trainees[0], training.trainees[1]
    give_records(training, person, organiser=organiser)
    factories.AttendanceFactory(participant=other, slot=training.slot, note="Garde la note")
    other_name = other.full_name

    person_erase(participant=person, user=organiser)

    other.refresh_from_db()
    assert other.full_name == other_name
    assert Attendance.objects.get(participant=other).note == "Garde la note"


def test_an_erased_person_cannot_be_edited(training, organiser):
    from django.core.exceptions import ValidationError

    person = training.trainees[0]
    person_erase(participant=person, user=organiser)
    person.refresh_from_db()
    person.first_name = "Retour"
    with pytest.raises(ValidationError):
        services.participant_save(participant=person, user=organiser, changed=["first_name"])
    assert Participant.objects.get(pk=person.pk).first_name.startswith("Personne effacée")


def test_an_export_is_recorded_in_the_audit_trail_without_the_persons_name(training, organiser):
    person = training.trainees[0]
    data = person_export(programme=training.programme, participant_id=person.pk, user=organiser)

    assert data["participant"]["first_name"] == person.first_name
    entry = AuditEntry.objects.get(action="participants.exported")
    assert (entry.actor, entry.target_id, entry.data) == (organiser, person.pk, {})
    assert entry.display() == f"Données personnelles de {person.full_name} exportées."
