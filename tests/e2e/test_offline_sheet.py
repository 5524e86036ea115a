"""Issue 13: a facilitator on a phone takes attendance without a network. The taps and a
signature wait on the phone, survive a reload, and are saved once when the connection returns; a
line someone else changed meanwhile is shown as a conflict; with the worker's cache gone, a clear
message."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Category
from programmes.models import Membership
from sessions import services
from sessions.models import Attendance, AttendanceChange, AttendanceSignature, Slot, SyncedChange
from sessions.signatures import chain_check
from tests import factories
from tests.conftest import PHONE, axe_violations, draw, login, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

Role = Membership.Role


def training_today():
    """Today's training day with two half-days, six trainees, and two facilitators."""
    programme = factories.ProgrammeFactory(title="Co-formation Val-d’Oise")
    phone_user = factories.UserFactory(username="anim", first_name="Odile", last_name="Martin")
    other_user = factories.UserFactory(username="anim2", first_name="Yves", last_name="Roux")
    for user in (phone_user, other_user):
        factories.MembershipFactory(programme=programme, user=user, role=Role.FACILITATOR)
    day = factories.TrainingDayFactory(
        programme=programme, date=timezone.localdate(), place="Pierrelaye"
    )
    morning = factories.SlotFactory(
        day=day, part=Slot.Part.MORNING, starts_at=dt.time(0, 0), ends_at=dt.time(12, 0)
    )
    afternoon = factories.SlotFactory(
        day=day, part=Slot.Part.AFTERNOON, starts_at=dt.time(12, 0), ends_at=dt.time(23, 59)
    )
    people = factories.ParticipantFactory.create_batch(
        6, programme=programme, category=Category.ACTIVIST
    )
    current = morning if timezone.localtime().time() < dt.time(12, 0) else afternoon
    return programme, current, (morning, afternoon), people, other_user


@pytest.fixture
def phone(browser):
    """A phone (390 x 844) whose service worker may run; the Content Security Policy is
    bypassed only so that axe-core can be injected. Reduced motion: Bootstrap then skips its
    colour transitions, which axe-core could otherwise catch halfway."""
    context = browser.new_context(
        viewport=PHONE,
        locale="fr-FR",
        service_workers="allow",
        bypass_csp=True,
        reduced_motion="reduce",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield context, page
    context.close()


def offline_sheet(context, page, live_server):
    """Prepare today online, open the current sheet, then cut the network."""
    programme, slot, slots, people, other_user = training_today()
    prepare_day(page, live_server, programme, slots)
    sheet = f"{live_server.url}/programmes/{programme.slug}/attendance/{slot.pk}/"
    page.goto(sheet)
    context.set_offline(True)
    return slot, people, other_user, sheet


def prepare_day(page, live_server, programme, slots):
    """Open the attendance list online, wait until the service worker controls the page, then
    prepare the day: every sheet of it is kept."""
    login(page, live_server, "anim", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{programme.slug}/attendance/")
    # Polled from here: wait_for_function would evaluate a string, which the policy forbids.
    wait_for(
        lambda: page.evaluate("() => navigator.serviceWorker.controller !== null"),
        timeout=20,
        what="the service worker to control the page",
    )
    page.locator("[data-offline-prepare]").click()
    page.get_by_text("Prêt sans connexion : 2 feuilles de cette journée.").wait_for()
    kept = page.evaluate(
        """async () => {
            const names = await caches.keys();
            const cache = await caches.open(names.find((n) => n.startsWith('cotraining-')));
            return (await cache.keys()).map((request) => new URL(request.url).pathname);
        }"""
    )
    for slot in slots:
        assert f"/programmes/{programme.slug}/attendance/{slot.pk}/" in kept


def tap(page, person, status="present"):
    page.locator(f"label[for='status-{person.pk}-{status}']").click()
    page.locator(f"#row-{person.pk}.att-row--offline").wait_for()


def bar_text(page) -> str:
    return page.locator("#offline-bar").inner_text()


def test_taps_made_offline_survive_a_reload_and_are_saved_once_with_a_conflict_shown(
    phone, live_server
):
    context, page = phone
    slot, people, other_user, _sheet = offline_sheet(context, page, live_server)
    page.get_by_text("Hors ligne — les modifications").or_(
        page.get_by_text("Hors ligne — vos modifications")
    ).wait_for()
    tapped = people[:5]
    for person in tapped:
        tap(page, person, "late" if person is tapped[0] else "present")
    note = page.locator(f"#note-{tapped[1].pk}")
    note.fill("Arrivée avec le car de 9 h")
    note.press("Tab")
    page.get_by_text("Hors ligne — 5 modifications en attente").wait_for()
    assert not Attendance.objects.exists()  # nothing reached the server

    # One of them signs on the phone, still offline: the signing page was kept when the day
    # was prepared; the signature waits with the taps.
    signer = tapped[3]
    page.locator(f"a[href$='sign/trainee/{signer.pk}/']").click()
    page.locator("#signature-canvas").wait_for()
    assert axe_violations(page) == []
    draw(page, page.locator("#signature-canvas"))
    page.get_by_role("button", name="Signer", exact=True).click()
    page.locator(f"#row-{signer.pk}").wait_for()
    page.get_by_text("Signature en attente d’envoi").wait_for()
    page.get_by_text("Hors ligne — 6 modifications en attente").wait_for()
    assert not AttendanceSignature.objects.exists()

    # Meanwhile, online, the other facilitator marks one of the same people absent.
    services.attendance_record(
        slot=slot, participant_id=tapped[2].pk, status="absent", version=0, user=other_user
    )

    page.reload()  # still offline: the kept sheet, plus the taps and the signature waiting
    page.get_by_text("Hors ligne — 6 modifications en attente").wait_for()
    page.get_by_text("Signature en attente d’envoi").wait_for()
    assert page.locator(f"#status-{tapped[0].pk}-late").is_checked()
    for person in tapped[1:]:
        assert page.locator(f"#status-{person.pk}-present").is_checked()
        assert "att-row--offline" in page.locator(f"#row-{person.pk}").get_attribute("class")
    assert note.input_value() == "Arrivée avec le car de 9 h"
    assert page.locator("[data-count='present']").inner_text() == "4"
    assert axe_violations(page) == []

    context.set_offline(False)
    page.get_by_text("Synchronisé à").wait_for(timeout=30_000)
    conflict = page.locator(f"#row-{tapped[2].pk}")
    conflict.locator(".att-state__error").wait_for()
    assert "att-row--error" in conflict.get_attribute("class")
    assert page.locator(f"#status-{tapped[2].pk}-absent").is_checked()
    assert "1 modification n’a pas été enregistrée" in bar_text(page)
    assert axe_violations(page) == []

    records = {r.participant_id: r for r in Attendance.objects.filter(slot=slot)}
    assert records[tapped[0].pk].status == "late"
    assert records[tapped[1].pk].note == "Arrivée avec le car de 9 h"
    assert records[tapped[2].pk].status == "absent"  # the other facilitator's, kept
    assert records[tapped[2].pk].recorded_by == other_user
    for person in (tapped[0], tapped[1], tapped[3], tapped[4]):
        assert records[person.pk].version == 1  # saved once
        assert records[person.pk].recorded_offline_at is not None
    assert AttendanceChange.objects.filter(attendance__slot=slot).count() == 5
    assert sorted(SyncedChange.objects.values_list("result", flat=True)) == [
        "applied",
        "applied",
        "applied",
        "applied",
        "applied",
        "conflict",
    ]
    # The signature, once, at the end of the chain, with the phone's time kept apart.
    page.get_by_text("Signature reçue").wait_for()
    (signature,) = AttendanceSignature.objects.filter(slot=slot)
    assert (signature.participant_id, signature.status) == (signer.pk, "present")
    assert signature.device_signed_at <= signature.signed_at
    assert signature.svg.startswith("<svg")
    assert chain_check([signature]).intact
    # The page's counters match the database.
    for status in ("present", "late", "absent"):
        expected = sum(1 for r in records.values() if r.status == status)
        assert page.locator(f"[data-count='{status}']").inner_text() == str(expected)

    # The facilitator decides: tapping the line again, online, saves it normally.
    page.locator(f"label[for='status-{tapped[2].pk}-present']").click()
    wait_for(
        lambda: Attendance.objects.get(pk=records[tapped[2].pk].pk).status == "present",
        timeout=10,
        what="the decided line saved",
    )


def test_with_the_workers_cache_cleared_the_page_says_so_and_nothing_is_lost(phone, live_server):
    context, page = phone
    slot, people, _other, sheet = offline_sheet(context, page, live_server)
    tap(page, people[0])
    tap(page, people[1], "absent")
    page.get_by_text("Hors ligne — 2 modifications en attente").wait_for()
    page.evaluate("async () => Promise.all((await caches.keys()).map((n) => caches.delete(n)))")
    # Signing offline needs the signing page kept: without it the sheet says so and stays.
    page.locator(f"a[href$='sign/trainee/{people[0].pk}/']").click()
    page.get_by_text("Pour signer sans connexion, la journée doit avoir été préparée").wait_for()
    expect(page.locator("#sheet-form")).to_be_visible()

    page.reload()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Cette page n’est pas disponible sans connexion"
    assert "aucune n’est perdue" in page.locator("main").inner_text()
    assert axe_violations(page) == []

    context.set_offline(False)
    page.goto(sheet)
    page.get_by_text("Synchronisé à").wait_for(timeout=30_000)
    wait_for(
        lambda: Attendance.objects.filter(slot=slot).count() == 2,
        timeout=10,
        what="the two kept taps saved",
    )
    statuses = dict(Attendance.objects.values_list("participant_id", "status"))
    assert statuses == {people[0].pk: "present", people[1].pk: "absent"}


def test_logging_out_with_changes_waiting_asks_first_and_only_then_forgets_them(phone, live_server):
    context, page = phone
    slot, people, _other, sheet = offline_sheet(context, page, live_server)
    tap(page, people[0])
    page.get_by_text("Hors ligne — 1 modification en attente").wait_for()
    waiting = "async () => (await cotrainingQueue.waiting()).length"
    log_out = "document.querySelector('form[action=\"/logout/\"]').requestSubmit()"
    asked = []

    def answer(accept):
        def handle(dialog):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(accept=False))
    page.evaluate(log_out)
    wait_for(lambda: asked or page.wait_for_timeout(100), timeout=10, what="the warning")
    assert "1 saisie d’émargement faite sans connexion n’a pas encore été envoyée" in asked[0]
    assert page.evaluate(waiting) == 1  # kept: the facilitator said no

    page.once("dialog", answer(accept=True))
    page.evaluate(log_out)
    wait_for(lambda: len(asked) == 2 or page.wait_for_timeout(100), timeout=10, what="asked")
    context.set_offline(False)
    again = context.new_page()
    again.goto(sheet)  # the logout could not reach the server offline: still signed in here
    assert again.evaluate(waiting) == 0
    assert again.evaluate("async () => (await cotrainingQueue.all()).length") == 0
    assert not Attendance.objects.filter(slot=slot).exists()


def test_the_worker_and_the_kept_sheet_run_under_the_content_security_policy(
    phone_page, live_server
):
    page = phone_page  # the app's real policy, not bypassed
    programme, slot, slots, people, _other = training_today()
    prepare_day(page, live_server, programme, slots)
    page.goto(f"{live_server.url}/programmes/{programme.slug}/attendance/{slot.pk}/")
    page.context.set_offline(True)
    page.reload()
    page.get_by_text("Hors ligne — vos modifications").wait_for()
    tap(page, people[0])
    page.get_by_text("Hors ligne — 1 modification en attente").wait_for()
    assert page.csp_errors == []
