"""What the probes of issue 9 found in the timetable, the sheets and the participation page,
kept fixed: ids out of range (item 7), an empty whole-sheet post (item 6), id 0 and impossible
dates (item 12), the order of unnamed people for funders (item 14)."""

import re

import pytest
from django.urls import reverse

from participants.models import Category
from programmes.models import Membership
from sessions.models import Activity, Attendance, TrainingDay
from tests import factories
from tests.factories import user_with

pytestmark = pytest.mark.django_db
Role = Membership.Role
HUGE = "99999999999999999999"


# Item 7 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [HUGE, "-5", "abc"])
def test_a_huge_facilitator_or_group_id_is_a_form_error(client, training, organiser, bad):
    client.force_login(organiser)
    create = reverse("sessions:activity_create", args=[training.programme.slug, training.slot.pk])
    post = {"kind": "plenary", "title": "Plénière", "position": 1}
    response = client.post(create, post | {"facilitators": [str(training.facilitator.pk), bad]})
    assert response.status_code == 400
    assert "facilitators" in response.context["form"].errors
    response = client.post(create, post | {"peer_group": bad})
    assert response.status_code == 400
    assert "peer_group" in response.context["form"].errors
    assert not Activity.objects.filter(title="Plénière").exists()


# Item 6 ------------------------------------------------------------------------------------------


def test_an_empty_whole_sheet_post_is_refused_not_saved(client, training, facilitator_user):
    client.force_login(facilitator_user)
    sheet = reverse("sessions:attendance_sheet", args=[training.programme.slug, training.slot.pk])
    response = client.post(sheet, {"group": "peer_group"})
    assert response.status_code == 400
    assert "sans aucune ligne" in response.text or "without any line" in response.text
    assert not Attendance.objects.filter(slot=training.slot).exists()


# Item 12 -----------------------------------------------------------------------------------------


def day_post(date):
    return {"date": date, "title": "Jour 5", "place": "Pierrelaye"}


@pytest.mark.parametrize("date", ["2015-01-21", "2015-01-27", "0001-01-01", "9999-12-31"])
def test_a_training_day_outside_the_programme_is_refused(client, programme, organiser, date):
    client.force_login(organiser)
    response = client.post(reverse("sessions:day_create", args=[programme.slug]), day_post(date))
    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    assert not TrainingDay.objects.filter(programme=programme).exists()


def test_a_programme_without_dates_still_refuses_impossible_years(client, organiser, programme):
    programme.start_date = programme.end_date = None
    programme.save()
    client.force_login(organiser)
    create = reverse("sessions:day_create", args=[programme.slug])
    assert client.post(create, day_post("0001-01-01")).status_code == 400
    assert client.post(create, day_post("2015-01-22")).status_code == 302


def test_a_day_within_the_programme_is_saved(client, programme, organiser):
    client.force_login(organiser)
    response = client.post(
        reverse("sessions:day_create", args=[programme.slug]), day_post("2015-01-26")
    )
    assert response.status_code == 302
    assert TrainingDay.objects.get(programme=programme).title == "Jour 5"


def test_id_0_on_an_edit_address_is_404_not_a_creation_form(client, training, organiser):
    client.force_login(organiser)
    slug = training.programme.slug
    for path in (
        f"/programmes/{slug}/timetable/days/0/",
        f"/programmes/{slug}/timetable/half-days/0/",
        f"/programmes/{slug}/timetable/activities/0/",
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, day_post("2015-01-24")).status_code == 404, path
    assert TrainingDay.objects.filter(programme=training.programme).count() == 2


def test_titles_and_places_lose_line_breaks_and_direction_controls(client, programme, organiser):
    client.force_login(organiser)
    client.post(
        reverse("sessions:day_create", args=[programme.slug]),
        {"date": "2015-01-24", "title": "Jour\r\n\u202e5", "place": "\u2067Pierrelaye\u2069"},
    )
    day = TrainingDay.objects.get(programme=programme)
    assert (day.title, day.place) == ("Jour 5", "Pierrelaye")


# Item 14 -----------------------------------------------------------------------------------------


def funder_order(client, programme) -> list[str]:
    page = client.get(reverse("sessions:participation", args=[programme.slug]))
    assert page.status_code == 200
    hours = page.text.split('id="hours"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row" class="fw-normal">([^<]+)</th>', hours)


@pytest.mark.parametrize("hidden_names", [("Aaron", "Zoé"), ("Zoé", "Aaron")])
def test_the_funders_page_orders_unnamed_people_without_their_real_names(
    client, programme, hidden_names
):
    """Two named activists (Bernard, Martin) and two who did not consent: whatever the latter's
    real names, the page lists the named first, then "Not named" twice, as the PDFs do."""
    slot = factories.SlotFactory(day=factories.TrainingDayFactory(programme=programme))
    people = [
        factories.ParticipantFactory(
            programme=programme,
            category=Category.ACTIVIST,
            first_name=first,
            last_name=last,
            consent_name_in_reports=named,
        )
        for first, last, named in (
            ("Anne", "Martin", True),
            (hidden_names[0], "Albert", False),
            ("Luc", "Bernard", True),
            (hidden_names[1], "Moreau", False),
        )
    ]
    for person in people:
        factories.AttendanceFactory(participant=person, slot=slot)
    client.force_login(user_with(Role.FUNDER, programme))
    rows = funder_order(client, programme)
    assert rows[:2] == ["Luc Bernard", "Anne Martin"]
    assert len(rows) == 4
    assert all(row.startswith("Non nommé") for row in rows[2:])
    assert not any(name in " ".join(rows) for name in ("Albert", "Moreau", "Aaron", "Zoé"))


def test_the_unnamed_follow_the_order_they_were_registered_in(client, programme):
    """Among themselves the people not named keep the order of registration: tell them apart by
    their figures without their names ordering them."""
    slot = factories.SlotFactory(day=factories.TrainingDayFactory(programme=programme))
    zed = factories.ParticipantFactory(
        programme=programme, category=Category.ACTIVIST, last_name="Zed"
    )
    abel = factories.ParticipantFactory(
        programme=programme, category=Category.ACTIVIST, last_name="Abel"
    )
    factories.AttendanceFactory(participant=zed, slot=slot)  # Zed attended, Abel did not
    client.force_login(user_with(Role.FUNDER, programme))
    page = client.get(reverse("sessions:participation", args=[programme.slug]))
    hours = page.text.split('id="hours"', 1)[1]
    cells = re.findall(r"<td class=\"text-end\">(\d+) / \d+</td>", hours)
    assert cells[:2] == ["1", "0"]  # Zed (registered first) then Abel, not Abel then Zed
    assert abel.pk > zed.pk
