import datetime as dt
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from participants.models import Category
from programmes.models import AuditEntry, Membership
from sessions.models import Activity, Attendance, Slot, TrainingDay
from tests import factories
from tests.factories import ROLES, user_with

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = Attendance.Status
HTMX = {"HTTP_HX_REQUEST": "true"}

# Page -> the roles that may open it. Everyone else gets 404 (no leak of what exists).
READERS = {
    "sessions:timetable": {Role.ORGANISER, Role.FACILITATOR, Role.REVIEWER},
    "sessions:attendance_list": {Role.ORGANISER, Role.FACILITATOR},
    "sessions:attendance_sheet": {Role.ORGANISER, Role.FACILITATOR},
    "sessions:participation": {Role.ORGANISER, Role.FACILITATOR, Role.FUNDER},
    "sessions:day_create": {Role.ORGANISER},
    "sessions:slot_edit": {Role.ORGANISER},
    "sessions:activity_create": {Role.ORGANISER},
}
SLOT_PAGES = {"attendance_sheet", "slot_edit", "activity_create"}


def page_url(name, training):
    args = [training.programme.slug]
    if name.split(":")[1] in SLOT_PAGES:
        args.append(training.slot.pk)
    return reverse(name, args=args)


def slot_url(name, training, *extra, slot=None):
    return reverse(name, args=[training.programme.slug, (slot or training.slot).pk, *extra])


def tap(client, training, person, status, *, version=0, note="", htmx=True, slot=None):
    pk = person.pk
    return client.post(
        slot_url("sessions:attendance_record", training, pk, slot=slot),
        {f"status_{pk}": status, f"note_{pk}": note, f"version_{pk}": version},
        **(HTMX if htmx else {}),
    )


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "outsider")
def test_who_may_open_each_page(client, training, role):
    client.force_login(user_with(role, training.programme))
    answers = {name: client.get(page_url(name, training)).status_code for name in READERS}
    expected = {name: 200 if role in roles else 404 for name, roles in READERS.items()}
    assert answers == expected


def test_anonymous_visitors_are_sent_to_log_in(client, training):
    for name in READERS:
        response = client.get(page_url(name, training))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FUNDER, Role.CITY_CONTACT, None], ids=str)
def test_only_the_team_records_attendance(client, training, role):
    client.force_login(user_with(role, training.programme))
    person = training.trainees[0]
    data = {f"status_{person.pk}": "present", f"version_{person.pk}": "0"}
    for address in [
        slot_url("sessions:attendance_record", training, person.pk),
        slot_url("sessions:attendance_sheet", training),
        slot_url("sessions:attendance_mark_present", training),
        slot_url("sessions:slot_close", training),
        slot_url("sessions:slot_reopen", training),
        slot_url("sessions:attendance_correct", training, person.pk),
        slot_url("sessions:paper_scan", training),
        slot_url("sessions:checkin_code", training),
    ]:
        assert client.post(address, data).status_code in (404, 405)
        assert client.get(address).status_code in (404, 405)
    assert not Attendance.objects.exists()
    training.slot.refresh_from_db()
    assert not training.slot.is_closed


def test_a_slot_of_another_programme_is_not_found(client, training, facilitator_user):
    other_slot = factories.SlotFactory()
    person = training.trainees[0]
    client.force_login(facilitator_user)
    assert (
        client.get(slot_url("sessions:attendance_sheet", training, slot=other_slot)).status_code
        == 404
    )
    assert tap(client, training, person, Status.PRESENT, slot=other_slot).status_code == 404
    assert not Attendance.objects.exists()


# --- One tap (htmx) -------------------------------------------------------------------------


def test_a_tap_saves_at_once_and_returns_the_new_version(client, training, facilitator_user):
    client.force_login(facilitator_user)
    person = training.trainees[0]

    response = tap(client, training, person, Status.LATE, note="10 min")

    assert response.status_code == 200
    assert f'id="version-{person.pk}" value="1" hx-swap-oob="true"' in response.text
    assert 'class="att-state__saved"' in response.text
    attendance = Attendance.objects.get(participant=person, slot=training.slot)
    assert (attendance.status, attendance.note, attendance.recorded_by) == (
        Status.LATE,
        "10 min",
        facilitator_user,
    )


def test_a_stale_tap_answers_409_with_the_value_on_record(
    client, training, organiser, facilitator_user
):
    person = training.trainees[0]
    client.force_login(organiser)
    tap(client, training, person, Status.EXCUSED)
    client.force_login(facilitator_user)

    response = tap(client, training, person, Status.ABSENT, version=0)

    assert response.status_code == 409
    assert f'<option value="{Status.EXCUSED}" selected>' in response.text
    assert f'name="version_{person.pk}" value="1"' in response.text
    assert 'hx-swap-oob="true"' in response.text  # the line, swapped in place
    assert person.full_name in response.text
    assert Attendance.objects.get(participant=person).status == Status.EXCUSED


@pytest.mark.parametrize("status", ["maybe", "", "<script>"])
def test_a_tap_with_an_unknown_status_answers_400(client, training, facilitator_user, status):
    client.force_login(facilitator_user)
    response = tap(client, training, training.trainees[0], status)
    assert response.status_code == 400
    assert not Attendance.objects.exists()
    assert "<script>" not in response.text


def test_a_tap_on_someone_of_another_programme_answers_404(client, training, facilitator_user):
    client.force_login(facilitator_user)
    stranger = factories.ParticipantFactory(category=Category.ACTIVIST)
    assert tap(client, training, stranger, Status.PRESENT).status_code == 404
    assert tap(client, training, training.facilitator, Status.PRESENT).status_code == 404
    assert not Attendance.objects.exists()


def test_a_tap_without_javascript_goes_back_to_the_sheet(client, training, facilitator_user):
    client.force_login(facilitator_user)
    response = tap(client, training, training.trainees[0], Status.PRESENT, htmx=False)
    assert response.status_code == 302
    assert response.url == slot_url("sessions:attendance_sheet", training)
    assert Attendance.objects.count() == 1


# --- The whole sheet (no JavaScript) --------------------------------------------------------


def sheet_post(training, statuses: dict, *, versions=None, extra=None):
    data = {"group": "city"}
    for person in training.trainees:
        data[f"version_{person.pk}"] = (versions or {}).get(person.pk, 0)
        data[f"note_{person.pk}"] = ""
        if person.pk in statuses:
            data[f"status_{person.pk}"] = statuses[person.pk]
    return data | (extra or {})


def test_the_whole_sheet_is_saved_in_one_post(client, training, facilitator_user):
    client.force_login(facilitator_user)
    first, second, *others = training.trainees
    statuses = {first.pk: Status.ABSENT, second.pk: Status.LEFT_EARLY}
    statuses |= {person.pk: Status.PRESENT for person in others}

    response = client.post(
        slot_url("sessions:attendance_sheet", training), sheet_post(training, statuses)
    )

    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("participant_id", "status")) == statuses
    page = client.get(response.url)
    assert f"<summary>{len(training.trainees)} " in page.text  # one change per person


def test_a_forged_sheet_saves_nothing_and_keeps_what_was_typed(client, training, facilitator_user):
    client.force_login(facilitator_user)
    first, second = training.trainees[:2]
    stranger = factories.ParticipantFactory(category=Category.ACTIVIST)
    data = sheet_post(
        training,
        {first.pk: Status.ABSENT, second.pk: "sleeping"},
        extra={f"status_{stranger.pk}": "present", f"version_{stranger.pk}": "0"},
    )

    response = client.post(slot_url("sessions:attendance_sheet", training), data)

    assert response.status_code == 400
    assert not Attendance.objects.exists()
    assert '<option value="absent" selected>' in line_of(response, first)
    assert "sleeping" in response.text  # the refused value is named in the message
    assert "alert-danger" in response.text


def test_a_sheet_saved_over_a_newer_change_reports_the_conflict(
    client, training, organiser, facilitator_user
):
    person = training.trainees[0]
    client.force_login(organiser)
    tap(client, training, person, Status.EXCUSED)
    client.force_login(facilitator_user)

    statuses = {p.pk: Status.PRESENT for p in training.trainees}
    response = client.post(
        slot_url("sessions:attendance_sheet", training), sheet_post(training, statuses)
    )

    assert response.status_code == 409
    assert Attendance.objects.get(participant=person).status == Status.EXCUSED
    assert Attendance.objects.filter(status=Status.PRESENT).count() == len(training.trainees) - 1
    assert '<option value="excused" selected>' in line_of(response, person)


def line_of(response, person) -> str:
    """The sheet's line of one person, as the server wrote it."""
    return response.text.split(f'id="row-{person.pk}"')[1].split("</fieldset>")[0]


class FormValues(HTMLParser):
    """What a browser without JavaScript posts from the sheet: every named input's value (the
    checked radio button only) and each select's selected option (else its first)."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.select = attrs["name"]
        elif (
            tag == "option"
            and self.select
            and (self.select not in self.data or "selected" in attrs)
        ):
            self.data[self.select] = attrs.get("value") or ""
        if tag != "input" or "name" not in attrs or attrs.get("type") == "submit":
            return
        if attrs.get("type") == "radio" and "checked" not in attrs:
            return
        self.data[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def sheet_form(page) -> dict:
    parser = FormValues()
    parser.feed(page.text)
    return parser.data


def test_the_sheet_without_javascript_marks_every_line_and_saves_them_in_one_post(
    client, training, facilitator_user
):
    """The page's own form, as a browser without JavaScript posts it: a status chosen in each
    line's select and a note typed save in one post."""
    client.force_login(facilitator_user)
    page = client.get(slot_url("sessions:attendance_sheet", training))
    data = sheet_form(page)
    people = training.trainees
    assert {data[f"status_{person.pk}"] for person in people} == {""}  # nobody marked yet
    assert f'aria-label="Remarque sur {people[0].full_name}"' in line_of(page, people[0])
    for person in people:
        data[f"status_{person.pk}"] = Status.LATE
    data[f"note_{people[0].pk}"] = "bus"

    response = client.post(slot_url("sessions:attendance_sheet", training), data)

    assert response.status_code == 302
    saved = Attendance.objects.filter(slot=training.slot, status=Status.LATE)
    assert saved.count() == len(people)
    assert saved.get(participant=people[0]).note == "bus"


def test_a_stale_sheet_saves_its_changes_and_leaves_the_lines_it_did_not_change(
    client, training, organiser, facilitator_user
):
    """The sheet was loaded, then someone else changed two lines. Saving it conflicts only on
    the line changed on both sides; a line changed elsewhere only stays as it is now, and the
    lines changed only here are saved."""
    first, second, third, fourth = training.trainees[:4]
    client.force_login(organiser)
    for person in (first, second, third, fourth):
        tap(client, training, person, Status.PRESENT)
    client.force_login(facilitator_user)
    data = sheet_form(client.get(slot_url("sessions:attendance_sheet", training)))

    client.force_login(organiser)  # meanwhile, elsewhere
    tap(client, training, first, Status.ABSENT, version=1)
    tap(client, training, second, Status.EXCUSED, version=1, note="certificate")
    client.force_login(facilitator_user)
    data[f"status_{second.pk}"] = Status.LATE  # also changed here: a real conflict
    data[f"status_{third.pk}"] = Status.LEFT_EARLY
    response = client.post(slot_url("sessions:attendance_sheet", training), data)

    assert response.status_code == 409
    assert "1 changed meanwhile" in response.text or "1 modifiés entre-temps" in response.text
    statuses = dict(Attendance.objects.values_list("participant_id", "status"))
    assert statuses[first.pk] == Status.ABSENT  # not overwritten, not a conflict
    assert statuses[second.pk] == Status.EXCUSED  # the conflict, shown with its current value
    assert statuses[third.pk] == Status.LEFT_EARLY
    assert statuses[fourth.pk] == Status.PRESENT
    assert response.text.count("att-row--error") == 1
    assert f'id="row-{second.pk}"' in response.text.split("att-row--error")[1][:40]

    # Without the other change, the same stale sheet saves with no conflict at all.
    data.pop(f"status_{second.pk}")
    data[f"status_{second.pk}"] = Status.PRESENT
    data[f"status_{third.pk}"] = Status.PRESENT
    response = client.post(slot_url("sessions:attendance_sheet", training), data)
    assert response.status_code == 302
    assert Attendance.objects.get(participant=first).status == Status.ABSENT
    assert Attendance.objects.get(participant=second).note == "certificate"


def test_mark_everyone_present(client, training, facilitator_user):
    client.force_login(facilitator_user)
    tap(client, training, training.trainees[0], Status.ABSENT)
    response = client.post(slot_url("sessions:attendance_mark_present", training))
    assert response.status_code == 302
    assert Attendance.objects.filter(status=Status.PRESENT).count() == len(training.trainees) - 1
    assert Attendance.objects.filter(status=Status.ABSENT).count() == 1


# --- Closing, reopening, history ------------------------------------------------------------


def test_a_closed_sheet_is_read_only_and_reopened_by_an_organiser_with_a_reason(
    client, training, organiser, facilitator_user
):
    person = training.trainees[0]
    client.force_login(facilitator_user)
    tap(client, training, person, Status.PRESENT)
    factories.sign_as_trainer(training.slot, training.facilitator, user=facilitator_user)
    assert client.post(slot_url("sessions:slot_close", training)).status_code == 302

    sheet = client.get(slot_url("sessions:attendance_sheet", training))
    assert "data-sheet-closed" in sheet.text
    assert 'type="radio"' not in sheet.text
    refused = tap(client, training, person, Status.ABSENT, version=1)
    assert refused.status_code == 409
    assert (
        client.post(slot_url("sessions:slot_reopen", training), {"reason": "x"}).status_code == 404
    )

    client.force_login(organiser)
    no_reason = client.post(slot_url("sessions:slot_reopen", training), {"reason": ""})
    assert no_reason.status_code == 400
    training.slot.refresh_from_db()
    assert training.slot.is_closed
    client.post(slot_url("sessions:slot_reopen", training), {"reason": "Marie était là"})
    training.slot.refresh_from_db()
    assert not training.slot.is_closed
    assert AuditEntry.objects.get(action="attendance.sheet_reopened").data == {
        "note": "Marie était là"
    }
    assert Attendance.objects.get(participant=person).status == Status.PRESENT


def test_the_attendance_page_does_not_call_a_past_half_day_upcoming(
    client, training, facilitator_user
):
    client.force_login(facilitator_user)
    page = client.get(reverse("sessions:attendance_list", args=[training.programme.slug]))
    assert "Dernière demi-journée tenue" in page.text  # every half-day was in January 2015
    assert "en cours ou à venir" not in page.text
    for slot in training.slots:  # each card opens its own sheet
        sheet = reverse("sessions:attendance_sheet", args=[training.programme.slug, slot.pk])
        assert f'<a href="{sheet}">' in page.text

    factories.SlotFactory(
        day__programme=training.programme, day__date=dt.date.today() + dt.timedelta(days=2)
    )
    page = client.get(reverse("sessions:attendance_list", args=[training.programme.slug]))
    assert "Demi-journée en cours ou à venir" in page.text


def test_a_sheet_closed_by_an_account_since_deleted_still_opens(client, training, organiser):
    closer = factories.UserFactory(first_name="Odile", last_name="Martin")
    Slot.objects.filter(pk=training.slot.pk).update(
        closed_at=dt.datetime(2015, 1, 22, 12, 45, tzinfo=dt.UTC), closed_by=closer
    )
    closer.delete()  # the closing facilitator left; the sheet keeps its date

    client.force_login(organiser)
    sheet = client.get(slot_url("sessions:attendance_sheet", training))
    assert sheet.status_code == 200
    assert "Close et signée le 22 janvier 2015" in sheet.text


def test_the_history_shows_who_changed_what(client, training, facilitator_user):
    facilitator_user.first_name, facilitator_user.last_name = "Odile", "Martin"
    facilitator_user.save()
    client.force_login(facilitator_user)
    person = training.trainees[0]
    tap(client, training, person, Status.PRESENT)
    tap(client, training, person, Status.LEFT_EARLY, version=1)

    page = client.get(slot_url("sessions:attendance_sheet", training))

    history = page.text[page.text.index('id="history-title"') :]
    assert history.count("Odile Martin") == 2
    assert history.count(person.full_name) == 2


def test_the_sheet_groups_by_city_or_peer_group(client, training, facilitator_user):
    client.force_login(facilitator_user)
    by_city = client.get(slot_url("sessions:attendance_sheet", training) + "?group=city")
    city = training.trainees[0].city.name
    assert f'class="h6 sheet-group__title" id="group-1">{city}' in by_city.text
    by_group = client.get(slot_url("sessions:attendance_sheet", training) + "?group=peer_group")
    assert "sheet-group__title" in by_group.text
    assert f">{city} <span" not in by_group.text


# --- Participation --------------------------------------------------------------------------


def test_the_participation_page_shows_the_rates(client, training, facilitator_user):
    client.force_login(facilitator_user)
    trainees = training.trainees
    for person in trainees[:-1]:
        tap(client, training, person, Status.PRESENT)
    tap(client, training, trainees[-1], Status.EXCUSED)

    page = client.get(reverse("sessions:participation", args=[training.programme.slug]))

    rate = 100 * (len(trainees) - 1) / len(trainees)  # 87.5 with 8 trainees
    assert f'data-figure="participation-rate">{round(rate)} %' in page.text
    assert f"{rate:.1f} %".replace(".", ",") in page.text  # French decimal comma
    assert '<svg class="chart"' in page.text
    # The charts print each rate as the tables do, with its decimal (87,5 %, not 88 %): the
    # day and the half-day held are at 87.5 %.
    charts = [part.split("</svg>")[0] for part in page.text.split('<svg class="chart"')[1:]]
    assert len(charts) == 4
    assert all(">87,5 %</text>" in chart for chart in charts[2:])
    assert 'width="131.2"' in charts[3]  # 87.5 % of a 150-pixel track


def test_funders_see_names_only_with_consent(client, training):
    named, anonymous = training.trainees[0], training.trainees[1]
    named.consent_name_in_reports = True
    named.save()
    client.force_login(user_with(Role.FUNDER, training.programme))
    page = client.get(reverse("sessions:participation", args=[training.programme.slug]))
    assert named.full_name in page.text
    assert anonymous.full_name not in page.text


# --- Timetable --------------------------------------------------------------------------------


def test_an_organiser_builds_the_timetable(client, programme, organiser):
    client.force_login(organiser)
    facilitator = factories.ParticipantFactory(programme=programme, category=Category.FACILITATOR)
    group = factories.PeerGroupFactory(programme=programme)
    slug = programme.slug

    response = client.post(
        reverse("sessions:day_create", args=[slug]),
        {"date": "2015-01-22", "title": "Jour 1", "place": "Pierrelaye"},
    )
    assert response.status_code == 302
    day = TrainingDay.objects.get(programme=programme)
    client.post(
        reverse("sessions:slot_create", args=[slug, day.pk]),
        {"part": "morning", "starts_at": "09:00", "ends_at": "12:30"},
    )
    slot = Slot.objects.get(day=day)
    client.post(
        reverse("sessions:activity_create", args=[slug, slot.pk]),
        {
            "kind": "peer_group",
            "title": "Groupes de pairs",
            "peer_group": group.pk,
            "facilitators": [facilitator.pk],
            "position": 0,
        },
    )
    activity = Activity.objects.get(slot=slot)
    assert list(activity.facilitators.all()) == [facilitator]

    page = client.get(reverse("sessions:timetable", args=[slug]))
    assert "Groupes de pairs" in page.text
    assert facilitator.full_name in page.text
    assert "09:00–12:30" in page.text
    # The links are made from one address per kind with the row's id put in: each reaches
    # its own row.
    for name, pk in [
        ("day_edit", day.pk),
        ("slot_edit", slot.pk),
        ("activity_create", slot.pk),
        ("activity_edit", activity.pk),
    ]:
        url = reverse(f"sessions:{name}", args=[slug, pk])
        assert f'href="{url}"' in page.text
        assert client.get(url).status_code == 200
    assert f'href="{reverse("sessions:slot_create", args=[slug, day.pk])}"' in page.text


def test_timetable_forms_refuse_bad_input_and_keep_it(client, training, organiser):
    client.force_login(organiser)
    slug = training.programme.slug
    taken = client.post(
        reverse("sessions:day_create", args=[slug]), {"date": "2015-01-22", "title": "Doublon"}
    )
    assert taken.status_code == 400
    assert 'value="Doublon"' in taken.text
    backwards = client.post(
        reverse("sessions:slot_edit", args=[slug, training.slot.pk]),
        {"part": "morning", "starts_at": "12:00", "ends_at": "09:00"},
    )
    assert backwards.status_code == 400
    training.slot.refresh_from_db()
    assert training.slot.starts_at == dt.time(9, 0)
    stranger = factories.ParticipantFactory(category=Category.FACILITATOR)  # other programme
    foreign = client.post(
        reverse("sessions:activity_create", args=[slug, training.slot.pk]),
        {"kind": "plenary", "title": "Plénière", "facilitators": [stranger.pk], "position": 1},
    )
    assert foreign.status_code == 400
    assert not Activity.objects.filter(title="Plénière").exists()


def test_a_day_with_records_is_not_deleted(client, training, organiser, facilitator_user):
    client.force_login(facilitator_user)
    tap(client, training, training.trainees[0], Status.PRESENT)
    client.force_login(organiser)
    response = client.post(
        reverse(
            "sessions:trainingday_delete", args=[training.programme.slug, training.slot.day.pk]
        ),
        follow=True,
    )
    assert response.status_code == 200
    assert TrainingDay.objects.filter(pk=training.slot.day.pk).exists()


def test_days_and_half_days_read_in_the_readers_language_never_iso(programme):
    day = factories.TrainingDayFactory(
        programme=programme, date=dt.date(2015, 1, 22), title="Jour 1"
    )
    slot = factories.SlotFactory(day=day, part="morning")
    with translation.override("fr"):
        assert str(day) == "22 janvier 2015 Jour 1"
        assert str(slot) == "22 janvier 2015 Matin"
    with translation.override("en"):
        assert str(slot) == "Jan. 22, 2015 Morning"
