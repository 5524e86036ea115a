import pytest

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
    assert (
        AuditEntry.objects.filter(action="participants.updated").first().message == "consent_photos"
    )
