"""Services: each change is validated, written, recorded (events, audit) and announced."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from participants.models import Participant
from programmes import services
from programmes.models import (
    AuditEntry,
    CityApplication,
    CityContribution,
    Membership,
    Programme,
    Review,
    ReviewScore,
    TriadNominee,
)
from programmes.selectors import invitation_email_read, triad_slots
from tests import factories
from tests.factories import PDF_BYTES, make_triad

pytestmark = pytest.mark.django_db
Status = CityApplication.Status


def codes(error: ValidationError) -> set[str]:
    return {item.code for item in error.error_list}


def person(first, last, **extra):
    return {
        "first_name": first,
        "last_name": last,
        "position": "Poste",
        "email": f"{first}.{last}@example.org".lower(),
        "phone": "",
        "commitment_given": True,
        "commitment_date": None,
    } | extra


TRIAD = {
    "elected": person("Anne", "Elue"),
    "professional1": person("Paul", "Agent"),
    "professional2": None,
    "delegate": person("Marc", "Delegue"),
}


@pytest.fixture
def draft(open_call):
    user = factories.UserFactory()
    return services.application_start(user=user, call=open_call, city=factories.CityFactory())


# Programme set-up ---------------------------------------------------------------------------


def test_programme_create_makes_its_creator_organiser_and_a_slug_from_the_title():
    user = factories.UserFactory()
    partner = factories.OrganisationFactory(name="ATD Quart Monde")
    programme = services.programme_create(
        actor=user,
        fields={"title": "Co-formation Essonne", "slug": "", "status": "draft"},
        partners=[partner],
        new_partners=["Profession Banlieue"],
    )
    assert programme.slug == "co-formation-essonne"
    assert Membership.objects.get(programme=programme, user=user).role == "organiser"
    assert sorted(p.name for p in programme.partners.all()) == [
        "ATD Quart Monde",
        "Profession Banlieue",
    ]
    assert AuditEntry.objects.filter(programme=programme, action="programme.created").exists()
    again = services.programme_create(actor=user, fields={"title": "Co-formation Essonne"})
    assert again.slug == "co-formation-essonne-2"


def test_one_funding_line_per_funder(programme):
    user = factories.UserFactory()
    fields = {
        "kind": "state_grant",
        "amount_requested": Decimal("10"),
        "amount_awarded": Decimal("10"),
        "amount_received": Decimal("0"),
    }
    services.funding_save(
        actor=user, programme=programme, funding=None, fields=fields, new_funder="CGET"
    )
    with pytest.raises(ValidationError) as error:
        services.funding_save(
            actor=user, programme=programme, funding=None, fields=fields, new_funder="CGET"
        )
    assert codes(error.value) == {"duplicate_funder"}
    assert programme.fundings.count() == 1


# The call -----------------------------------------------------------------------------------


def test_call_save_orders_the_grid_and_keeps_scored_criteria(open_call, people):
    programme = open_call.programme
    first, second, third = open_call.criteria.all()
    review = factories.ReviewFactory(
        application=factories.CityApplicationFactory(call=open_call), submitted_at=timezone.now()
    )
    factories.ReviewScoreFactory(review=review, criterion=first)
    fields = {"title": "Appel", "places": 3}
    rows = [
        {"instance": second, "label": "Motivation", "description": "", "delete": False},
        {"instance": third, "label": "", "description": "", "delete": True},
        {"instance": None, "label": "Nouveau", "description": "d", "delete": False},
    ]
    services.call_save(actor=people.organiser, programme=programme, fields=fields, criteria=rows)
    assert list(open_call.criteria.values_list("label", "position")) == [
        ("Engagement du trinôme", 0),
        ("Motivation", 1),
        ("Nouveau", 2),
    ]
    assert not open_call.criteria.filter(pk=third.pk).exists()
    with pytest.raises(ValidationError) as error:
        services.call_save(
            actor=people.organiser,
            programme=programme,
            fields=fields,
            criteria=[{"instance": first, "label": "x", "delete": True}],
        )
    assert codes(error.value) == {"criterion_scored"}
    assert open_call.criteria.filter(pk=first.pk).exists()


def test_call_publish_needs_a_grid_places_and_a_future_closing_date(people):
    programme = factories.ProgrammeFactory(status=Programme.Status.DRAFT)
    call = factories.CallFactory(
        programme=programme, places=0, closes_on=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        services.call_publish(actor=people.organiser, call=call)
    assert len(error.value.messages) == 3
    call.places = 7
    call.closes_on = timezone.localdate() + dt.timedelta(days=5)
    call.save()
    factories.SelectionCriterionFactory(call=call)
    services.call_publish(actor=people.organiser, call=call)
    programme.refresh_from_db()
    assert call.published_at is not None
    assert programme.status == Programme.Status.CALL_OPEN


def test_an_invitation_token_works_for_its_programme_only(
    open_call, people, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        link = services.invitation_send(
            actor=people.organiser,
            programme=open_call.programme,
            email="maire@ville.fr",
            city_name="",
            message="",
            base_url="https://example.org",
        )
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invitation_email_read(token=token, programme=open_call.programme) == "maire@ville.fr"
    assert invitation_email_read(token=token, programme=factories.ProgrammeFactory()) is None
    assert invitation_email_read(token=token + "x", programme=open_call.programme) is None
    assert mailoutbox[0].subject.startswith("Invitation à candidater")


# The city's application ---------------------------------------------------------------------


def test_start_opens_a_draft_once_per_city_inside_the_call_dates(open_call):
    city = factories.CityFactory()
    user = factories.UserFactory()
    application = services.application_start(user=user, call=open_call, city=city)
    assert application.status == Status.DRAFT
    assert application.events.get().to_status == Status.DRAFT
    with pytest.raises(ValidationError) as error:
        services.application_start(user=factories.UserFactory(), call=open_call, city=city)
    assert codes(error.value) == {"city_taken"}
    with pytest.raises(ValidationError) as error:
        services.application_start(user=user, call=open_call, city=factories.CityFactory())
    assert codes(error.value) == {"already_contact"}
    open_call.closes_on = timezone.localdate() - dt.timedelta(days=1)
    open_call.opens_on = open_call.closes_on - dt.timedelta(days=30)
    open_call.save()
    with pytest.raises(ValidationError) as error:
        services.application_start(
            user=factories.UserFactory(), call=open_call, city=factories.CityFactory()
        )
    assert codes(error.value) == {"call_closed"}


def test_save_fills_the_triad_places_in_place_and_stamps_commitments(draft):
    user = draft.contact_user
    services.application_save(actor=user, application=draft, fields={}, triad=TRIAD)
    first = {n.role: n.pk for n in draft.nominees.all()}
    assert draft.nominees.count() == 3
    assert set(draft.nominees.values_list("commitment_date", flat=True)) == {timezone.localdate()}
    triad = TRIAD | {
        "professional2": person("Lina", "Agente", commitment_given=False),
        "delegate": None,
    }
    services.application_save(actor=user, application=draft, fields={}, triad=triad)
    slots = triad_slots(draft.nominees.all())
    assert slots["elected"].pk == first["elected_official"]  # changed in place, same row
    assert slots["professional2"].last_name == "Agente"
    assert slots["professional2"].commitment_date is None
    assert slots["delegate"] is None


def test_save_refuses_the_same_person_twice(draft):
    triad = TRIAD | {"delegate": person("anne", "ELUE", email="autre@example.org")}
    with pytest.raises(ValidationError) as error:
        services.application_save(
            actor=draft.contact_user, application=draft, fields={}, triad=triad
        )
    assert codes(error.value) == {"duplicate_people"}
    assert not draft.nominees.exists()


def test_a_replaced_letter_is_deleted_from_storage(draft, django_capture_on_commit_callbacks):
    user = draft.contact_user
    with django_capture_on_commit_callbacks(execute=True):
        services.application_save(
            actor=user,
            application=draft,
            fields={},
            triad=TRIAD,
            letter=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )
    draft.refresh_from_db()
    first = draft.commitment_letter.name
    storage = draft.commitment_letter.storage
    assert storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_save(
            actor=user,
            application=draft,
            fields={},
            triad=TRIAD,
            letter=SimpleUploadedFile("b.pdf", PDF_BYTES),
        )
    draft.refresh_from_db()
    assert draft.commitment_letter.name != first
    assert not storage.exists(first)
    assert storage.exists(draft.commitment_letter.name)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"delegate": None}, "délégué du préfet"),
        ({"elected": None}, "élu"),
        ({"professional1": None}, "professionnel"),
        ({"delegate": person("Marc", "Delegue", commitment_given=False)}, "Marc Delegue"),
        ({"delegate": person("Marc", "Delegue", email="")}, "Marc Delegue : indiquez son adresse"),
        (
            {"delegate": person("Marc", "Delegue", position="")},
            "Marc Delegue : indiquez sa fonction.",
        ),
        (
            {"delegate": person("Ève", "Durand", position="", email="")},
            "Ève Durand : indiquez sa fonction et son adresse électronique.",
        ),
    ],
)
def test_submit_lists_what_is_missing_in_plain_words(draft, change, expected):
    user = draft.contact_user
    services.application_save(
        actor=user,
        application=draft,
        fields={
            "contribution_pledged": Decimal("500"),
            "motivation": "m",
            "priority_neighbourhoods": "q",
            "contact_email": "c@v.fr",
        },
        triad=TRIAD | change,
    )
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=user, application=draft, base_url="")
    assert codes(error.value) == {"incomplete"}
    assert any(expected in message for message in error.value.messages), error.value.messages
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submit_refuses_a_contribution_below_the_requirement_and_outside_the_dates(draft):
    user = draft.contact_user
    fields = {
        "contribution_pledged": Decimal("499.99"),
        "motivation": "m",
        "priority_neighbourhoods": "q",
        "contact_email": "c@v.fr",
    }
    services.application_save(actor=user, application=draft, fields=fields, triad=TRIAD)
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=user, application=draft, base_url="")
    assert error.value.messages == [
        "La participation promise (499,99 €) est inférieure aux 500,00 € demandés."
    ]
    draft.contribution_pledged = Decimal("500")
    draft.save()
    call = draft.call
    call.opens_on = timezone.localdate() + dt.timedelta(days=1)
    call.closes_on = call.opens_on + dt.timedelta(days=10)
    call.save()
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=user, application=draft, base_url="")
    assert "pendant l’appel" in error.value.messages[0]


def test_submit_records_the_event_the_audit_and_emails_the_city(
    draft, django_capture_on_commit_callbacks, mailoutbox
):
    user = draft.contact_user
    fields = {
        "contribution_pledged": Decimal("650"),
        "motivation": "m",
        "priority_neighbourhoods": "q",
        "contact_email": "ville@example.org",
    }
    services.application_save(actor=user, application=draft, fields=fields, triad=TRIAD)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=user, application=draft, base_url="https://x.org")
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    event = draft.events.last()
    assert (event.actor, event.from_status, event.to_status) == (user, "draft", "submitted")
    assert AuditEntry.objects.filter(action="application.submitted", actor=user).exists()
    # One outbox message per address (each with its own status and language).
    city = [email for email in mailoutbox if email.subject.startswith("Candidature reçue")]
    assert sorted(address for email in city for address in email.to) == sorted(
        {"ville@example.org", user.email}
    )
    for email in city:
        link = f"https://x.org/apply/{draft.call.programme.slug}/applications/{draft.pk}/"
        assert link in email.body


def test_information_request_reopens_the_file_and_the_answer_returns_under_review(
    open_call, people, complete_application
):
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    services.reviewers_assign(
        actor=people.organiser, application=application, reviewers=[people.reviewer]
    )
    services.application_request_information(
        actor=people.organiser,
        application=application,
        message="Le deuxième agent ?",
        base_url="",
    )
    application.refresh_from_db()
    assert application.is_editable
    # Past the closing date, the city can still answer.
    open_call.opens_on = timezone.localdate() - dt.timedelta(days=60)
    open_call.closes_on = timezone.localdate() - dt.timedelta(days=1)
    open_call.save()
    services.application_submit(actor=contact, application=application, base_url="")
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert list(application.events.values_list("to_status", flat=True)) == [
        Status.UNDER_REVIEW,
        Status.INFO_REQUESTED,
        Status.UNDER_REVIEW,
    ]


def test_withdrawing_a_selected_city_sets_its_participants_inactive(
    open_call, people, complete_application
):
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    services.application_decide(
        actor=people.organiser, application=application, decision="selected"
    )
    assert Participant.objects.filter(nominee__application=application, is_active=True).count() == 3
    services.application_withdraw(actor=contact, application=application, note="")
    assert not Participant.objects.filter(nominee__application=application, is_active=True).exists()
    with pytest.raises(ValidationError):
        services.application_withdraw(actor=contact, application=application)


@pytest.mark.parametrize(
    ("status", "starts_in_days"),
    [
        (Programme.Status.RUNNING, 30),
        (Programme.Status.CLOSED, -300),
        (Programme.Status.SELECTION, 0),
    ],
)
def test_a_city_cannot_withdraw_once_the_training_has_begun(
    open_call, people, complete_application, status, starts_in_days
):
    """Withdrawing then would take the city's people out of the attendance already recorded
    (the demo's 28 participants and 95 % would change after the fact)."""
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    services.application_decide(
        actor=people.organiser, application=application, decision="selected"
    )
    programme = open_call.programme
    programme.status = status
    programme.start_date = timezone.localdate() + dt.timedelta(days=starts_in_days)
    programme.end_date = programme.start_date + dt.timedelta(days=5)
    programme.save()

    with pytest.raises(ValidationError, match="a commencé"):
        services.application_withdraw(actor=contact, application=application)
    application.refresh_from_db()
    assert application.status == Status.SELECTED
    assert Participant.objects.filter(nominee__application=application, is_active=True).count() == 3


# Review -------------------------------------------------------------------------------------


def test_review_needs_an_assignment_and_every_score(open_call, people, complete_application):
    application = complete_application(open_call)
    scores = {c.pk: 4 for c in open_call.criteria.all()}
    with pytest.raises(ValidationError) as error:
        services.review_submit(
            actor=people.reviewer,
            application=application,
            scores=scores,
            comment="",
            recommendation="select",
        )
    assert codes(error.value) == {"not_assigned"}
    services.reviewers_assign(
        actor=people.organiser, application=application, reviewers=[people.reviewer]
    )
    partial = dict(list(scores.items())[:1])
    with pytest.raises(ValidationError) as error:
        services.review_submit(
            actor=people.reviewer,
            application=application,
            scores=partial,
            comment="",
            recommendation="select",
        )
    assert codes(error.value) == {"scores_missing"}
    for score in (4, 2):
        services.review_submit(
            actor=people.reviewer,
            application=application,
            scores=dict.fromkeys(scores, score),
            comment="ok",
            recommendation="waitlist",
        )
    assert Review.objects.filter(application=application).count() == 1
    assert set(ReviewScore.objects.values_list("score", flat=True)) == {2}


def test_taking_a_reviewer_off_keeps_the_review(open_call, people, complete_application):
    application = complete_application(open_call)
    services.reviewers_assign(
        actor=people.organiser,
        application=application,
        reviewers=[people.reviewer, people.other_reviewer],
    )
    services.review_submit(
        actor=people.reviewer,
        application=application,
        scores={c.pk: 3 for c in open_call.criteria.all()},
        comment="",
        recommendation="select",
    )
    services.reviewers_assign(
        actor=people.organiser, application=application, reviewers=[people.other_reviewer]
    )
    assert list(application.assignments.values_list("reviewer", flat=True)) == [
        people.other_reviewer.pk
    ]
    assert Review.objects.filter(reviewer=people.reviewer).exists()


# Selection ----------------------------------------------------------------------------------


def test_selection_creates_participants_once_and_the_ledger_line(
    open_call, people, complete_application
):
    application = complete_application(open_call, contribution_pledged=Decimal("700"))
    organiser = people.organiser
    services.application_decide(actor=organiser, application=application, decision="selected")
    created = list(Participant.objects.filter(nominee__application=application))
    assert len(created) == 3
    assert {p.category for p in created} == {
        "elected_official",
        "city_professional",
        "prefects_delegate",
    }
    assert {p.city_id for p in created} == {application.city_id}
    assert {p.programme_id for p in created} == {open_call.programme_id}
    assert CityContribution.objects.get(application=application).amount_pledged == Decimal("700")

    services.application_decide(actor=organiser, application=application, decision="rejected")
    services.application_decide(actor=organiser, application=application, decision="selected")
    again = Participant.objects.filter(nominee__application=application)
    assert sorted(p.pk for p in again) == sorted(p.pk for p in created)
    assert all(p.is_active for p in again)
    assert CityContribution.objects.filter(application=application).count() == 1
    assert AuditEntry.objects.filter(action="participants.from_application").count() == 2


def test_selecting_beyond_the_places_needs_a_reason(open_call, people, complete_application):
    apps = [complete_application(open_call) for _ in range(3)]
    for application in apps[:2]:
        services.application_decide(
            actor=people.organiser, application=application, decision="selected"
        )
    with pytest.raises(ValidationError) as error:
        services.application_decide(
            actor=people.organiser, application=apps[2], decision="selected"
        )
    assert codes(error.value) == {"over_capacity"}
    services.application_decide(
        actor=people.organiser,
        application=apps[2],
        decision="selected",
        override_reason="Ville pilote",
        note="Choix du comité",
    )
    event = apps[2].events.last()
    assert "Ville pilote" in event.note
    assert "Choix du comité" in event.note
    # Re-deciding a selected city with places full does not ask again.
    services.application_decide(
        actor=people.organiser, application=apps[0], decision="selected", note="Confirmé"
    )
    assert CityApplication.objects.filter(status="selected").count() == 3


def test_a_draft_cannot_be_decided_and_a_closed_selection_cannot_change(
    open_call, people, complete_application
):
    draft = complete_application(open_call, status=Status.DRAFT)
    with pytest.raises(ValidationError) as error:
        services.application_decide(actor=people.organiser, application=draft, decision="selected")
    assert codes(error.value) == {"wrong_status"}
    decided = complete_application(open_call, status=Status.WAITLISTED)
    services.selection_close(actor=people.organiser, call=open_call, base_url="")
    with pytest.raises(ValidationError) as error:
        services.application_decide(
            actor=people.organiser, application=decided, decision="selected"
        )
    assert codes(error.value) == {"closed"}
    with pytest.raises(ValidationError) as error:
        services.selection_close(actor=people.organiser, call=open_call, base_url="")
    assert codes(error.value) == {"closed"}


def test_triad_factory_helper_is_complete(open_call):
    application = factories.CityApplicationFactory(call=open_call)
    make_triad(application, professionals=2)
    assert application.nominees.filter(role=TriadNominee.Role.CITY_PROFESSIONAL).count() == 2


def test_a_member_of_the_programme_cannot_apply_for_a_city(open_call, people):
    for user in (people.organiser, people.reviewer):
        with pytest.raises(ValidationError) as error:
            services.application_start(user=user, call=open_call, city=factories.CityFactory())
        assert codes(error.value) == {"member"}
    assert not CityApplication.objects.exists()
