"""Changes made on a phone without a connection, sent later (issue 13): applied once, in order,
refused when someone else changed the line meanwhile, with the phone's time kept for reports;
the service worker and the manifest that make the sheet open offline."""

import datetime as dt
import json
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.template import Context, Template
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from programmes.models import Membership
from reports.exports import attendance_table
from sessions import offline, services
from sessions.models import Attendance, AttendanceChange, SyncedChange
from tests import factories

pytestmark = pytest.mark.django_db

Role = Membership.Role


def sync_url(slot) -> str:
    return reverse("sessions:attendance_sync", args=[slot.day.programme.slug, slot.pk])


def change(person, status="present", *, version=0, note="", minutes_ago=30, kind="tap", **more):
    return {
        "id": str(more.pop("id", uuid.uuid4())),
        "participant": person.pk,
        "kind": kind,
        "status": status,
        "note": note,
        "version": version,
        "device_time": (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat(),
    } | more


def send(client, slot, changes):
    return client.post(
        sync_url(slot), json.dumps({"changes": changes}), content_type="application/json"
    )


def by_participant(response) -> dict:
    return {answer["participant"]: answer for answer in response.json()["results"]}


def test_changes_made_offline_are_saved_with_the_phones_time_and_the_time_received(
    client, training, facilitator_user
):
    client.force_login(facilitator_user)
    slot, (first, second, *_) = training.slot, training.trainees
    response = send(
        client,
        slot,
        [
            change(first, "late", note="Train en retard", minutes_ago=50),
            change(second, "absent", minutes_ago=40),
        ],
    )
    assert response.status_code == 200
    answers = by_participant(response)
    assert answers[first.pk]["result"] == "applied"
    assert answers[first.pk]["version"] == 1
    assert "Saved at" in answers[first.pk]["state"] or "Enregistré" in answers[first.pk]["state"]
    record = Attendance.objects.get(slot=slot, participant=first)
    assert (record.status, record.note, record.recorded_by) == (
        "late",
        "Train en retard",
        facilitator_user,
    )
    device = timezone.now() - record.recorded_offline_at
    assert dt.timedelta(minutes=49) < device < dt.timedelta(minutes=51)
    assert timezone.now() - record.recorded_at < dt.timedelta(minutes=1)
    synced = SyncedChange.objects.filter(slot=slot).order_by("device_time")
    assert [s.result for s in synced] == ["applied", "applied"]
    assert all(s.received_at - s.device_time > dt.timedelta(minutes=39) for s in synced)
    assert AttendanceChange.objects.filter(attendance__slot=slot).count() == 2


def test_a_change_sent_twice_is_applied_once(client, training, facilitator_user):
    client.force_login(facilitator_user)
    slot, person = training.slot, training.trainees[0]
    tap = change(person, "present")
    first = send(client, slot, [tap])
    again = send(client, slot, [tap])
    assert first.json()["results"][0]["result"] == "applied"
    assert again.status_code == 200
    assert again.json()["results"][0]["result"] == "applied"
    assert again.json()["results"][0]["version"] == 1
    assert Attendance.objects.get(slot=slot, participant=person).version == 1
    assert AttendanceChange.objects.filter(attendance__slot=slot).count() == 1
    assert SyncedChange.objects.count() == 1


def test_a_line_changed_meanwhile_by_someone_else_is_a_conflict_the_others_are_saved(
    client, training, facilitator_user, organiser
):
    slot, (first, second) = training.slot, training.trainees[:2]
    # Online, another facilitator marks the first person while this phone is offline.
    services.attendance_record(
        slot=slot, participant_id=first.pk, status="absent", version=0, user=organiser
    )
    client.force_login(facilitator_user)
    response = send(client, slot, [change(first, "present"), change(second, "present")])
    answers = by_participant(response)
    assert answers[first.pk]["result"] == "conflict"
    assert answers[first.pk]["status"] == "absent"  # the value on record comes back
    assert answers[first.pk]["version"] == 1
    assert "att-state__error" in answers[first.pk]["state"]
    assert answers[second.pk]["result"] == "applied"
    assert Attendance.objects.get(slot=slot, participant=first).status == "absent"
    assert Attendance.objects.get(slot=slot, participant=second).status == "present"


def test_changes_are_applied_in_order_and_a_second_tap_of_a_line_follows_the_first(
    client, training, facilitator_user
):
    client.force_login(facilitator_user)
    slot, person = training.slot, training.trainees[0]
    response = send(client, slot, [change(person, "present"), change(person, "late")])
    assert [a["result"] for a in response.json()["results"]] == ["applied", "applied"]
    record = Attendance.objects.get(slot=slot, participant=person)
    assert (record.status, record.version) == ("late", 2)
    history = AttendanceChange.objects.filter(attendance=record).order_by("pk")
    assert [(h.old_status, h.new_status) for h in history] == [("", "present"), ("present", "late")]


def test_mark_everyone_present_offline_keeps_a_status_marked_meanwhile(
    client, training, facilitator_user, organiser
):
    slot, (first, second) = training.slot, training.trainees[:2]
    services.attendance_record(
        slot=slot, participant_id=first.pk, status="excused", version=0, user=organiser
    )
    client.force_login(facilitator_user)
    response = send(
        client,
        slot,
        [change(first, "", kind="mark_present"), change(second, "", kind="mark_present")],
    )
    answers = by_participant(response)
    assert answers[first.pk]["result"] == "unchanged"
    assert answers[second.pk]["result"] == "applied"
    assert Attendance.objects.get(slot=slot, participant=first).status == "excused"
    assert Attendance.objects.get(slot=slot, participant=second).status == "present"


def test_nothing_is_applied_on_a_closed_sheet(client, training, facilitator_user):
    slot = training.slot
    slot.closed_at = timezone.now()
    slot.save()
    client.force_login(facilitator_user)
    response = send(client, slot, [change(training.trainees[0])])
    assert response.json()["results"][0]["result"] == "closed"
    assert not Attendance.objects.filter(slot=slot).exists()


def test_a_phone_clock_ahead_of_ours_never_records_in_the_future(
    client, training, facilitator_user
):
    client.force_login(facilitator_user)
    person = training.trainees[0]
    send(client, training.slot, [change(person, minutes_ago=-90)])
    record = Attendance.objects.get(participant=person)
    assert record.recorded_offline_at <= record.recorded_at
    synced = SyncedChange.objects.get()
    assert synced.device_time > synced.received_at  # what the phone said is kept as it said


def test_an_online_tap_after_an_offline_one_clears_the_offline_mark(
    client, training, facilitator_user
):
    client.force_login(facilitator_user)
    person = training.trainees[0]
    send(client, training.slot, [change(person, "late")])
    services.attendance_record(
        slot=training.slot,
        participant_id=person.pk,
        status="present",
        version=1,
        user=facilitator_user,
    )
    assert Attendance.objects.get(participant=person).recorded_offline_at is None


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"nothing": []}),
        json.dumps({"changes": "x"}),
        json.dumps({"changes": [{"id": "x", "participant": 1}]}),
        json.dumps({"changes": [{"status": "flying"}]}),
    ],
)
def test_an_unreadable_batch_answers_400_and_saves_nothing(
    client, training, facilitator_user, body
):
    client.force_login(facilitator_user)
    response = client.post(sync_url(training.slot), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Attendance.objects.exists()


def test_someone_not_on_the_sheet_is_refused_and_the_rest_saved(client, training, facilitator_user):
    client.force_login(facilitator_user)
    other = factories.ParticipantFactory()  # another programme's
    response = send(client, training.slot, [change(other), change(training.trainees[0])])
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["refused", "applied"]
    assert results[0]["message"]
    assert "participant" not in results[0]  # nothing about a person of another programme


@pytest.mark.parametrize("role", [Role.FUNDER, Role.REVIEWER, Role.CITY_CONTACT, None])
def test_only_the_team_that_records_attendance_may_send_answered_404(client, training, role):
    client.force_login(factories.user_with(role, training.programme))
    response = send(client, training.slot, [change(training.trainees[0])])
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_another_programmes_half_day_under_this_address_answers_404(
    client, training, facilitator_user
):
    client.force_login(facilitator_user)
    elsewhere = factories.SlotFactory()
    url = reverse("sessions:attendance_sync", args=[training.programme.slug, elsewhere.pk])
    response = client.post(url, json.dumps({"changes": []}), content_type="application/json")
    assert response.status_code == 404


def test_sending_takes_the_same_number_of_queries_for_2_or_40_changes(
    client, programme, facilitator_user
):
    training = factories.build_training(programme, cities=14, activists=2)
    client.force_login(facilitator_user)
    people = training.trainees

    def count(changes) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert send(client, training.slot, changes).status_code == 200
        return len(queries)

    count([change(people[0]), change(people[1])])  # the session is cached as on a server
    # One new line and one changed line, then 38 new lines and two changed ones.
    few = count([change(people[2]), change(people[0], "late", version=1)])
    many = count(
        [change(person, "absent") for person in people[3:]]
        + [change(people[0], "absent", version=2), change(people[1], "late", version=1)]
    )
    assert len(people) >= 40
    assert few == many


def test_reports_use_the_phones_time_and_say_the_record_was_made_offline(
    client, training, facilitator_user
):
    client.force_login(facilitator_user)
    offline_person, online_person = training.trainees[:2]
    send(client, training.slot, [change(offline_person, minutes_ago=120)])
    services.attendance_record(
        slot=training.slot,
        participant_id=online_person.pk,
        status="present",
        version=0,
        user=facilitator_user,
    )
    with translation.override("en"):
        table = attendance_table(programme=training.programme)
        header = [str(title) for title in table.header]
        rows = {row[header.index("Participant id")]: row for row in table.rows}
    when, how = header.index("Recorded at"), header.index("Recorded offline")
    offline_row, online_row = rows[offline_person.pk], rows[online_person.pk]
    record = Attendance.objects.get(participant=offline_person)
    assert offline_row[when] == timezone.localtime(record.recorded_offline_at).replace(tzinfo=None)
    assert offline_row[how] == "Yes"
    assert online_row[how] == ""


def test_the_service_worker_keeps_the_attendance_pages_and_their_files(client):
    response = client.get(reverse("service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    script = response.content.decode()
    config = json.loads(re.search(r"const CONFIG = (.*);\n", script).group(1))
    assert config["cache"] == offline.cache_name()
    pattern = re.compile(config["pages"])
    assert pattern.match(reverse("sessions:attendance_list", args=["seine"]))
    assert pattern.match(reverse("sessions:attendance_sheet", args=["seine", 12]))
    assert pattern.match(reverse("dashboard"))
    assert pattern.match(reverse("sessions:attendance_sign", args=["seine", 12, "trainee", 3]))
    assert not pattern.match(reverse("participants:participant_list", args=["seine"]))
    assert not pattern.match(reverse("sessions:attendance_sync", args=["seine", 12]))
    assert config["assets"] == offline.asset_urls()
    for name in offline.ASSETS:
        assert finders.find(name), name  # one missing file fails the worker's install
    assert "pas disponible" in config["fallback"]  # the site's language without ?lang=


def test_the_worker_speaks_the_language_of_the_page_that_registered_it(client):
    # The browser fetches the worker without the page's language preferences.
    for language, words in (("en", "not available"), ("fr", "pas disponible")):
        script = client.get(reverse("service_worker"), {"lang": language}).content.decode()
        config = json.loads(re.search(r"const CONFIG = (.*);\n", script).group(1))
        assert words in config["fallback"]


def test_the_manifest_opens_at_the_dashboard_with_icons_that_exist(client):
    response = client.get(reverse("web_manifest"))
    manifest = response.json()
    assert manifest["start_url"] == reverse("dashboard")
    assert manifest["name"] == "cotraining"
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix(static(""))), icon["src"]
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


def test_the_sheet_and_the_list_carry_the_offline_bar_and_the_sync_address(
    client, training, facilitator_user
):
    client.force_login(facilitator_user)
    sheet = client.get(
        reverse("sessions:attendance_sheet", args=[training.programme.slug, training.slot.pk])
    ).content.decode()
    assert 'id="offline-bar"' in sheet
    assert f'data-sync-url="{sync_url(training.slot)}"' in sheet
    assert 'rel="manifest"' in sheet
    listing = client.get(
        reverse("sessions:attendance_list", args=[training.programme.slug])
    ).content.decode()
    prepare = re.search(r'data-offline-prepare data-urls="([^"]*)"', listing).group(1).split(" ")
    assert len(prepare) >= 1
    assert all("/attendance/" in url for url in prepare)


def test_the_offline_bar_and_the_logout_warning_speak_the_page_language():
    """Their sentences are translated once per language: switching back and forth gives each
    page its own language's sentences and the worker's address for that language."""
    template = Template("{% load offline %}{% offline_bar %}{% offline_logout %}")
    for language, received, warning in [
        ("fr", "Signature reçue", "%(count)s saisie d’émargement faite sans connexion"),
        ("en", "Signature received", "%(count)s attendance change made without a connection"),
        ("fr", "Signature reçue", "%(count)s saisie d’émargement faite sans connexion"),
    ]:
        with translation.override(language):
            html = template.render(Context({}))
        assert f'data-signature-saved="{received}"' in html
        assert f'data-worker="{reverse("service_worker")}?lang={language}"' in html
        assert f'data-cache="{offline.cache_name()}"' in html
        assert f'data-logout-url="{reverse("logout")}" data-warning-one="{warning}' in html
