"""A facilitator on a phone opens today's sheet, marks statuses, closes it, and the
participation page shows the new rates."""

import datetime as dt
import time

import pytest
from django.utils import timezone, translation

from participants.models import Category
from programmes.models import Membership
from reports.models import SealedSheet
from sessions.models import Attendance, AttendanceSignature, Slot
from tests import factories
from tests.conftest import axe_violations, draw, login

pytestmark = pytest.mark.django_db(transaction=True)

Role = Membership.Role


def training_today():
    """A programme with yesterday's closed half-day and today's two half-days, one city's
    triad and two activists, and a facilitator who can log in."""
    programme = factories.ProgrammeFactory(title="Co-formation Seine-Saint-Denis")
    user = factories.UserFactory(username="anim", first_name="Odile", last_name="Martin")
    factories.MembershipFactory(programme=programme, user=user, role=Role.FACILITATOR)
    today = timezone.localdate()
    yesterday = factories.TrainingDayFactory(programme=programme, date=today - dt.timedelta(days=1))
    day = factories.TrainingDayFactory(programme=programme, date=today, place="Pierrelaye")
    factories.SlotFactory(day=yesterday, part=Slot.Part.AFTERNOON, closed_at=timezone.now())
    morning = factories.SlotFactory(
        day=day, part=Slot.Part.MORNING, starts_at=dt.time(0, 0), ends_at=dt.time(12, 0)
    )
    afternoon = factories.SlotFactory(
        day=day, part=Slot.Part.AFTERNOON, starts_at=dt.time(12, 0), ends_at=dt.time(23, 59)
    )
    trainer = factories.ParticipantFactory(
        programme=programme, category=Category.FACILITATOR, first_name="Odile", last_name="Martin"
    )
    factories.ActivityFactory(slot=morning, title="Groupes de pairs").facilitators.add(trainer)
    factories.ActivityFactory(slot=afternoon, title="Plénière").facilitators.add(trainer)
    city = factories.CityFactory(name="Bondy")
    people = [
        factories.ParticipantFactory(programme=programme, category=category, city=city)
        for category in (
            Category.ELECTED_OFFICIAL,
            Category.CITY_PROFESSIONAL,
            Category.PREFECTS_DELEGATE,
        )
    ]
    people += factories.ParticipantFactory.create_batch(
        2, programme=programme, category=Category.ACTIVIST
    )
    current = morning if timezone.localtime().time() < dt.time(12, 0) else afternoon
    return programme, current, people


def status_of(person, slot) -> str:
    return (
        Attendance.objects.filter(participant=person, slot=slot)
        .values_list("status", flat=True)
        .first()
        or ""
    )


def eventually(check, seconds: float = 10) -> None:
    """Wait until ``check()`` is true: a tap is saved by a request the page sends on its own."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_facilitator_takes_attendance_on_a_phone(phone_page, live_server, monkeypatch):
    from cotraining.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    page = phone_page
    programme, slot, people = training_today()
    absent, late, *present = people

    login(page, live_server, "anim", factories.PASSWORD)
    page.get_by_role("link", name="Co-formation Seine-Saint-Denis").click()
    page.get_by_role("link", name="Émargement").click()
    # Today's current half-day comes first.
    page.locator(".slot-list li").first.get_by_role("link").click()
    with translation.override("fr"):  # the browser asks for French, whatever this thread speaks
        part = slot.get_part_display()
    assert page.get_by_role("heading", level=1).inner_text().endswith(part)

    def row(person):
        return page.locator(f"#row-{person.pk}")

    def saved(person):
        row(person).locator(".att-state__saved").wait_for()

    for person in present:
        row(person).get_by_text("Présent·e", exact=True).click()
        saved(person)
    row(absent).get_by_text("Absent·e", exact=True).click()
    saved(absent)
    # Two quick taps on the same line: the second one wins, nothing is undone.
    row(late).get_by_text("Présent·e", exact=True).click()
    row(late).get_by_text("En retard", exact=True).click()
    eventually(lambda: status_of(late, slot) == "late")
    row(late).locator(f"#note-{late.pk}").fill("20 minutes")
    # The note's own request (the "late" tap's answer may still be on its way).
    with page.expect_response(
        lambda response: (
            f"/record/{late.pk}/" in response.url
            and "minutes" in (response.request.post_data or "")
        )
    ):
        row(late).locator(f"#note-{late.pk}").press("Tab")

    assert page.locator('[data-count="present"]').inner_text() == str(len(present))
    assert page.locator('[data-count="unrecorded"]').inner_text() == "0"
    recorded = dict(Attendance.objects.filter(slot=slot).values_list("participant_id", "status"))
    assert recorded == {
        **{person.pk: "present" for person in present},
        absent.pk: "absent",
        late.pk: "late",
    }
    assert Attendance.objects.get(participant=late, slot=slot).note == "20 minutes"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # One signs with the finger, one makes a mark witnessed by the facilitator, who signs last.
    row(present[0]).get_by_role("link", name="Signer").click()
    draw(page, page.locator("#signature-canvas"))
    page.get_by_role("button", name="Signer").click()
    row(present[0]).locator("svg.signature-svg").wait_for()
    row(present[1]).get_by_role("link", name="Signer").click()
    page.get_by_label("Une marque au lieu de la signature").check()
    page.get_by_label("Initiales ou une croix").fill("X")
    page.get_by_role("button", name="Signer").click()
    row(present[1]).get_by_text("Marque « X »").wait_for()
    page.get_by_role("link", name="Signer en tant que formateur·rice").click()
    draw(page, page.locator("#signature-canvas"))
    page.get_by_role("button", name="Signer").click()
    page.locator("#signatures svg.signature-svg").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("form[action*='/close/'] button").click()
    page.locator("[data-sheet-closed]").wait_for()
    assert page.locator("input[type=radio]").count() == 0
    signatures = AttendanceSignature.objects.filter(slot=slot).order_by("sequence")
    assert [(s.role, s.method) for s in signatures] == [
        ("trainee", "device"),
        ("trainee", "mark_with_witness"),
        ("trainer", "device"),
    ]
    assert len(signatures[0].strokes["strokes"]) == 1
    seal = SealedSheet.objects.get(slot=slot)
    assert seal.file_sha256
    page.goto(f"{live_server.url}/verify/")
    page.get_by_label("Code de vérification").fill(seal.display_code)
    page.get_by_role("button", name="Vérifier").click()
    page.get_by_text("Intacte.").wait_for()
    page.goto(f"{live_server.url}/programmes/{programme.slug}/attendance/{slot.pk}/")

    page.get_by_role("link", name="Participation").click()
    # Yesterday's closed half-day had nobody marked: 4 attended of 5 today, 0 of 5 yesterday.
    assert page.locator('[data-figure="participation-rate"]').inner_text() == "40 %"
    assert page.locator(f'#by-slot tr[data-key="{slot.pk}"] [data-rate]').inner_text() == "80 %"
    assert page.csp_errors == []


def test_the_attendance_pages_pass_axe_at_phone_width(a11y_page, live_server):
    page = a11y_page
    programme, slot, people = training_today()
    organiser = factories.UserFactory(username="orga")
    factories.MembershipFactory(programme=programme, user=organiser, role=Role.ORGANISER)
    factories.AttendanceFactory(participant=people[0], slot=slot, status="late")
    login(page, live_server, "orga", factories.PASSWORD)
    base = f"{live_server.url}/programmes/{programme.slug}"
    for path in [
        f"/attendance/{slot.pk}/",
        "/attendance/",
        "/participation/",
        "/timetable/",
        "/participants/",
        "/peer-groups/",
        f"/timetable/half-days/{slot.pk}/activities/new/",
        f"/attendance/{slot.pk}/sign/trainee/{people[0].pk}/",
    ]:
        page.goto(base + path)
        assert axe_violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path


def test_five_sign_one_through_the_qr_code_and_the_sealed_sheet_verifies(
    browser, phone_page, live_server, monkeypatch
):
    """Issue 12's "done when": at 390 px, three people sign on the facilitator's phone, one
    marks, one signs on their own phone through the QR code (a second browser context, checked
    with axe), the facilitator signs and closes; the sealed PDF shows the five and verifies at
    /verify/, and the same file with one byte changed does not."""
    from cotraining.celery import app as celery_app
    from sessions import checkin
    from tests.conftest import PHONE, normalise, pdf_text

    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    page = phone_page
    programme, slot, people = training_today()
    *on_phone, marking, scanning = people
    login(page, live_server, "anim", factories.PASSWORD)
    sheet = f"{live_server.url}/programmes/{programme.slug}/attendance/{slot.pk}/"
    page.goto(sheet)
    page.locator("form[action*='mark-present'] button").click()
    page.locator('[data-count="present"]').wait_for()
    assert page.locator('[data-count="present"]').inner_text() == "5"

    def row(person):
        return page.locator(f"#row-{person.pk}")

    for person in on_phone:
        row(person).get_by_role("link", name="Signer").click()
        draw(page, page.locator("#signature-canvas"))
        page.get_by_role("button", name="Signer").click()
        row(person).locator("svg.signature-svg").wait_for()
    row(marking).get_by_role("link", name="Signer").click()
    page.get_by_label("Une marque au lieu de la signature").check()
    page.get_by_label("Initiales ou une croix").fill("X")
    page.get_by_role("button", name="Signer").click()
    row(marking).get_by_text("Marque « X »").wait_for()

    # The facilitator shows the code; the participant signs on their own phone.
    page.get_by_role("link", name="Afficher le code pour signer sur un téléphone").click()
    page.locator("svg.checkin-qr").wait_for()
    code_url = page.locator("#checkin-code a").get_attribute("href")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    their = browser.new_context(viewport=PHONE, locale="fr-FR", bypass_csp=True)
    phone = their.new_page()
    phone.set_default_timeout(10_000)
    link = f"{live_server.url}/check-in/me/{checkin.person_token(scanning)}/"
    phone.goto(link)
    phone.get_by_text("Ce téléphone est prêt").wait_for()
    assert axe_violations(phone) == []
    phone.goto(code_url)
    phone.get_by_text(f"Vous êtes {scanning.full_name}").wait_for()
    assert axe_violations(phone) == []
    draw(phone, phone.locator("#signature-canvas"))
    phone.get_by_role("button", name="Je signe").click()
    phone.get_by_text("Vous avez signé").wait_for()
    assert axe_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    other = Slot.objects.filter(day=slot.day).exclude(pk=slot.pk).get()
    phone.goto(f"{live_server.url}/check-in/{slot.pk}/{checkin.code_make(other)}/")
    phone.get_by_text("une autre demi-journée").wait_for()
    assert axe_violations(phone) == []
    their.close()

    page.goto(sheet)
    row(scanning).locator("svg.signature-svg").wait_for()
    page.get_by_role("link", name="Signer en tant que formateur·rice").click()
    draw(page, page.locator("#signature-canvas"))
    page.get_by_role("button", name="Signer").click()
    page.locator("#signatures svg.signature-svg").wait_for()
    page.locator("form[action*='/close/'] button").click()
    page.locator("[data-sheet-closed]").wait_for()
    methods = list(
        AttendanceSignature.objects.filter(slot=slot)
        .order_by("sequence")
        .values_list("participant_id", "method")
    )
    assert methods == [
        *((person.pk, "device") for person in on_phone),
        (marking.pk, "mark_with_witness"),
        (scanning.pk, "self_checkin"),
        (methods[-1][0], "device"),
    ]

    pdf = page.request.get(
        f"{live_server.url}/programmes/{programme.slug}/attendance/{slot.pk}/sealed.pdf"
    ).body()
    text = normalise(pdf_text(pdf))
    for person in people:
        assert person.full_name in text
    seal = SealedSheet.objects.get(slot=slot)
    assert seal.signature_count == 6

    def verify(content: bytes) -> str:
        page.goto(f"{live_server.url}/verify/")
        page.get_by_label("Ou le fichier PDF de la feuille").set_input_files(
            {"name": "feuille.pdf", "mimeType": "application/pdf", "buffer": content}
        )
        page.get_by_role("button", name="Vérifier").click()
        return page.locator("[data-verify-result]").get_attribute("data-verify-result")

    assert verify(pdf) == "intact"
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    assert verify(bytes(changed)) == "not-matching"
    assert page.csp_errors == []
