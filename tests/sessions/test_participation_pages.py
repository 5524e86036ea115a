"""The participation page shows its tables of people 50 a page, while every figure over the
whole programme (summary, commitments given and kept) stays counted over everyone."""

import html
import re

import pytest
from django.urls import reverse

from participants.models import Category, Participant
from programmes.models import Membership
from sessions import services
from sessions.selectors import programme_participation
from tests import factories
from tests.factories import add_trainees

pytestmark = pytest.mark.django_db
Role = Membership.Role
NEWCOMER = {"first_name": "Nadia", "last_name": "Nouvelle", "position": "", "email": ""}
NEWCOMER["phone"] = ""


def table(page: str, table_id: str) -> list[str]:
    """The row headers of a table of the page (the people's names), in order."""
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [
        html.unescape(name)
        for name in re.findall(r'<th scope="row" class="fw-normal">([^<]*)</th>', body)
    ]


@pytest.mark.parametrize("for_funders", [False, True])
def test_the_tables_hold_the_lines_of_the_figures_in_their_order(
    client, training, organiser, member, for_funders
):
    """With a replacement (a span for the one who left and for the newcomer), the tables show
    the lines of the figures in the reader's order, and the commitments kept and given are
    those of the whole figures."""
    programme = training.programme
    first, second, third = training.slots
    Participant.objects.filter(pk__in=[p.pk for p in training.trainees]).update(
        commitment_given=True
    )
    for person in training.trainees:
        factories.AttendanceFactory(slot=first, participant=person)
    absent, excused, *present = training.trainees
    factories.AttendanceFactory(slot=second, participant=absent, status="absent")
    factories.AttendanceFactory(slot=second, participant=excused, status="excused")
    for person in present:
        factories.AttendanceFactory(slot=second, participant=person, status="late")
    leaving = next(p for p in present if p.category == Category.ELECTED_OFFICIAL)
    services.participant_replace(actor=organiser, participant=leaving, slot=third, fields=NEWCOMER)
    Participant.objects.filter(pk=present[0].pk).update(consent_name_in_reports=False)

    full = programme_participation(programme=programme)
    reference = full.without_names() if for_funders else full
    reader = member(programme, Role.FUNDER) if for_funders else organiser
    client.force_login(reader)
    page = client.get(reverse("sessions:participation", args=[programme.slug])).content.decode()

    def shown(line) -> str:
        return line.public_name if for_funders else line.name

    assert table(page, "hours") == [shown(line) for line in reference.participants]
    assert table(page, "commitments") == [shown(line) for line in reference.commitments]
    assert len(reference.participants) == full.summary.trainees
    kept = re.search(r'data-figure="commitments">(\d+) / (\d+)<', page).groups()
    assert kept == (str(full.commitments_kept), str(full.commitments_given))
    assert 0 < full.commitments_kept < full.commitments_given


def test_page_two_shows_the_51st_person_and_the_figures_stay_over_everyone(
    client, training, organiser
):
    programme = training.programme
    add_trainees(programme, cities=20, activists=10)
    full = programme_participation(programme=programme)
    assert len(full.participants) > 50
    client.force_login(organiser)
    url = reverse("sessions:participation", args=[programme.slug])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    names = [line.name for line in full.participants]
    assert table(first, "hours") == names[:50]
    assert table(second, "hours") == names[50:100]
    assert table(second, "commitments") == [line.name for line in full.commitments][:50]
    # The figures over everyone are the same on every page.
    for shown in (first, second):
        trainees = re.search(r'data-figure="trainees">(\d+)<', shown).group(1)
        assert int(trainees) == full.summary.trainees
        kept = re.search(r'data-figure="commitments">(\d+) / (\d+)<', shown).groups()
        assert kept == (str(full.commitments_kept), str(full.commitments_given))
    # Each table's pages keep the other table's page, and are named for screen readers.
    assert 'href="?commitments=1&amp;page=1#hours-title"' in second
    assert 'aria-current="page"' in second
    labels = re.findall(r'<nav aria-label="([^"]+)"', second)
    assert len(labels) == len(set(labels)) >= 2
    commitments_two = client.get(url, {"page": 2, "commitments": 2}).content.decode()
    assert table(commitments_two, "commitments") == [line.name for line in full.commitments][50:100]
    assert 'href="?page=2&amp;commitments=1#commitments-title"' in commitments_two


@pytest.mark.parametrize("value", ["", "abc", "0", "-1", "999", "2.5", "1" * 30])
def test_a_bad_page_number_answers_a_page_not_an_error(client, training, organiser, value):
    client.force_login(organiser)
    url = reverse("sessions:participation", args=[training.programme.slug])
    response = client.get(url, {"page": value, "commitments": value})
    assert response.status_code == 200


def test_a_funder_reads_the_people_not_named_after_the_named_ones_page_by_page(
    client, training, member
):
    """The order for funders (``order_for_readers``) is kept across the pages."""
    programme = training.programme
    add_trainees(programme, cities=15, activists=10)
    programme_people = [
        line.participant_id for line in programme_participation(programme=programme).participants
    ]
    assert len(programme_people) > 50
    Participant.objects.filter(pk__in=programme_people[::3]).update(consent_name_in_reports=False)
    full = programme_participation(programme=programme).without_names()
    client.force_login(member(programme, Role.FUNDER))
    url = reverse("sessions:participation", args=[programme.slug])
    shown = table(client.get(url).content.decode(), "hours")
    shown += table(client.get(url, {"page": 2}).content.decode(), "hours")
    assert shown == [line.public_name for line in full.participants][:100]
