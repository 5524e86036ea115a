import pytest

from participants.models import Category, Participant, PeerGroup
from participants.selectors import (
    participant_list,
    participant_list_figures,
    peer_group_board,
)
from tests import factories

pytestmark = pytest.mark.django_db

Knowledge = PeerGroup.Knowledge


def person(programme, category, group=None, city=None, **kwargs):
    if city is None and category in (
        Category.ELECTED_OFFICIAL,
        Category.CITY_PROFESSIONAL,
        Category.PREFECTS_DELEGATE,
    ):
        city = factories.CityFactory()
    return factories.ParticipantFactory(
        programme=programme, category=category, peer_group=group, city=city, **kwargs
    )


def warnings_of(board, group):
    (card,) = [card for card in board.groups if card.group == group]
    return {warning.code: warning.message for warning in card.warnings}


def test_an_activist_alone_in_a_group_is_flagged(programme):
    referent = person(programme, Category.FACILITATOR)
    group = factories.PeerGroupFactory(
        programme=programme, knowledge=Knowledge.LIVED_EXPERIENCE, referent=referent
    )
    person(programme, Category.ACTIVIST, group)
    person(programme, Category.SUPPORT_PERSON, group)

    assert set(warnings_of(peer_group_board(programme=programme), group)) == {"activist_alone"}

    person(programme, Category.ACTIVIST, group)
    assert warnings_of(peer_group_board(programme=programme), group) == {}


def test_a_city_holding_most_of_a_group_is_flagged(programme):
    referent = person(programme, Category.FACILITATOR)
    group = factories.PeerGroupFactory(
        programme=programme, knowledge=Knowledge.PROFESSIONAL, referent=referent
    )
    bondy = factories.CityFactory(name="Bondy")
    for _ in range(2):
        person(programme, Category.CITY_PROFESSIONAL, group, city=bondy)
    person(programme, Category.CITY_PROFESSIONAL, group)

    warnings = warnings_of(peer_group_board(programme=programme), group)
    assert set(warnings) == {"city_majority"}
    assert "Bondy" in warnings["city_majority"]
    assert "2" in warnings["city_majority"]


def test_no_referent_other_knowledge_and_empty_groups_are_flagged(programme):
    group = factories.PeerGroupFactory(programme=programme, knowledge=Knowledge.INSTITUTIONAL)
    empty = factories.PeerGroupFactory(
        programme=programme, referent=person(programme, Category.FACILITATOR)
    )
    elected = person(programme, Category.ELECTED_OFFICIAL, group)
    delegate = person(programme, Category.PREFECTS_DELEGATE, group)
    professional = person(programme, Category.CITY_PROFESSIONAL, group)
    del elected, delegate

    board = peer_group_board(programme=programme)

    warnings = warnings_of(board, group)
    assert set(warnings) == {"no_referent", "other_knowledge"}
    assert professional.full_name in warnings["other_knowledge"]
    assert set(warnings_of(board, empty)) == {"empty"}
    assert board.warning_count == 3


def test_the_board_lists_people_without_a_group_and_proposes_a_kind(programme):
    activist = person(programme, Category.ACTIVIST)
    elected = person(programme, Category.ELECTED_OFFICIAL)
    person(programme, Category.FACILITATOR)  # leads groups, is not a member
    person(programme, Category.ACTIVIST, is_active=False)

    board = peer_group_board(programme=programme)

    assert {p.pk for p in board.unassigned} == {activist.pk, elected.pk}
    assert board.proposal == {
        activist.pk: Knowledge.LIVED_EXPERIENCE,
        elected.pk: Knowledge.INSTITUTIONAL,
    }
    assert board.proposed_changes() == 2


def test_participants_are_listed_by_category_then_city(programme):
    zebra = factories.CityFactory(name="Zèbreville")
    aulnay = factories.CityFactory(name="Aulnay")
    late = person(programme, Category.ELECTED_OFFICIAL, city=zebra)
    early = person(programme, Category.ELECTED_OFFICIAL, city=aulnay)
    activist = person(programme, Category.ACTIVIST)
    professional = person(programme, Category.CITY_PROFESSIONAL, city=zebra)

    assert [row["pk"] for row in participant_list(programme=programme)] == [
        early.pk,
        late.pk,
        professional.pk,
        activist.pk,
    ]
    # Someone who left is in the list and its counts, not in the triads by city.
    left = person(programme, Category.CITY_PROFESSIONAL, city=aulnay)
    Participant.objects.filter(pk=left.pk).update(is_active=False)
    figures = participant_list_figures(programme=programme)
    assert figures.counts == {
        Category.ELECTED_OFFICIAL: 2,
        Category.CITY_PROFESSIONAL: 2,
        Category.ACTIVIST: 1,
    }
    rows = figures.cities
    assert [(row.city, row.counts, row.total) for row in rows] == [
        ("Aulnay", (1, 0, 0), 1),
        ("Zèbreville", (1, 1, 0), 2),
    ]


# --- GDPR: what the export reads ----------------------------------------------------------


def test_the_export_of_an_erased_person_holds_nothing_personal(training, organiser):
    from cotraining.personal_data import person_erase, person_export
    from tests.factories import give_records

    person = give_records(training, training.trainees[0], organiser=organiser)
    # Values no other text of the export can hold by chance (a random position such as "Agent"
    # could be part of a device's description).
    type(person).objects.filter(pk=person.pk).update(
        first_name="Zéphyrine",
        last_name="Quastenbrück",
        email="zephyrine.q@example.org",
        phone="+33 6 98 76 54 32",
        position="Chargée de mission xylophone",
    )
    person.refresh_from_db()
    secrets = [person.first_name, person.last_name, person.email, person.phone, person.position]
    secrets += ["Arrivé en retard", "Prévenu par SMS", "elu.nominee@ville.example"]
    person_erase(participant=person, user=organiser)

    data = person_export(programme=training.programme, participant_id=person.pk, user=organiser)
    text = str(data)

    assert [secret for secret in secrets if secret in text] == []
    statuses = [record["status"]["code"] for record in data["attendance"]]
    assert statuses == ["late"] * len(training.slots)  # the statuses stay
    assert f"Personne effacée {person.pk}" in text


def test_the_export_reads_only_a_person_of_that_programme(training):
    from django.http import Http404

    from participants.selectors import participant_get_for_personal_data

    elsewhere = factories.ParticipantFactory()
    with pytest.raises(Http404):
        participant_get_for_personal_data(programme=training.programme, participant_id=elsewhere.pk)
