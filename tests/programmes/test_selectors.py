"""Selectors: eligibility computed in the database agrees with the checklist computed in Python,
and the list, the board and the figures count what they say."""

from decimal import Decimal

import pytest
from django.utils import timezone

from programmes import selectors
from programmes.models import CityApplication, TriadNominee
from tests import factories
from tests.factories import make_triad

pytestmark = pytest.mark.django_db
Status = CityApplication.Status
Roles = TriadNominee.Role


def nominee(application, role, **extra):
    return factories.TriadNomineeFactory(application=application, role=role, **extra)


CASES = {
    "complete": (lambda a: make_triad(a), (True, True, True)),
    "two professionals": (lambda a: make_triad(a, professionals=2), (True, True, True)),
    "three professionals": (lambda a: make_triad(a, professionals=3), (False, True, True)),
    "no delegate": (
        lambda a: [nominee(a, Roles.ELECTED_OFFICIAL), nominee(a, Roles.CITY_PROFESSIONAL)],
        (False, True, True),
    ),
    "two elected officials": (
        lambda a: (
            [nominee(a, Roles.ELECTED_OFFICIAL) for _ in range(2)]
            + [nominee(a, Roles.CITY_PROFESSIONAL), nominee(a, Roles.PREFECTS_DELEGATE)]
        ),
        (False, True, True),
    ),
    "one commitment missing": (
        lambda a: make_triad(a) + [nominee(a, Roles.CITY_PROFESSIONAL, commitment_given=False)],
        (True, False, True),
    ),
    "an e-mail missing": (
        lambda a: [
            nominee(a, Roles.ELECTED_OFFICIAL),
            nominee(a, Roles.CITY_PROFESSIONAL),
            nominee(a, Roles.PREFECTS_DELEGATE, email=""),
        ],
        (False, True, True),
    ),
    "nobody yet": (lambda a: [], (False, False, True)),
    "contribution too low": (
        lambda a: (
            make_triad(a)
            and a.__class__.objects.filter(pk=a.pk).update(contribution_pledged=Decimal("499.99"))
        ),
        (True, True, False),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_database_eligibility_agrees_with_the_checklist_and_the_list(open_call, people, case):
    build, expected = CASES[case]
    application = factories.CityApplicationFactory(
        call=open_call, contribution_pledged=Decimal("500.00"), status=Status.SUBMITTED
    )
    build(application)
    annotated = CityApplication.objects.with_eligibility().get(pk=application.pk)
    in_database = (
        annotated.triad_complete,
        annotated.commitments_given,
        annotated.contribution_ok,
    )
    checklist = {
        check.key: check.ok for check in selectors.application_checklist(application=annotated)
    }
    in_python = (checklist["triad"], checklist["commitments"], checklist["contribution"])
    (row,) = selectors.application_list(programme=open_call.programme, user=people.organiser)
    in_list = (row.triad_complete, row.commitments_given, row.contribution_ok)
    assert in_database == expected
    assert in_python == expected
    assert in_list == expected
    assert annotated.eligible == row.eligible == all(expected)


def test_review_figures_average_every_score_of_submitted_reviews(open_call, people):
    application = factories.CityApplicationFactory(call=open_call, status=Status.UNDER_REVIEW)
    criteria = list(open_call.criteria.all())
    for reviewer, score in [(people.reviewer, 5), (people.other_reviewer, 2)]:
        review = factories.ReviewFactory(
            application=application, reviewer=reviewer, submitted_at=timezone.now()
        )
        for criterion in criteria:
            factories.ReviewScoreFactory(review=review, criterion=criterion, score=score)
    annotated = CityApplication.objects.with_review_figures(user=people.reviewer).get(
        pk=application.pk
    )
    assert annotated.review_count == 2
    assert annotated.average_score == pytest.approx(3.5)
    assert annotated.reviewed_by_me is True
    (row,) = selectors.application_list(programme=open_call.programme, user=people.organiser)
    assert (row.review_count, row.reviewed_by_me) == (2, False)
    assert row.average_score == pytest.approx(3.5)
    board = selectors.board_details(applications=[annotated], criteria=criteria)
    assert [average for _c, average in board[0].criterion_scores] == [3.5, 3.5, 3.5]


def test_the_board_shows_only_eligible_applications_awaiting_or_holding_a_decision(
    open_call, complete_application
):
    shown = {
        status: complete_application(open_call, status=status)
        for status in [Status.SUBMITTED, Status.UNDER_REVIEW, Status.SELECTED, Status.REJECTED]
    }
    hidden = [
        complete_application(open_call, status=Status.DRAFT),
        complete_application(open_call, status=Status.WITHDRAWN),
        complete_application(open_call, contribution_pledged=Decimal("1")),
    ]
    board = {a.pk for a in selectors.selection_board(call=open_call)}
    assert board == {a.pk for a in shown.values()}
    assert board.isdisjoint(a.pk for a in hidden)
    figures = selectors.selection_figures(call=open_call)
    assert (figures.selected, figures.rejected, figures.pending, figures.ineligible) == (1, 1, 3, 1)
    assert figures.places_left == 1


def test_application_figures_count_each_status_and_leave_drafts_out(open_call):
    statuses = [Status.DRAFT, Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW]
    statuses += [Status.INFO_REQUESTED, Status.SELECTED, Status.SELECTED, Status.WAITLISTED]
    statuses += [Status.REJECTED, Status.WITHDRAWN]
    for status in statuses:
        factories.CityApplicationFactory(call=open_call, status=status)
    factories.CityApplicationFactory(status=Status.SELECTED)  # another programme's

    figures = selectors.programme_application_figures(programme=open_call.programme)

    assert figures == selectors.ApplicationFigures(
        total=8, submitted=3, selected=2, waitlisted=1, rejected=1, places=2
    )


def test_finances_list_only_selected_cities_in_the_ledger(open_call, complete_application):
    programme = open_call.programme
    factories.FundingFactory(programme=programme, amount_awarded=Decimal("22000"))
    factories.BudgetLineFactory(programme=programme, planned_amount=Decimal("36000"))
    selected = complete_application(open_call, status=Status.SELECTED)
    waitlisted = complete_application(open_call, status=Status.WAITLISTED)
    factories.CityContributionFactory(application=selected, amount_pledged=Decimal("650"))
    factories.CityContributionFactory(application=waitlisted, amount_pledged=Decimal("650"))
    finances = selectors.programme_finances(programme=programme)
    assert [c.application_id for c in finances.contributions] == [selected.pk]
    assert finances.figures.balance == Decimal("22000") + Decimal("650") - Decimal("36000")


def test_money_totals_are_the_sums_of_the_rows_listed(open_call, member):
    programme = open_call.programme
    empty = selectors.programme_finances(programme=programme)
    assert empty.figures == selectors.finance_totals(fundings=[], budget_lines=[], contributions=[])
    assert (empty.figures.balance, empty.figures.still_to_receive) == (0, 0)

    for awarded, received in (("22000.00", "11000.50"), ("4500.75", "0.00")):
        factories.FundingFactory(
            programme=programme, amount_awarded=Decimal(awarded), amount_received=Decimal(received)
        )
    factories.BudgetLineFactory(programme=programme, planned_amount=Decimal("36000.10"))
    for status in (Status.SELECTED, Status.SELECTED, Status.WAITLISTED):
        factories.CityContributionFactory(
            application=factories.CityApplicationFactory(call=open_call, status=status),
            amount_pledged=Decimal("650.25"),
            amount_received=Decimal("100.00"),
        )
    factories.FundingFactory(programme=factories.ProgrammeFactory())  # another programme's

    finances = selectors.programme_finances(programme=programme)
    figures = finances.figures
    assert len(finances.fundings) == 2
    assert len(finances.contributions) == 2  # the waitlisted city owes nothing
    assert (figures.funding_awarded, figures.funding_received) == (
        Decimal("26500.75"),
        Decimal("11000.50"),
    )
    assert figures.contributions_pledged == Decimal("1300.50")
    assert figures.income_expected == Decimal("27801.25")
    assert figures.balance == Decimal("27801.25") - Decimal("36000.10")
    assert figures.still_to_receive == Decimal("27801.25") - Decimal("11200.50")
    assert selectors.programme_finance_figures(programme=programme) == figures


def test_the_finances_page_and_the_overview_show_the_same_balance(client, open_call, member):
    programme = open_call.programme
    factories.FundingFactory(programme=programme, amount_awarded=Decimal("1234.50"))
    factories.BudgetLineFactory(programme=programme, planned_amount=Decimal("2000.00"))
    client.force_login(member(programme, "organiser"))

    balance = 'data-figure="balance">-765,50 €'
    assert balance in client.get(f"/programmes/{programme.slug}/finances/").text.replace(
        "\u202f", " "
    )
    assert balance in client.get(f"/programmes/{programme.slug}/").text.replace("\u202f", " ")
