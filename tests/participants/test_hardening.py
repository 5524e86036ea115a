"""What the probes of issue 9 found on the people pages, kept fixed: a composition post without
its fields empties no group (item 6), ids out of range are form errors (item 7), id 0 is no
person and names hold no control characters (items 1, 12)."""

import pytest
from django.urls import reverse

from participants.models import Category, Participant
from tests.factories import add_trainees

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


def groups_of(programme) -> dict[int, int | None]:
    return dict(Participant.objects.filter(programme=programme).values_list("pk", "peer_group"))


def test_a_post_with_no_group_fields_empties_no_group(client, training, organiser):
    """The probe: 39 people in groups, a POST without the group fields, answered "saved" with
    nobody left in a group. Now it is refused and nobody moves."""
    add_trainees(training.programme, cities=10, activists=3, groups=training.groups)
    before = groups_of(training.programme)
    assert sum(group is not None for group in before.values()) >= 39
    client.force_login(organiser)
    page = reverse("participants:peer_groups", args=[training.programme.slug])

    for data in ({}, {"csrfmiddlewaretoken": "the form's token and nothing else"}):
        response = client.post(page, data)
        assert response.status_code == 400
        assert "incomplet" in response.text
        assert groups_of(training.programme) == before


def test_a_post_that_lacks_one_persons_field_moves_nobody(client, training, organiser):
    client.force_login(organiser)
    people = list(Participant.objects.filter(programme=training.programme))
    data = {f"group_{person.pk}": "" for person in people}  # "everyone out of their group"
    missing = next(person for person in people if person.peer_group_id)
    del data[f"group_{missing.pk}"]
    before = groups_of(training.programme)

    response = client.post(
        reverse("participants:peer_groups", args=[training.programme.slug]), data
    )
    assert response.status_code == 400
    assert groups_of(training.programme) == before
    # Shown again with what is on record for the missing line, not "No group".
    field = response.context["form"][f"group_{missing.pk}"]
    assert field.value() == str(missing.peer_group_id)


@pytest.mark.parametrize("field", ["city", "peer_group", "organisation"])
def test_a_huge_id_in_a_participant_choice_is_a_form_error(client, programme, organiser, field):
    client.force_login(organiser)
    response = client.post(
        reverse("participants:participant_create", args=[programme.slug]),
        {"category": Category.ACTIVIST, "first_name": "Josiane", field: HUGE},
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Participant.objects.exists()


def test_a_huge_referent_id_is_a_form_error(client, programme, organiser):
    client.force_login(organiser)
    response = client.post(
        reverse("participants:peer_group_create", args=[programme.slug]),
        {"name": "Élus", "knowledge": "institutional", "referent": HUGE},
    )
    assert response.status_code == 400
    assert "referent" in response.context["form"].errors


def test_id_0_is_no_person_and_no_group(client, training, organiser):
    client.force_login(organiser)
    slug = training.programme.slug
    count = Participant.objects.count()
    for path in (
        f"/programmes/{slug}/participants/0/",
        f"/programmes/{slug}/participants/0/export/",
        f"/programmes/{slug}/participants/0/erase/",
        f"/programmes/{slug}/peer-groups/0/",
    ):
        assert client.get(path).status_code == 404, path
        posted = client.post(path, {"category": Category.ACTIVIST, "first_name": "Zéro"})
        assert posted.status_code == 404, path
    assert Participant.objects.count() == count


def test_a_name_with_line_breaks_and_direction_controls_is_saved_on_one_line(
    client, programme, organiser
):
    client.force_login(organiser)
    response = client.post(
        reverse("participants:participant_create", args=[programme.slug]),
        {
            "category": Category.ACTIVIST,
            "first_name": "Jo\u202esiane\r\nBcc: x",
            "last_name": "\u2066Dupont\u2069",
            "position": "\u200fMilitante\u200e",
        },
    )
    assert response.status_code == 302
    person = Participant.objects.get(programme=programme)
    assert (person.first_name, person.last_name, person.position) == (
        "Josiane Bcc: x",
        "Dupont",
        "Militante",
    )
