"""Who may open what: every page of programme set-up, the call, applications, review and
selection, for every role, in one table (role x page -> HTTP status).

404 means "does not exist for you" (ids do not leak), 403 is used only for the creation page
(not an object), 302 sends an anonymous visitor to log in, or a user to where they belong.
"""

from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from programmes.models import CityApplication, Membership, ReviewAssignment
from tests import factories
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db
Role = Membership.Role

ROLES = [
    "organiser",
    "reviewer_assigned",
    "reviewer_not_assigned",
    "facilitator",
    "funder",
    "contact_own",
    "contact_other_city",
    "anonymous",
    "member_of_another_programme",
]

# page: (url name, which ids, method)
PAGES = {
    "programme_create": ("programme_create", "none", "get"),
    "programme_edit": ("programme_edit", "slug", "get"),
    "programme_close": ("programme_close", "slug", "post"),
    "finances": ("finances", "slug", "get"),
    "funding_create": ("funding_create", "slug", "get"),
    "funding_edit": ("funding_edit", "funding", "get"),
    "budget_line_create": ("budget_line_create", "slug", "get"),
    "budget_line_edit": ("budget_line_edit", "line", "get"),
    "finance_row_delete": ("finance_row_delete", "delete", "get"),
    "contribution_edit": ("contribution_edit", "contribution", "get"),
    "call_edit": ("call_edit", "slug", "get"),
    "call_publish": ("call_publish", "slug", "post"),
    "call_invite": ("call_invite", "slug", "get"),
    "application_list": ("application_list", "slug", "get"),
    "application_detail": ("application_detail", "application", "get"),
    "application_assign": ("application_assign", "application", "post"),
    "application_request_information": ("application_request_information", "application", "post"),
    "review_edit": ("review_edit", "application", "get"),
    "application_decide": ("application_decide", "application", "post"),
    "application_promote": ("application_promote", "application", "post"),
    "commitment_letter": ("commitment_letter", "application", "get"),
    "application_message": ("application_message", "application", "post"),
    "city_application_message": ("city_application_message", "application", "post"),
    "selection_board": ("selection_board", "slug", "get"),
    "selection_close": ("selection_close", "slug", "get"),
    "call_public": ("call_public", "slug", "get"),
    "apply_sign_up": ("apply_sign_up", "slug", "get"),
    "city_application": ("city_application", "application", "get"),
    "city_application_edit": ("city_application_edit", "application", "get"),
    "city_application_withdraw": ("city_application_withdraw", "application", "get"),
}

ORGANISER_ONLY = {
    "application_message",
    "programme_edit",
    "programme_close",
    "application_promote",
    "finances",
    "funding_create",
    "funding_edit",
    "budget_line_create",
    "budget_line_edit",
    "finance_row_delete",
    "contribution_edit",
    "call_edit",
    "call_publish",
    "call_invite",
    "application_assign",
    "application_request_information",
    "application_decide",
    "selection_board",
    "selection_close",
}
CITY_PAGES = {
    "city_application",
    "city_application_edit",
    "city_application_withdraw",
    "city_application_message",
}
PUBLIC = {"call_public", "apply_sign_up"}


def expected_for(role: str) -> dict[str, int]:
    """The whole table, row by row."""
    if role == "anonymous":
        return {page: 200 if page in PUBLIC else 302 for page in PAGES}
    if role == "organiser":
        table = {page: 200 for page in PAGES}
        table["apply_sign_up"] = 302  # a member of the programme does not apply for a city
        table |= {page: 404 for page in CITY_PAGES}
        table |= {
            "call_publish": 302,  # already published: back to the call with a message
            "application_assign": 400,  # a post without the form is refused, not "take all off"
            "application_request_information": 400,  # the message is required
            "application_decide": 400,  # the decision is required
            # Refused with a message, back to the page: the selection is still open, the
            # programme not over.
            "application_promote": 302,
            "application_message": 400,  # the message is required
            "programme_close": 302,
            "review_edit": 404,  # organisers decide; they review only when assigned
        }
        return table
    table = {page: 404 for page in PAGES}
    table["programme_create"] = 403
    table |= {page: 200 for page in PUBLIC}
    if role in {"reviewer_assigned", "reviewer_not_assigned", "facilitator", "funder"}:
        table["apply_sign_up"] = 302  # back to the call: members do not apply for a city
    if role == "reviewer_assigned":
        table |= {
            "application_list": 200,
            "application_detail": 200,
            "review_edit": 200,
            "commitment_letter": 200,
        }
    elif role == "reviewer_not_assigned":
        table["application_list"] = 200  # an empty list: nothing assigned
    elif role == "contact_own":
        table |= {page: 200 for page in CITY_PAGES}
        table["city_application_message"] = 400  # the message is required
        table |= {"commitment_letter": 200, "apply_sign_up": 302}  # to their application
    elif role == "contact_other_city":
        table["apply_sign_up"] = 302  # to their own city's application
    elif role == "member_of_another_programme":
        table["programme_create"] = 200  # organisers of any programme may start one
    return table


@pytest.fixture
def world(open_call, member, complete_application):
    programme = open_call.programme
    own_contact = factories.UserFactory()
    other_contact = factories.UserFactory()
    application = complete_application(
        open_call, contact=own_contact, status=CityApplication.Status.INFO_REQUESTED
    )
    application.commitment_letter.save("lettre.pdf", ContentFile(PDF_BYTES))
    complete_application(open_call, contact=other_contact)
    reviewer = member(programme, Role.REVIEWER)
    ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    funding = factories.FundingFactory(programme=programme)
    selected = complete_application(open_call, status=CityApplication.Status.SELECTED)
    outsider = member(factories.ProgrammeFactory(), Role.ORGANISER)
    return SimpleNamespace(
        slug=programme.slug,
        ids={
            "none": [],
            "slug": [programme.slug],
            "application": [programme.slug, application.pk],
            "funding": [programme.slug, funding.pk],
            "line": [programme.slug, factories.BudgetLineFactory(programme=programme).pk],
            "delete": [programme.slug, "fundings", funding.pk],
            "contribution": [
                programme.slug,
                factories.CityContributionFactory(application=selected).pk,
            ],
        },
        users={
            "organiser": member(programme, Role.ORGANISER),
            "reviewer_assigned": reviewer,
            "reviewer_not_assigned": member(programme, Role.REVIEWER),
            "facilitator": member(programme, Role.FACILITATOR),
            "funder": member(programme, Role.FUNDER),
            "contact_own": own_contact,
            "contact_other_city": other_contact,
            "anonymous": None,
            "member_of_another_programme": outsider,
        },
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_table_says(client, world, role):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    answers = {}
    for page, (name, ids, method) in PAGES.items():
        response = getattr(client, method)(reverse(f"programmes:{name}", args=world.ids[ids]))
        answers[page] = response.status_code
        if role == "anonymous" and response.status_code == 302:
            assert response.url.startswith(reverse("login")), page
    assert answers == expected_for(role)


def test_ids_of_another_programme_answer_404_under_my_programme(
    client, open_call, people, complete_application
):
    """An organiser who changes the id in an address sees nothing of another programme."""
    elsewhere = factories.CallFactory(published_at=open_call.published_at)
    foreign = complete_application(elsewhere, status=CityApplication.Status.SELECTED)
    foreign_funding = factories.FundingFactory(programme=elsewhere.programme)
    foreign_line = factories.BudgetLineFactory(programme=elsewhere.programme)
    foreign_contribution = factories.CityContributionFactory(application=foreign)
    slug = open_call.programme.slug
    client.force_login(people.organiser)
    addresses = [
        ("application_detail", [slug, foreign.pk], "get"),
        ("application_decide", [slug, foreign.pk], "post"),
        ("application_assign", [slug, foreign.pk], "post"),
        ("commitment_letter", [slug, foreign.pk], "get"),
        ("review_edit", [slug, foreign.pk], "get"),
        ("funding_edit", [slug, foreign_funding.pk], "get"),
        ("budget_line_edit", [slug, foreign_line.pk], "get"),
        ("finance_row_delete", [slug, "budget-lines", foreign_line.pk], "post"),
        ("contribution_edit", [slug, foreign_contribution.pk], "get"),
        ("city_application", [slug, foreign.pk], "get"),
        ("application_detail", [elsewhere.programme.slug, foreign.pk], "get"),
    ]
    answers = {
        f"{name}{args}": getattr(client, method)(
            reverse(f"programmes:{name}", args=args)
        ).status_code
        for name, args, method in addresses
    }
    assert set(answers.values()) == {404}, answers
    foreign.refresh_from_db()
    assert foreign.status == CityApplication.Status.SELECTED
