"""Query budgets: the list, the review file and the selection board run the same number of
queries with 5 or 300 applications (and their triads, reviews and scores), at most 15."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.models import (
    ApplicationEvent,
    CityApplication,
    Review,
    ReviewAssignment,
    ReviewScore,
    TriadNominee,
)
from tests import factories

pytestmark = pytest.mark.django_db
Status = CityApplication.Status


def add_applications(call, count: int, reviewers) -> list[CityApplication]:
    """``count`` submitted applications, each with a full triad, two reviews scored on every
    criterion, assignments and a few events, written in bulk."""
    criteria = list(call.criteria.all())
    cities = [factories.CityFactory.build() for _ in range(count)]
    City = type(cities[0])
    City.objects.bulk_create(cities)
    applications = CityApplication.objects.bulk_create(
        [
            CityApplication(
                call=call,
                city=city,
                status=[Status.UNDER_REVIEW, Status.SELECTED, Status.WAITLISTED][n % 3],
                contact_email=f"c{n}@example.org",
                priority_neighbourhoods="QPV",
                motivation="Motivation",
                contribution_pledged=600,
                submitted_at=timezone.now(),
            )
            for n, city in enumerate(cities)
        ]
    )
    roles = ["elected_official", "city_professional", "city_professional", "prefects_delegate"]
    TriadNominee.objects.bulk_create(
        [
            TriadNominee(
                application=application,
                role=role,
                first_name="P",
                last_name=f"N{application.pk}-{index}",
                position="Poste",
                email=f"n{application.pk}-{index}@example.org",
                commitment_given=True,
            )
            for application in applications
            for index, role in enumerate(roles)
        ]
    )
    reviews = Review.objects.bulk_create(
        [
            Review(
                application=application,
                reviewer=reviewer,
                recommendation="select",
                comment="Bien",
                submitted_at=timezone.now(),
            )
            for application in applications
            for reviewer in reviewers
        ]
    )
    ReviewScore.objects.bulk_create(
        [
            ReviewScore(review=review, criterion=criterion, score=1 + (review.pk % 5))
            for review in reviews
            for criterion in criteria
        ]
    )
    ReviewAssignment.objects.bulk_create(
        [
            ReviewAssignment(application=application, reviewer=reviewer)
            for application in applications
            for reviewer in reviewers
        ]
    )
    ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(application=application, from_status=a, to_status=b)
            for application in applications
            for a, b in [("", Status.DRAFT), (Status.DRAFT, Status.SUBMITTED)]
        ]
    )
    return applications


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def setting(open_call, people):
    reviewers = [people.reviewer, people.other_reviewer]
    first = add_applications(open_call, 5, reviewers)[0]
    return open_call, reviewers, first


@pytest.mark.parametrize(
    ("page", "who", "expected"),
    [
        # Three plain queries (applications, nominees, reviews) rather than a count and a page
        # of one annotated query, which cost three times as much to build.
        ("application_list", "organiser", 6),
        ("application_list", "reviewer", 6),
        ("application_detail", "organiser", 13),
        ("application_detail", "reviewer", 11),  # the assignments only for the organisers
        ("selection_board", "organiser", 10),
    ],
)
def test_pages_run_a_fixed_number_of_queries_with_5_or_300_applications(
    client, setting, people, page, who, expected
):
    call, reviewers, first = setting
    slug = call.programme.slug
    args = [slug, first.pk] if page == "application_detail" else [slug]
    path = reverse(f"programmes:{page}", args=args)
    client.force_login(getattr(people, who))
    count_queries(client, path)  # warm the session and the caches of the first request

    small = count_queries(client, path)
    add_applications(call, 295, reviewers)
    # The one file we look at gets more reviews and events too.
    for extra in range(3):
        reviewer = factories.UserFactory()
        review = factories.ReviewFactory(
            application=first, reviewer=reviewer, submitted_at=timezone.now()
        )
        for criterion in call.criteria.all():
            factories.ReviewScoreFactory(review=review, criterion=criterion, score=3)
        factories.ApplicationEventFactory(application=first, note=f"n{extra}")
    large = count_queries(client, path)

    assert CityApplication.objects.filter(call=call).count() == 300
    assert small == large
    assert large == expected


def test_the_board_and_list_pages_paginate(client, setting, people):
    call, reviewers, _first = setting
    add_applications(call, 60, reviewers)
    client.force_login(people.organiser)
    listing = client.get(reverse("programmes:application_list", args=[call.programme.slug]))
    assert len(listing.context["page"].object_list) == 25
    assert listing.context["page"].paginator.count == 65
    board = client.get(reverse("programmes:selection_board", args=[call.programme.slug]))
    assert len(board.context["applications"]) == 20
    second = client.get(
        reverse("programmes:selection_board", args=[call.programme.slug]), {"page": 2}
    )
    assert {a.pk for a in board.context["applications"]}.isdisjoint(
        a.pk for a in second.context["applications"]
    )


def test_the_finances_page_runs_a_fixed_number_of_queries(client, open_call, people):
    programme = open_call.programme
    path = reverse("programmes:finances", args=[programme.slug])
    client.force_login(people.organiser)

    def add(count):
        for _ in range(count):
            funding = factories.FundingFactory(programme=programme)
            factories.BudgetLineFactory(programme=programme, funding=funding)
            application = factories.CityApplicationFactory(call=open_call, status=Status.SELECTED)
            factories.CityContributionFactory(application=application)

    add(2)
    count_queries(client, path)
    small = count_queries(client, path)
    add(40)
    large = count_queries(client, path)
    assert small == large
    # Session, user, the programme with its call and the user's roles, fundings, budget lines,
    # contributions, the expenses summed, the organisations.
    assert large == 8


def test_the_city_pages_run_a_fixed_number_of_queries(
    client, open_call, people, complete_application
):
    """The call and the city's own file, whatever the number of other cities' applications
    and of this file's events."""
    contact = factories.UserFactory()
    mine = complete_application(open_call, contact=contact)
    slug = open_call.programme.slug
    paths = [
        reverse("programmes:call_public", args=[slug]),
        reverse("programmes:city_application", args=[slug, mine.pk]),
    ]
    client.force_login(contact)
    for path in paths:
        count_queries(client, path)
    small = [count_queries(client, path) for path in paths]
    add_applications(open_call, 60, [people.reviewer])
    for extra in range(5):
        factories.ApplicationEventFactory(application=mine, note=f"n{extra}")
    large = [count_queries(client, path) for path in paths]
    assert small == large
    assert large == [6, 7]
