"""After the training: a selected city's action plan and citizens' council milestones (recorded
by its contact), the follow-up board across cities (organisers with names, funders without),
reminders through the outbox, a milestone's document; who may see each page, and their query
budgets."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes import selectors, services
from programmes.errors import Conflict, InvalidInput
from programmes.models import (
    ActionItem,
    AuditEntry,
    CityApplication,
    CouncilMilestone,
    Membership,
    OutboxMessage,
    TriadNominee,
)
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role
Status = CityApplication.Status
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TODAY = dt.date(2016, 1, 1)


@pytest.fixture
def city(programme):
    """A selected city with its triad and its contact's account."""
    application = factories.CityApplicationFactory(
        call=factories.CallFactory(programme=programme),
        status=Status.SELECTED,
        contact_email="ville@example.org",
    )
    elected = factories.TriadNomineeFactory(
        application=application, first_name="Amélie", last_name="Duvalier"
    )
    contact = factories.UserFactory(email="contact@example.org")
    factories.MembershipFactory(
        programme=programme, user=contact, role=Role.CITY_CONTACT, application=application
    )
    application.contact_user = contact
    application.save(update_fields=["contact_user"])
    return application, elected, contact


# --- services ----------------------------------------------------------------------------------


def test_a_commitment_is_done_late_or_not_started_from_its_dates(city):
    application, elected, contact = city
    for title, target, done in [
        ("Installer le conseil", dt.date(2015, 6, 30), dt.date(2015, 6, 1)),
        ("Aller vers les habitants", dt.date(2015, 10, 31), None),
        ("Présenter un avis", dt.date(2016, 9, 30), None),
    ]:
        services.action_item_save(
            actor=contact,
            application=application,
            fields={"title": title, "owner": elected, "target_date": target, "done_on": done},
        )
    followup = selectors.city_followup_get(application=application, today=TODAY)
    assert [(line.item.title, line.state) for line in followup.actions] == [
        ("Installer le conseil", "done"),
        ("Aller vers les habitants", "late"),
        ("Présenter un avis", "not_started"),
    ]
    assert (followup.done, followup.late, followup.not_started) == (1, 1, 1)
    assert followup.actions[0].owner == "Amélie Duvalier"
    assert AuditEntry.objects.filter(action="followup.action_item_created").count() == 3


def test_a_commitment_is_carried_by_someone_of_the_citys_own_triad(city, programme):
    application, _elected, contact = city
    stranger = factories.TriadNomineeFactory(application__call=application.call)
    with pytest.raises(InvalidInput):
        services.action_item_save(
            actor=contact,
            application=application,
            fields={"title": "X", "owner": stranger, "target_date": TODAY, "done_on": None},
        )
    assert not ActionItem.objects.exists()


def test_only_a_selected_city_follows_up(programme):
    waitlisted = factories.CityApplicationFactory(
        call__programme=programme, status=Status.WAITLISTED
    )  # no other call in this programme
    with pytest.raises(Conflict):
        services.council_milestone_save(
            actor=None, application=waitlisted, kind="created", date=TODAY
        )


def test_a_milestone_recorded_again_replaces_its_date_and_document(
    city, django_capture_on_commit_callbacks
):
    application, _elected, contact = city
    first = services.council_milestone_save(
        actor=contact,
        application=application,
        kind=CouncilMilestone.Kind.FIRST_MEETING,
        date=dt.date(2015, 5, 12),
        note="24 membres",
        document=SimpleUploadedFile("pv.pdf", PDF),
    )
    old_name = first.document.name
    with django_capture_on_commit_callbacks(execute=True):
        again = services.council_milestone_save(
            actor=contact,
            application=application,
            kind=CouncilMilestone.Kind.FIRST_MEETING,
            date=dt.date(2015, 5, 19),
            document=SimpleUploadedFile("pv2.pdf", PDF),
        )
    assert again.pk == first.pk
    assert CouncilMilestone.objects.get().date == dt.date(2015, 5, 19)
    assert not first.document.storage.exists(old_name)  # removed once the change committed
    actions = list(AuditEntry.objects.values_list("action", flat=True).order_by("pk"))
    assert actions == ["followup.milestone_recorded", "followup.milestone_updated"]


def test_a_reminder_goes_through_the_outbox_with_the_follow_up_link(
    city, programme, django_capture_on_commit_callbacks
):
    application, _elected, _contact = city
    organiser = factories.MembershipFactory(programme=programme, role=Role.ORGANISER).user
    with django_capture_on_commit_callbacks(execute=True):
        written = services.followup_remind(
            actor=organiser, application=application, base_url="https://example.org"
        )
    assert written == 2  # the application's address and the contact's account
    message = OutboxMessage.objects.filter(recipient="contact@example.org").get()
    assert message.kind == OutboxMessage.Kind.REMINDER
    link = reverse("programmes:city_followup", args=[programme.slug, application.pk])
    assert f"https://example.org{link}" in message.body
    assert {m.to[0] for m in mail.outbox} == {"ville@example.org", "contact@example.org"}


def test_a_city_without_an_address_cannot_be_reminded(programme):
    application = factories.CityApplicationFactory(
        call__programme=programme, status=Status.SELECTED, contact_email=""
    )
    with pytest.raises(Conflict):
        services.followup_remind(actor=None, application=application, base_url="")
    assert not AuditEntry.objects.filter(action="followup.reminded").exists()


# --- the pages -----------------------------------------------------------------------------------


def _contact_of(application):
    user = factories.UserFactory()
    factories.MembershipFactory(
        programme=application.call.programme,
        user=user,
        role=Role.CITY_CONTACT,
        application=application,
    )
    return user


def user_with(role, programme, application=None):
    """``factories.user_with``, but a city contact is of another application of the call."""
    if role == Role.CITY_CONTACT:
        return _contact_of(factories.CityApplicationFactory(call=application.call))
    return factories.user_with(role, programme)


def _milestone(application, kind=CouncilMilestone.Kind.CREATED, **extra):
    return factories.CouncilMilestoneFactory(application=application, kind=kind, **extra)


def test_the_city_contact_records_the_first_meeting_from_their_city_page(client, city, programme):
    application, _elected, contact = city
    client.force_login(contact)
    page = client.get(reverse("programmes:city_application", args=[programme.slug, application.pk]))
    url = reverse("programmes:city_followup", args=[programme.slug, application.pk])
    assert url in page.content.decode()
    response = client.post(
        url,
        {
            "kind": "first_meeting",
            "date": "2015-05-12",
            "note": "24 membres",
            "document": SimpleUploadedFile("pv.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    milestone = CouncilMilestone.objects.get(application=application)
    assert (milestone.kind, milestone.date, milestone.recorded_by) == (
        "first_meeting",
        dt.date(2015, 5, 12),
        contact,
    )
    assert "12 mai 2015" in client.get(url).content.decode()


def test_a_document_that_is_not_a_pdf_is_refused_and_what_was_typed_stays(client, city, programme):
    application, _elected, contact = city
    client.force_login(contact)
    response = client.post(
        reverse("programmes:city_followup", args=[programme.slug, application.pk]),
        {
            "kind": "first_meeting",
            "date": "2015-05-12",
            "note": "Réunion au centre social",
            "document": SimpleUploadedFile("pv.pdf", b"not a pdf", "application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "Réunion au centre social" in response.content.decode()
    assert not CouncilMilestone.objects.exists()


def test_the_contact_adds_a_commitment_carried_by_their_triad(client, city, programme):
    application, elected, contact = city
    client.force_login(contact)
    url = reverse("programmes:action_item_create", args=[programme.slug, application.pk])
    response = client.post(
        url, {"title": "Installer le conseil", "owner": elected.pk, "target_date": "2015-06-30"}
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.owner, item.done_on) == (elected, None)
    edit = reverse("programmes:action_item_edit", args=[programme.slug, application.pk, item.pk])
    response = client.post(
        edit,
        {
            "title": "Installer le conseil",
            "owner": elected.pk,
            "target_date": "2015-06-30",
            "done_on": "2015-06-02",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_on == dt.date(2015, 6, 2)


def test_only_the_citys_contact_opens_its_follow_up_page(client, city, programme):
    application, _elected, contact = city
    item = factories.ActionItemFactory(application=application)
    other_contact = _contact_of(factories.CityApplicationFactory(call=application.call))
    urls = [
        reverse("programmes:city_followup", args=[programme.slug, application.pk]),
        reverse("programmes:action_item_create", args=[programme.slug, application.pk]),
        reverse("programmes:action_item_edit", args=[programme.slug, application.pk, item.pk]),
    ]
    others = [user_with(role, programme) for role in Role.values if role != "city_contact"]
    for user in [other_contact, user_with(None, programme), *others]:
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404], user
    client.force_login(contact)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    # Another city's commitment under this city's address: 404.
    foreign = factories.ActionItemFactory(application__call=application.call)
    url = reverse("programmes:action_item_edit", args=[programme.slug, application.pk, foreign.pk])
    assert client.get(url).status_code == 404


def test_the_board_is_for_organisers_and_funders_only(client, city, programme):
    url = reverse("programmes:followup_board", args=[programme.slug])
    expected = {
        Role.ORGANISER: 200,
        Role.FUNDER: 200,
        Role.REVIEWER: 404,
        Role.FACILITATOR: 404,
        Role.CITY_CONTACT: 404,
        None: 404,
    }
    answers = {}
    for role in expected:
        client.force_login(user_with(role, programme, city[0]))
        answers[role] = client.get(url).status_code
    assert answers == expected


def test_funders_see_the_steps_without_names_notes_or_documents(client, city, programme):
    application, elected, _contact = city
    factories.ActionItemFactory(
        application=application, owner=elected, title="Installer le conseil"
    )
    _milestone(
        application, note="Réunion chez Mme Martin", document=SimpleUploadedFile("a.pdf", PDF)
    )
    url = reverse("programmes:followup_board", args=[programme.slug])
    client.force_login(user_with(Role.ORGANISER, programme))
    organisers = client.get(url).content.decode()
    client.force_login(user_with(Role.FUNDER, programme))
    funders = client.get(url).content.decode()
    for private in ("Duvalier", "Mme Martin", "/document/", "remind/"):
        assert private in organisers
        assert private not in funders
    for shared in ("Installer le conseil", "01/04/2015"):
        assert shared in funders


def test_an_organiser_reminds_a_city_and_a_funder_cannot(client, city, programme):
    application, _elected, _contact = city
    url = reverse("programmes:followup_remind", args=[programme.slug, application.pk])
    client.force_login(user_with(Role.FUNDER, programme))
    assert client.post(url).status_code == 404
    client.force_login(user_with(None, programme))
    assert client.post(url).status_code == 404
    client.force_login(user_with(Role.ORGANISER, programme))
    assert client.post(url).status_code == 302
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.REMINDER).count() == 2


def test_a_milestones_document_is_for_the_city_and_the_organisers(client, city, programme):
    application, _elected, contact = city
    milestone = _milestone(application, document=SimpleUploadedFile("pv.pdf", PDF))
    url = reverse("programmes:milestone_document", args=[programme.slug, milestone.pk])
    expected = {Role.ORGANISER: 200, Role.FUNDER: 404, Role.REVIEWER: 404, None: 404}
    for role, status in expected.items():
        client.force_login(user_with(role, programme))
        assert client.get(url).status_code == status, role
    client.force_login(contact)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def _add_cities(programme, count: int) -> None:
    """``count`` selected cities, each with a triad member, three commitments and every step."""
    call = programme.call
    applications = [
        factories.CityApplicationFactory(call=call, status=Status.SELECTED) for _ in range(count)
    ]
    nominees = TriadNominee.objects.bulk_create(
        [
            TriadNominee(application=a, role="elected_official", first_name="A", last_name="B")
            for a in applications
        ]
    )
    ActionItem.objects.bulk_create(
        [
            ActionItem(application=n.application, owner=n, title=f"T{i}", target_date=TODAY)
            for n in nominees
            for i in range(3)
        ]
    )
    CouncilMilestone.objects.bulk_create(
        [
            CouncilMilestone(application=a, kind=kind, date=TODAY)
            for a in applications
            for kind in CouncilMilestone.Kind.values
        ]
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.FUNDER])
def test_the_board_runs_the_same_queries_for_one_city_or_thirty(client, city, programme, role):
    client.force_login(user_with(role, programme))
    url = reverse("programmes:followup_board", args=[programme.slug])
    _add_cities(programme, 1)
    few = _queries(client, url)
    _add_cities(programme, 30)
    assert _queries(client, url) == few
    assert few == 6  # session, user, programme with the roles, cities, commitments, steps


def test_the_city_page_runs_the_same_queries_with_many_commitments(client, city, programme):
    application, elected, contact = city
    client.force_login(contact)
    url = reverse("programmes:city_followup", args=[programme.slug, application.pk])
    few = _queries(client, url)
    ActionItem.objects.bulk_create(
        [
            ActionItem(application=application, owner=elected, title=f"T{i}", target_date=TODAY)
            for i in range(40)
        ]
    )
    for kind in CouncilMilestone.Kind.values:
        _milestone(application, kind=kind, document=SimpleUploadedFile("pv.pdf", PDF))
    assert _queries(client, url) == few
    assert few == 6  # session, user, application, contact check, commitments, steps
