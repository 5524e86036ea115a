"""A city application's status rules are one table (``APPLICATION_TRANSITIONS``): every move
the services make is a row of it, a move that is not is refused with a 409, and what the pages
offer follows it."""

import pytest

from programmes import services
from programmes.errors import Conflict, DomainError
from programmes.models import (
    APPLICATION_TRANSITIONS,
    ApplicationEvent,
    CityApplication,
    Membership,
    roles_for,
    statuses_allowing,
    transition_of,
)
from programmes.services.common import status_change
from tests import factories

pytestmark = pytest.mark.django_db
Status = CityApplication.Status
Role = Membership.Role
BASE_URL = "http://testserver"


def test_every_move_the_services_make_is_a_row_of_the_table(
    open_call, complete_application, people
):
    """Drive applications through every service that changes a status, then read the log."""
    organiser, reviewer = people.organiser, people.reviewer
    contact = factories.UserFactory()
    returned = complete_application(open_call, status=Status.DRAFT, contact=contact)
    services.application_submit(actor=contact, application=returned, base_url=BASE_URL)
    services.reviewers_assign(actor=organiser, application=returned, reviewers=[reviewer])
    services.application_request_information(
        actor=organiser, application=returned, message="Le courrier ?", base_url=BASE_URL
    )
    services.application_submit(actor=contact, application=returned, base_url=BASE_URL)
    for decision in (Status.WAITLISTED, Status.SELECTED, Status.REJECTED):
        services.application_decide(actor=organiser, application=returned, decision=decision)

    asked = complete_application(open_call, status=Status.SUBMITTED)
    services.application_request_information(
        actor=organiser, application=asked, message="Le trinôme ?", base_url=BASE_URL
    )
    services.application_submit(actor=organiser, application=asked, base_url=BASE_URL)
    services.application_decide(actor=organiser, application=asked, decision=Status.SELECTED)
    services.application_withdraw(actor=organiser, application=asked, note="Plus de budget")

    withdrawn = complete_application(open_call, status=Status.DRAFT)
    services.application_withdraw(actor=organiser, application=withdrawn)

    moves = set(
        ApplicationEvent.objects.exclude(from_status="").values_list("from_status", "to_status")
    )
    assert len(moves) >= 10
    assert {move for move in moves if transition_of(*move) is None} == set()


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Status.DRAFT, Status.SELECTED),
        (Status.WITHDRAWN, Status.SUBMITTED),
        (Status.REJECTED, Status.WITHDRAWN),
        (Status.SELECTED, Status.DRAFT),
        (Status.SUBMITTED, Status.SUBMITTED),
    ],
)
def test_a_move_that_is_not_in_the_table_is_refused_with_a_409(open_call, source, target):
    application = factories.CityApplicationFactory(call=open_call, status=source)
    with pytest.raises(Conflict) as refused:
        status_change(application=application, action="decide", to=target, actor=None)
    assert refused.value.status == 409
    assert refused.value.code == "wrong_status"
    application.refresh_from_db()
    assert application.status == source
    assert not application.events.exists()


def test_a_row_of_another_action_does_not_open_the_way(open_call):
    """Information requested -> under review is the city's answer, not an assignment."""
    application = factories.CityApplicationFactory(call=open_call, status=Status.INFO_REQUESTED)
    assert application.can_transition_to(Status.UNDER_REVIEW, "submit")
    assert not application.can_transition_to(Status.UNDER_REVIEW, "assign_reviewers")
    with pytest.raises(Conflict):
        status_change(
            application=application, action="assign_reviewers", to=Status.UNDER_REVIEW, actor=None
        )


def test_services_refuse_what_the_status_does_not_allow_with_a_409(
    open_call, complete_application, people
):
    draft = complete_application(open_call, status=Status.DRAFT)
    rejected = complete_application(open_call, status=Status.REJECTED)
    refusals = [
        lambda: services.application_decide(
            actor=people.organiser, application=draft, decision=Status.SELECTED
        ),
        lambda: services.application_request_information(
            actor=people.organiser, application=rejected, message="?", base_url=BASE_URL
        ),
        lambda: services.application_withdraw(actor=people.organiser, application=rejected),
        lambda: services.application_submit(
            actor=people.organiser, application=rejected, base_url=BASE_URL
        ),
        lambda: services.reviewers_assign(
            actor=people.organiser, application=draft, reviewers=[people.reviewer]
        ),
    ]
    for refusal in refusals:
        with pytest.raises(DomainError) as refused:
            refusal()
        assert refused.value.status == 409
    assert not ApplicationEvent.objects.exists()


def test_the_table_reads_as_the_rules_of_the_call():
    assert statuses_allowing("submit") == {Status.DRAFT, Status.INFO_REQUESTED}
    assert statuses_allowing("withdraw") == set(Status.values) - {
        Status.WITHDRAWN,
        Status.REJECTED,
    }
    assert statuses_allowing("decide") == statuses_allowing("review")
    assert statuses_allowing("decide") == set(Status.values) - {Status.DRAFT, Status.WITHDRAWN}
    assert statuses_allowing("request_information") == {Status.SUBMITTED, Status.UNDER_REVIEW}
    assert roles_for("decide") == {Role.ORGANISER}
    assert roles_for("withdraw") == {Role.CITY_CONTACT}
    assert roles_for("review") == {Role.REVIEWER}
    # Nothing leaves a withdrawal, and nothing but a move enters the table.
    assert not [row for row in APPLICATION_TRANSITIONS if row.source == Status.WITHDRAWN]
    assert not [row for row in APPLICATION_TRANSITIONS if row.source == row.target]


def test_the_pages_offer_what_the_table_allows(client, open_call, complete_application, people):
    """The review file shows the decision and the request for information only where the
    table has a row for them."""
    client.force_login(people.organiser)
    slug = open_call.programme.slug
    for status, offers_request in [(Status.UNDER_REVIEW, True), (Status.WAITLISTED, False)]:
        application = complete_application(open_call, status=status)
        page = client.get(f"/programmes/{slug}/applications/{application.pk}/")
        assert page.status_code == 200
        assert (f"{application.pk}/request-information/" in page.text) is offers_request
        assert f"{application.pk}/decision/" in page.text
