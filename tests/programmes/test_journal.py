"""The programme's journal: organisers read the audit trail in the app, filtered by kind of action
and by person, a page at a time, at a fixed number of queries; everyone else gets 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.services import audit
from tests import factories

pytestmark = pytest.mark.django_db


def journal_url(programme, **query):
    url = reverse("programmes:journal", args=[programme.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def write_entries(programme, organiser, reviewer, n: int = 1) -> None:
    for i in range(n):
        funding = factories.FundingFactory(programme=programme)
        application = factories.CityApplicationFactory()
        audit(actor=organiser, programme=programme, action="funding.created", obj=funding)
        audit(
            actor=reviewer,
            programme=programme,
            action="review.submitted",
            obj=application,
            related=application.city,
            data={"recommendation": "select"},
        )
        audit(
            actor=None,
            programme=programme,
            action="selection.closed",
            obj=programme,
            data={"count": i},
        )


@pytest.fixture
def journal_world():
    programme = factories.ProgrammeFactory()
    organiser = factories.user_with("organiser", programme)
    reviewer = factories.user_with("reviewer", programme)
    reviewer.first_name, reviewer.last_name = "Rémi", "Lecteur"
    reviewer.save()
    return programme, organiser, reviewer


def test_an_organiser_reads_the_journal_and_filters_it_by_kind_and_person(client, journal_world):
    programme, organiser, reviewer = journal_world
    write_entries(programme, organiser, reviewer)
    other = factories.ProgrammeFactory()
    audit(actor=organiser, programme=other, action="programme.created", obj=other)
    client.force_login(organiser)

    response = client.get(journal_url(programme))
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('class="journal-entry') == 3
    assert "Sélection close : 0 décisions envoyées." in text
    assert other.title not in text  # another programme's entries stay out
    assert ("review", "Évaluations") in response.context["filters"].fields["kind"].choices
    assert (str(reviewer.pk), "Rémi Lecteur") in response.context["filters"].fields[
        "person"
    ].choices

    by_kind = client.get(journal_url(programme, kind="review"))
    assert [e.action for e in by_kind.context["page"].object_list] == ["review.submitted"]
    by_person = client.get(journal_url(programme, person=organiser.pk))
    assert [e.action for e in by_person.context["page"].object_list] == ["funding.created"]
    both = client.get(journal_url(programme, kind="review", person=organiser.pk))
    assert list(both.context["page"].object_list) == []
    assert "Aucune entrée ne correspond" in both.content.decode() or "Nothing recorded matches" in (
        both.content.decode()
    )


def test_a_filter_naming_nothing_in_this_journal_is_refused_with_a_message(client, journal_world):
    programme, organiser, reviewer = journal_world
    write_entries(programme, organiser, reviewer)
    client.force_login(organiser)
    response = client.get(journal_url(programme, kind="nothing", person=reviewer.pk))
    assert response.status_code == 400
    assert response.context["filters"].errors["kind"]
    assert 'aria-describedby="id_kind_error"' in response.text
    assert 'id="id_kind_error"' in response.text
    # The valid filter still applies.
    assert [e.action for e in response.context["page"].object_list] == ["review.submitted"]


@pytest.mark.parametrize("role", ["reviewer", "facilitator", "funder", "city_contact"])
def test_only_organisers_read_the_journal(client, journal_world, role):
    programme, _organiser, _reviewer = journal_world
    client.force_login(factories.user_with(role, programme))
    assert client.get(journal_url(programme)).status_code == 404


def test_another_programmes_organiser_gets_404(client, journal_world):
    programme, _organiser, _reviewer = journal_world
    client.force_login(factories.user_with("organiser", factories.ProgrammeFactory()))
    assert client.get(journal_url(programme)).status_code == 404


def test_the_journal_runs_a_fixed_number_of_queries_and_pages_by_fifty(client, journal_world):
    programme, organiser, reviewer = journal_world
    write_entries(programme, organiser, reviewer)
    client.force_login(organiser)
    client.get(journal_url(programme))  # warm the content-type cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(journal_url(programme)).status_code == 200
    write_entries(programme, organiser, reviewer, n=40)  # 123 entries: three pages
    for extra in [factories.user_with("organiser", programme) for _ in range(5)]:
        audit(actor=extra, programme=programme, action="funding.created", obj=programme)
    with CaptureQueriesContext(connection) as many:
        response = client.get(journal_url(programme, page=2))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.num_pages == 3
    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)
