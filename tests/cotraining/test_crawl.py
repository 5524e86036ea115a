"""Every page of the project, for every role, with real ids from a small programme.

One table names each URL pattern (except the admin's), who may reach it (anyone, anyone logged
in, or the members of one programme) and the ids it takes. For each role every page is asked for
with GET, and:

- no page ever answers 500, nor 403 inside a programme (what a user may not see does not exist
  for them; only the creation page, which names no programme, refuses with 403);
- a member of another programme gets 404 on every page of this one, an anonymous visitor the
  login page; an action that takes only POST answers GET with 405 whoever asks (that tells
  nothing), so the outsider and the visitor also try it with POST, and get 404 or the login page;
- another programme's ids under this programme's address answer 404, even to its organiser;
- a link shown to a user leads to a page that user may open (no dead ends, no forbidden pages).

The reports pages (the list, asking for a report, a run's status, its download, the exports and
the blank attendance sheet) also have the exact answer each role gets, in their own table.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cotraining.celery import app as celery_app
from participants.models import Category, EvaluationInvitation, PeerGroup
from participants.services import evaluation_token
from programmes.models import (
    ApplicationMessage,
    CityApplication,
    Membership,
    OutboxMessage,
    Programme,
)
from programmes.selectors import INVITATION_SALT
from programmes.services import team_invitation_create
from programmes.services.applications import SIGN_UP_SALT
from reports.models import ReportPart, ReportRun, person_document_path
from tests import factories

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = CityApplication.Status
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ROLES = ["anonymous", "organiser", "reviewer", "facilitator", "funder", "city_contact", "outsider"]
ROLES_OUTSIDE = ("anonymous", "outsider")
MEMBER_ROLES = ["organiser", "reviewer", "facilitator", "funder", "city_contact"]


@dataclass
class World:
    """One programme with one object of every kind a URL can name."""

    programme: Programme
    application: CityApplication  # submitted, assigned to the reviewer, held by the city contact
    selected: CityApplication  # selected, with its contribution in the ledger
    funding: object
    budget_line: object
    participant: object
    peer_group: object
    day: object
    slot: object
    activity: object
    token: str
    sign_up_token: str
    users: dict
    run: ReportRun  # a participation report, built: funders may download it
    certificates: ReportRun  # built too, in parts (the participant has their own file)
    invitation: object  # a pending invitation to the team
    team_token: str  # its link's token
    membership: object  # a team member's role
    action_item: object  # a commitment of the selected city's action plan
    milestone: object  # a step of its citizens' council, with a document
    expense: object  # an activist's expense
    thread_message: object  # a message with a document in the application's thread


def build_world(*, with_users: bool = True) -> World:
    today = timezone.localdate()
    programme = factories.ProgrammeFactory(status=Programme.Status.CALL_OPEN)
    call = factories.CallFactory(
        programme=programme,
        opens_on=today - dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=5),
        published_at=timezone.now(),
    )
    criterion = factories.SelectionCriterionFactory(call=call)
    application = factories.CityApplicationFactory(
        call=call,
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        commitment_letter=SimpleUploadedFile("letter.pdf", PDF, "application/pdf"),
    )
    factories.TriadNomineeFactory(application=application)
    thread_message = ApplicationMessage.objects.create(
        application=application,
        side=ApplicationMessage.Side.CITY,
        body="La délibération du conseil.",
        attachment=SimpleUploadedFile("deliberation.pdf", PDF, "application/pdf"),
    )
    selected = factories.CityApplicationFactory(call=call, status=Status.SELECTED)
    factories.CityContributionFactory(application=selected)
    funding = factories.FundingFactory(programme=programme)
    budget_line = factories.BudgetLineFactory(programme=programme, funding=funding)
    peer_group = factories.PeerGroupFactory(
        programme=programme, knowledge=PeerGroup.Knowledge.PROFESSIONAL
    )
    participant = factories.ParticipantFactory(
        programme=programme, category=Category.CITY_PROFESSIONAL, peer_group=peer_group
    )
    factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    slot = factories.SlotFactory(day__programme=programme)
    factories.SlotFactory(day=slot.day, part="afternoon")
    activity = factories.ActivityFactory(slot=slot, peer_group=peer_group)
    factories.AttendanceFactory(slot=slot, participant=participant)
    token = signing.dumps(
        {"programme": programme.pk, "email": "ville@example.org"}, salt=INVITATION_SALT
    )
    run, certificates = (
        factories.ReportRunFactory(
            programme=programme,
            kind=kind,
            status=ReportRun.Status.DONE,
            file=SimpleUploadedFile(f"{kind}.pdf", PDF, "application/pdf"),
            file_size=len(PDF),
            page_count=1,
            progress=100,
            finished_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(days=30),
        )
        for kind in (ReportRun.Kind.PARTICIPATION, ReportRun.Kind.CERTIFICATES)
    )
    ReportPart.objects.create(
        run=certificates,
        index=0,
        participant_ids=[participant.pk],
        status=ReportPart.Status.DONE,
        progress=100,
        page_count=1,
    )
    default_storage.save(person_document_path(certificates, participant.pk), ContentFile(PDF))
    invitation, team_url = team_invitation_create(
        actor=None,
        programme=programme,
        email=f"invite-{programme.pk}@example.org",
        role=Role.FACILITATOR,
        language="fr",
        base_url="",
    )
    membership = factories.MembershipFactory(programme=programme, role=Role.FACILITATOR)
    action_item = factories.ActionItemFactory(application=selected)
    milestone = factories.CouncilMilestoneFactory(
        application=selected, document=SimpleUploadedFile("pv.pdf", PDF, "application/pdf")
    )
    expense = factories.ExpenseFactory(
        participant__programme=programme, day=slot.day, budget_line=budget_line
    )
    users = {}
    if with_users:
        for role in (Role.ORGANISER, Role.REVIEWER, Role.FACILITATOR, Role.FUNDER):
            users[str(role)] = factories.MembershipFactory(programme=programme, role=role).user
        contact = factories.UserFactory()
        factories.MembershipFactory(
            programme=programme, user=contact, role=Role.CITY_CONTACT, application=application
        )
        application.contact_user = contact
        application.save(update_fields=["contact_user"])
        users["city_contact"] = contact
        factories.ReviewAssignmentFactory(application=application, reviewer=users["reviewer"])
        factories.ReviewFactory(
            application=application, reviewer=users["organiser"], submitted_at=timezone.now()
        )
        factories.ReviewScoreFactory(
            review__application=selected, review__submitted_at=timezone.now(), criterion=criterion
        )
    return World(
        programme=programme,
        application=application,
        selected=selected,
        funding=funding,
        budget_line=budget_line,
        participant=participant,
        peer_group=peer_group,
        day=slot.day,
        slot=slot,
        activity=activity,
        token=token,
        sign_up_token=signing.dumps(
            {
                "call": call.pk,
                "account": {
                    "username": "nouvelle@example.org",
                    "email": "nouvelle@example.org",
                    "first_name": "Nora",
                    "last_name": "Nouvelle",
                },
                "city": None,
                "new_city": {"name": "Bondy", "insee_code": "93010", "departement": "93"},
            },
            salt=SIGN_UP_SALT,
            compress=True,
        ),
        users=users,
        run=run,
        certificates=certificates,
        invitation=invitation,
        team_token=team_url.rstrip("/").rsplit("/", 1)[-1],
        membership=membership,
        action_item=action_item,
        milestone=milestone,
        expense=expense,
        thread_message=thread_message,
    )


PUBLIC, LOGIN, PROGRAMME = "public", "login", "programme"


def _slug(w):
    return {"slug": w.programme.slug}


def _app(w):
    return _slug(w) | {"pk": w.application.pk}


def _slot(w):
    return _slug(w) | {"slot_id": w.slot.pk}


def _message(w):
    """An e-mail of the programme's outbox (made on first use)."""
    message = OutboxMessage.objects.filter(programme=w.programme).first()
    if message is None:
        message = OutboxMessage.objects.create(
            programme=w.programme,
            recipient="ville@example.org",
            language="fr",
            subject="Objet",
            body="Texte",
            kind=OutboxMessage.Kind.DECISION,
            object_type="cityapplication",
            object_id=str(w.application.pk),
        )
    return _slug(w) | {"pk": message.pk}


def _evaluation(w):
    """A questionnaire of the programme with a question, a round and an invitation of its
    participant (made on first use)."""
    invitation = (
        EvaluationInvitation.objects.filter(round__questionnaire__programme=w.programme)
        .select_related("round__questionnaire")
        .first()
    )
    if invitation is None:
        invitation = factories.EvaluationInvitationFactory(
            round__questionnaire__programme=w.programme, participant=w.participant
        )
    questionnaire = invitation.round.questionnaire
    question = questionnaire.questions.first() or factories.QuestionFactory(
        questionnaire=questionnaire
    )
    return {
        "questionnaire_id": questionnaire.pk,
        "question_id": question.pk,
        "round_id": invitation.round_id,
        "invitation_id": invitation.pk,
        "token": evaluation_token(invitation),
    }


def _evaluation_args(*names):
    return lambda w: _slug(w) | {name: _evaluation(w)[name] for name in names}


# url name: (who may reach it, its arguments from a World)
PAGES = {
    "dashboard": (LOGIN, lambda w: {}),
    "healthz": (PUBLIC, lambda w: {}),
    "service_worker": (PUBLIC, lambda w: {}),
    "web_manifest": (PUBLIC, lambda w: {}),
    "login": (PUBLIC, lambda w: {}),
    "logout": (PUBLIC, lambda w: {}),
    "password_reset": (PUBLIC, lambda w: {}),
    "password_reset_done": (PUBLIC, lambda w: {}),
    "password_reset_confirm": (PUBLIC, lambda w: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": (PUBLIC, lambda w: {}),
    "password_change": (LOGIN, lambda w: {}),
    "password_change_done": (LOGIN, lambda w: {}),
    "programmes:account": (LOGIN, lambda w: {}),
    "programmes:team_invitation_accept": (PUBLIC, lambda w: {"token": w.team_token}),
    "programmes:team": (PROGRAMME, _slug),
    "programmes:team_invite": (PROGRAMME, _slug),
    "programmes:team_invitation_resend": (
        PROGRAMME,
        lambda w: _slug(w) | {"pk": w.invitation.pk},
    ),
    "programmes:team_invitation_revoke": (
        PROGRAMME,
        lambda w: _slug(w) | {"pk": w.invitation.pk},
    ),
    "programmes:team_member_role": (PROGRAMME, lambda w: _slug(w) | {"pk": w.membership.pk}),
    "programmes:team_member_remove": (PROGRAMME, lambda w: _slug(w) | {"pk": w.membership.pk}),
    "set_language": (PUBLIC, lambda w: {}),
    "accessibility": (PUBLIC, lambda w: {}),
    "programme_overview": (PROGRAMME, _slug),
    "programmes:programme_create": (LOGIN, lambda w: {}),
    "programmes:programme_edit": (PROGRAMME, _slug),
    "programmes:programme_close": (PROGRAMME, _slug),
    "programmes:finances": (PROGRAMME, _slug),
    "programmes:funding_create": (PROGRAMME, _slug),
    "programmes:funding_edit": (PROGRAMME, lambda w: _slug(w) | {"pk": w.funding.pk}),
    "programmes:budget_line_create": (PROGRAMME, _slug),
    "programmes:budget_line_edit": (PROGRAMME, lambda w: _slug(w) | {"pk": w.budget_line.pk}),
    "programmes:finance_row_delete": (
        PROGRAMME,
        lambda w: _slug(w) | {"kind": "budget-lines", "pk": w.budget_line.pk},
    ),
    "programmes:contribution_edit": (PROGRAMME, lambda w: _slug(w) | {"pk": w.selected.pk}),
    "programmes:organisation_images": (
        PROGRAMME,
        lambda w: _slug(w) | {"pk": w.funding.funder_id},
    ),
    "programmes:organisation_image": (
        PROGRAMME,
        lambda w: _slug(w) | {"pk": w.funding.funder_id, "which": "logo"},
    ),
    "programmes:call_edit": (PROGRAMME, _slug),
    "programmes:call_publish": (PROGRAMME, _slug),
    "programmes:call_invite": (PROGRAMME, _slug),
    "programmes:application_list": (PROGRAMME, _slug),
    "programmes:access_requests": (PROGRAMME, _slug),
    "programmes:application_detail": (PROGRAMME, _app),
    "programmes:application_assign": (PROGRAMME, _app),
    "programmes:application_request_information": (PROGRAMME, _app),
    "programmes:review_edit": (PROGRAMME, _app),
    "programmes:application_decide": (PROGRAMME, _app),
    "programmes:application_promote": (PROGRAMME, _app),
    "programmes:commitment_letter": (PROGRAMME, _app),
    "programmes:application_message": (PROGRAMME, _app),
    "programmes:application_message_attachment": (
        PROGRAMME,
        lambda w: _app(w) | {"message_id": w.thread_message.pk},
    ),
    "programmes:selection_board": (PROGRAMME, _slug),
    "programmes:selection_close": (PROGRAMME, _slug),
    "programmes:message_list": (PROGRAMME, _slug),
    "programmes:message_resend": (PROGRAMME, _message),
    "programmes:notification_preferences": (PROGRAMME, _slug),
    "programmes:journal": (PROGRAMME, _slug),
    # The published call and the first step of applying are public on purpose.
    "programmes:call_public": (PUBLIC, _slug),
    "programmes:apply_sign_up": (PUBLIC, _slug),
    "programmes:apply_invitation": (PUBLIC, lambda w: _slug(w) | {"token": w.token}),
    "programmes:apply_confirm": (PUBLIC, lambda w: _slug(w) | {"token": w.sign_up_token}),
    "programmes:city_application": (PROGRAMME, _app),
    "programmes:city_application_edit": (PROGRAMME, _app),
    "programmes:city_application_withdraw": (PROGRAMME, _app),
    "programmes:followup_board": (PROGRAMME, _slug),
    "programmes:followup_remind": (PROGRAMME, lambda w: _slug(w) | {"pk": w.selected.pk}),
    "programmes:milestone_document": (PROGRAMME, lambda w: _slug(w) | {"pk": w.milestone.pk}),
    "programmes:city_followup": (PROGRAMME, lambda w: _slug(w) | {"pk": w.selected.pk}),
    "programmes:action_item_create": (PROGRAMME, lambda w: _slug(w) | {"pk": w.selected.pk}),
    "programmes:action_item_edit": (
        PROGRAMME,
        lambda w: _slug(w) | {"pk": w.selected.pk, "item_id": w.action_item.pk},
    ),
    "programmes:city_application_message": (PROGRAMME, _app),
    "participants:participant_list": (PROGRAMME, _slug),
    "participants:participant_create": (PROGRAMME, _slug),
    "participants:participant_edit": (
        PROGRAMME,
        lambda w: _slug(w) | {"participant_id": w.participant.pk},
    ),
    "person_export": (
        PROGRAMME,
        lambda w: _slug(w) | {"participant_id": w.participant.pk},
    ),
    "person_erase": (
        PROGRAMME,
        lambda w: _slug(w) | {"participant_id": w.participant.pk},
    ),
    "participants:peer_groups": (PROGRAMME, _slug),
    "participants:peer_group_create": (PROGRAMME, _slug),
    "participants:peer_group_proposal": (PROGRAMME, _slug),
    "participants:peer_group_edit": (PROGRAMME, lambda w: _slug(w) | {"group_id": w.peer_group.pk}),
    "sessions:timetable": (PROGRAMME, _slug),
    "sessions:day_create": (PROGRAMME, _slug),
    "sessions:day_edit": (PROGRAMME, lambda w: _slug(w) | {"day_id": w.day.pk}),
    "sessions:slot_create": (PROGRAMME, lambda w: _slug(w) | {"day_id": w.day.pk}),
    "sessions:slot_edit": (PROGRAMME, _slot),
    "sessions:activity_create": (PROGRAMME, _slot),
    "sessions:activity_edit": (PROGRAMME, lambda w: _slug(w) | {"activity_id": w.activity.pk}),
    "sessions:trainingday_delete": (PROGRAMME, lambda w: _slug(w) | {"pk": w.day.pk}),
    "sessions:slot_delete": (PROGRAMME, lambda w: _slug(w) | {"pk": w.slot.pk}),
    "sessions:activity_delete": (PROGRAMME, lambda w: _slug(w) | {"pk": w.activity.pk}),
    "sessions:attendance_list": (PROGRAMME, _slug),
    "sessions:attendance_sheet": (PROGRAMME, _slot),
    "sessions:attendance_record": (
        PROGRAMME,
        lambda w: _slot(w) | {"participant_id": w.participant.pk},
    ),
    "sessions:attendance_mark_present": (PROGRAMME, _slot),
    "sessions:attendance_sync": (PROGRAMME, _slot),
    "sessions:attendance_sign": (
        PROGRAMME,
        lambda w: _slot(w) | {"role": "trainee", "participant_id": w.participant.pk},
    ),
    "sessions:slot_close": (PROGRAMME, _slot),
    "sessions:slot_reopen": (PROGRAMME, _slot),
    "sessions:participation": (PROGRAMME, _slug),
    "sessions:expenses": (PROGRAMME, _slug),
    "sessions:expense_create": (PROGRAMME, _slug),
    "sessions:expense_edit": (PROGRAMME, lambda w: _slug(w) | {"pk": w.expense.pk}),
    "sessions:triad_replace": (PROGRAMME, _slug),
    "sessions:checkin_code": (PROGRAMME, _slot),
    "sessions:attendance_correct": (
        PROGRAMME,
        lambda w: _slot(w) | {"participant_id": w.participant.pk},
    ),
    "sessions:paper_scan": (PROGRAMME, _slot),
    "sessions:paper_scan_download": (PROGRAMME, lambda w: _slot(w) | {"scan_id": 1}),
    # A participant's phone: with a personal link or an account, during the half-day.
    "sessions:checkin_person": (
        PUBLIC,
        lambda w: {"token": signing.dumps(w.participant.pk, salt="sessions.checkin.person")},
    ),
    "sessions:checkin": (
        PUBLIC,
        lambda w: {
            "slot_id": w.slot.pk,
            "code": signing.TimestampSigner(salt="sessions.checkin.code").sign(str(w.slot.pk)),
        },
    ),
    "reports:report_list": (PROGRAMME, _slug),
    "reports:report_run_status": (PROGRAMME, lambda w: _slug(w) | {"pk": w.run.pk}),
    "reports:report_run_download": (PROGRAMME, lambda w: _slug(w) | {"pk": w.run.pk}),
    "reports:report_run_people": (PROGRAMME, lambda w: _slug(w) | {"pk": w.certificates.pk}),
    "reports:report_run_person_download": (
        PROGRAMME,
        lambda w: _slug(w) | {"pk": w.certificates.pk, "participant_id": w.participant.pk},
    ),
    "reports:export": (
        PROGRAMME,
        lambda w: _slug(w) | {"dataset": "attendance", "file_format": "csv"},
    ),
    "reports:attendance_sheet_pdf": (PROGRAMME, _slot),
    "reports:sealed_sheet_pdf": (PROGRAMME, _slot),
    "reports:verify": (PUBLIC, lambda w: {}),
    "participants:evaluation": (PROGRAMME, _slug),
    "participants:evaluation_create_default": (PROGRAMME, _slug),
    "participants:questionnaire_create": (PROGRAMME, _slug),
    "participants:questionnaire": (PROGRAMME, _evaluation_args("questionnaire_id")),
    "participants:questionnaire_print": (PROGRAMME, _evaluation_args("questionnaire_id")),
    "participants:question_delete": (PROGRAMME, _evaluation_args("question_id")),
    "participants:round_update": (PROGRAMME, _evaluation_args("round_id")),
    "participants:paper_entry": (PROGRAMME, _evaluation_args("invitation_id")),
    # The personal link: the signed token is the right to answer, no account needed.
    "participants:evaluation_answer": (PUBLIC, lambda w: {"token": _evaluation(w)["token"]}),
    "reports:evaluation_results": (PROGRAMME, _evaluation_args("questionnaire_id")),
    # Public once the organisers open it (404 before, except to them).
    "reports:public_results": (PUBLIC, _slug),
    "reports:public_results_toggle": (PROGRAMME, _slug),
    "reports:certificate_pdf": (
        PROGRAMME,
        lambda w: _slug(w) | {"participant_id": w.participant.pk},
    ),
    "reports:certificate_send": (
        PROGRAMME,
        lambda w: _slug(w) | {"participant_id": w.participant.pk},
    ),
}

# The admin is Django's.
SKIPPED_PREFIXES = ("admin:",)


def url_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return {name for name in names if not name.startswith(SKIPPED_PREFIXES)}


def get(client, url):
    client.raise_request_exception = False  # a 500 is a result to report, not a crash
    return client.get(url)


def to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def as_role(client, world, role):
    if role == "outsider":
        outsider = factories.MembershipFactory(role=Role.ORGANISER).user  # another programme's
        client.force_login(outsider)
    elif role != "anonymous":
        client.force_login(world.users[role])
    return client


def test_the_table_names_every_url_pattern_of_the_project():
    assert url_names() == set(PAGES), "add the new page to PAGES with who may reach it"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_without_an_error_or_a_leak(client, role):
    world = build_world()
    as_role(client, world, role)
    problems = []
    for name, (access, arguments) in PAGES.items():
        url = reverse(name, kwargs=arguments(world))
        response = get(client, url)
        if response.status_code == 405 and access == PROGRAMME and role in ROLES_OUTSIDE:
            response = client.post(url)  # nobody outside may act either
        status = response.status_code
        if status >= 500 or (status == 403 and access == PROGRAMME):
            problems.append(f"{url}: {status}")
        elif access == PROGRAMME and role == "outsider" and status != 404:
            problems.append(f"{url}: {status} to a member of another programme, not 404")
        elif access in (PROGRAMME, LOGIN) and role == "anonymous" and not to_login(response):
            problems.append(f"{url}: {status} to an anonymous visitor, not the login page")
    assert problems == []


# The reports pages: what each role gets. LOGIN: sent to the login page.
LOGIN_PAGE = "login page"
NOBODY_ELSE = {role: 404 for role in ("reviewer", "facilitator", "city_contact", "outsider")}
ORGANISERS_AND_FUNDERS = {"organiser": 200, "funder": 200, **NOBODY_ELSE}
ORGANISERS_ONLY = {"organiser": 200, "funder": 404, **NOBODY_ELSE}


def _reports(w, name, **more):
    return reverse(f"reports:{name}", kwargs=_slug(w) | more)


# (what, method, address, data): {role: answer}
REPORT_ANSWERS = [
    (
        ("the reports list", "get", lambda w: _reports(w, "report_list"), None),
        ORGANISERS_AND_FUNDERS,
    ),
    (
        (
            "asking for a participation report",
            "post",
            lambda w: _reports(w, "report_list"),
            {"kind": "participation"},
        ),
        {"organiser": 302, "funder": 302, **NOBODY_ELSE},
    ),
    (
        (
            "asking for the certificates",
            "post",
            lambda w: _reports(w, "report_list"),
            {"kind": "certificates"},
        ),
        {"organiser": 302, "funder": 400, **NOBODY_ELSE},  # not offered to funders
    ),
    (
        ("a run's status", "get", lambda w: _reports(w, "report_run_status", pk=w.run.pk), None),
        ORGANISERS_AND_FUNDERS,
    ),
    (
        (
            "a report's download",
            "get",
            lambda w: _reports(w, "report_run_download", pk=w.run.pk),
            None,
        ),
        ORGANISERS_AND_FUNDERS,
    ),
    (
        (
            "the certificates' download",
            "get",
            lambda w: _reports(w, "report_run_download", pk=w.certificates.pk),
            None,
        ),
        ORGANISERS_ONLY,
    ),
    (
        (
            "the certificates' people",
            "get",
            lambda w: _reports(w, "report_run_people", pk=w.certificates.pk),
            None,
        ),
        ORGANISERS_ONLY,
    ),
    (
        (
            "one person's certificate from the run",
            "get",
            lambda w: _reports(
                w,
                "report_run_person_download",
                pk=w.certificates.pk,
                participant_id=w.participant.pk,
            ),
            None,
        ),
        ORGANISERS_ONLY,
    ),
    (
        (
            "the participation report's people (not built in parts)",
            "get",
            lambda w: _reports(w, "report_run_people", pk=w.run.pk),
            None,
        ),
        {"organiser": 404, "funder": 404, **NOBODY_ELSE},
    ),
    (
        (
            "the attendance export",
            "get",
            lambda w: _reports(w, "export", dataset="attendance", file_format="xlsx"),
            None,
        ),
        ORGANISERS_ONLY,
    ),
    (
        (
            "the applications export",
            "get",
            lambda w: _reports(w, "export", dataset="applications", file_format="csv"),
            None,
        ),
        ORGANISERS_ONLY,
    ),
    (
        (
            "the budget export",
            "get",
            lambda w: _reports(w, "export", dataset="budget", file_format="xlsx"),
            None,
        ),
        ORGANISERS_ONLY,
    ),
    (
        (
            "the contributions export",
            "get",
            lambda w: _reports(w, "export", dataset="contributions", file_format="csv"),
            None,
        ),
        ORGANISERS_ONLY,
    ),
    (
        (
            "the participants export",
            "get",
            lambda w: _reports(w, "export", dataset="participants", file_format="csv"),
            None,
        ),
        ORGANISERS_ONLY,
    ),
    (
        (
            "asking for the research export",
            "post",
            lambda w: _reports(w, "report_list"),
            {"kind": "research"},
        ),
        {"organiser": 302, "funder": 400, **NOBODY_ELSE},  # organisers only
    ),
    (
        (
            "an evaluation's results",
            "get",
            lambda w: _reports(
                w, "evaluation_results", questionnaire_id=_evaluation(w)["questionnaire_id"]
            ),
            None,
        ),
        ORGANISERS_AND_FUNDERS,
    ),
    (
        (
            "the blank attendance sheet",
            "get",
            lambda w: _reports(w, "attendance_sheet_pdf", slot_id=w.slot.pk),
            None,
        ),
        {
            "organiser": 200,
            "facilitator": 200,
            "funder": 404,
            "reviewer": 404,
            "city_contact": 404,
            "outsider": 404,
        },
    ),
]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_its_answer_from_the_reports_pages(client, monkeypatch, role):
    # A report asked for here is built in-process, never sent to a broker a worker test uses.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    world = build_world()
    as_role(client, world, role)
    answers, expected = {}, {}
    for (what, method, address, data), by_role in REPORT_ANSWERS:
        response = getattr(client, method)(address(world), data or {})
        answers[what] = LOGIN_PAGE if to_login(response) else response.status_code
        expected[what] = LOGIN_PAGE if role == "anonymous" else by_role[role]
    assert answers == expected


def test_another_programmes_ids_answer_404_even_to_the_organiser(client):
    world = build_world()
    elsewhere = build_world(with_users=False)
    client.force_login(world.users["organiser"])
    problems = []
    for name, (access, arguments) in PAGES.items():
        kwargs, own = arguments(elsewhere), arguments(world)
        if access != PROGRAMME or {**kwargs, "slug": ""} == {**own, "slug": ""}:
            continue  # no id of its own to borrow
        kwargs["slug"] = world.programme.slug
        url = reverse(name, kwargs=kwargs)
        response = get(client, url)
        if response.status_code == 405:
            response = client.post(url)
        if response.status_code != 404:
            problems.append(f"{url}: {response.status_code}")
    assert problems == []


LINK = re.compile(r'href="(/[^"#]*)')
NOT_FOLLOWED = ("/admin/", "/static/", "/media/", "/logout/", "/i18n/")


def dead_links(client, pages: list[str], programme: Programme) -> tuple[set, list]:
    """Follow every link of the pages the client may open; those answering 403, 404 or 5xx."""
    seen, dead = set(), []
    for page in pages:
        response = get(client, page)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode()):
            path = urlsplit(href.replace("&amp;", "&")).path
            if path in seen or path.startswith(NOT_FOLLOWED):
                continue
            seen.add(path)
            status = get(client, href.replace("&amp;", "&")).status_code
            if status in (403, 404) or status >= 500:
                dead.append(f"{page} links to {href}: {status}")
    return seen, dead


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_every_link_a_member_is_shown_opens_for_that_member(client, role):
    world = build_world()
    as_role(client, world, role)
    pages = [reverse(name, kwargs=arguments(world)) for name, (_a, arguments) in PAGES.items()]
    seen, dead = dead_links(client, pages, world.programme)
    assert seen, "the pages showed no link at all"
    assert dead == []


def test_a_programme_just_created_has_no_dead_end_for_its_organiser(client):
    """No call, no timetable, nobody yet: every section the navigation offers still opens."""
    programme = factories.ProgrammeFactory(
        status=Programme.Status.DRAFT, start_date=None, end_date=None, capacity=0
    )
    client.force_login(factories.MembershipFactory(programme=programme, role=Role.ORGANISER).user)
    seen, dead = dead_links(
        client, [reverse("programme_overview", args=[programme.slug])], programme
    )
    assert reverse("programmes:selection_board", args=[programme.slug]) in seen
    assert dead == []


def test_the_world_has_what_the_table_needs():
    """The crawl means something only if the pages it reads show real rows."""
    world = build_world()
    assert world.application.commitment_letter.read() == PDF
    assert world.selected.contribution.amount_pledged == Decimal("650.00")
    assert world.slot.attendances.count() == 1


JUNK = {
    "page": "abc",
    "group": "nonsense",
    "sort": "-status;drop",
    "status": "zzz",
    "eligibility": "zzz",
    "q": "\x00<script>",
    "next": "https://elsewhere.example/",
}


@pytest.mark.parametrize("role", ["organiser", "facilitator", "city_contact"])
def test_junk_in_the_query_string_never_breaks_a_page(client, role):
    """Hand-edited or stale links: a page ignores what it does not understand (no 500)."""
    world = build_world()
    as_role(client, world, role)
    broken = []
    for name, (_access, arguments) in PAGES.items():
        url = reverse(name, kwargs=arguments(world))
        if name == "logout":
            continue
        status = get(client, url + "?" + urlencode(JUNK)).status_code
        if status >= 500:
            broken.append(f"{url}: {status}")
    assert broken == []


# Every field name the forms of the project read, with a value none of them accepts.
JUNK_POST = {
    "status": "zzz",
    "decision": "zzz",
    "recommendation": "zzz",
    "expected_status": "zzz",
    "note": "x" * 5000,
    "reason": "\x00",
    "message": "",
    "email": "not-an-address",
    "contribution_pledged": "-1",
    "planned_amount": "abc",
    "amount_awarded": "1e99",
    "date": "2015-02-30",
    "starts_at": "25:00",
    "ends_at": "x",
    "opens_on": "x",
    "closes_on": "x",
    "places": "-3",
    "category": "zzz",
    "first_name": "",
    "title": "",
    "group": "zzz",
    "score_1": "9",
    "status_1": "zzz",
    "version_1": "abc",
    "reviewers": ["abc", "999999", "99999999999999999999"],
    "facilitators": ["99999999999999999999"],
    "partners": ["99999999999999999999", "-1"],
    "organiser": "99999999999999999999",
    "funder": "99999999999999999999",
    "funding": "99999999999999999999",
    "city": "99999999999999999999",
    "peer_group": "99999999999999999999",
    "referent": "99999999999999999999",
    "members": ["x"],
    "criteria-TOTAL_FORMS": "1000000",
    "confirm": "on",
}


@pytest.mark.parametrize("role", ["organiser", "facilitator", "reviewer", "city_contact"])
def test_junk_posted_to_every_page_is_refused_without_an_error(client, role):
    """Forged or broken forms, with and without htmx: a 4xx or a page saying what is wrong."""
    world = build_world()
    broken = []
    for name, (_access, arguments) in PAGES.items():
        if name == "logout":
            continue
        url = reverse(name, kwargs=arguments(world))
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            as_role(client, world, role)
            client.raise_request_exception = False
            status = client.post(url, JUNK_POST, **headers).status_code
            if status >= 500:
                broken.append(f"POST {url} {headers}: {status}")
    assert broken == []


SENTINEL = 987654321


@pytest.mark.parametrize("bad_id", ["0", "00", "99999999999999999999", "9223372036854775808"])
def test_an_id_that_no_object_can_have_answers_404_on_every_page(client, bad_id):
    """Id 0 used to open the "create" form on edit addresses, and an id too large for the
    database gave 500 on SQLite: neither is an address of the site."""
    world = build_world()
    client.force_login(world.users["organiser"])
    problems = []
    for name, (_access, arguments) in PAGES.items():
        kwargs = arguments(world)
        for key, value in kwargs.items():
            if not isinstance(value, int):
                continue
            url = reverse(name, kwargs=kwargs | {key: SENTINEL})
            url = url.replace(f"/{SENTINEL}/", f"/{bad_id}/")
            for method in (client.get, client.post):
                client.raise_request_exception = False
                status = method(url).status_code
                if status != 404:
                    problems.append(f"{method.__name__.upper()} {url}: {status}")
    assert problems == []
