"""The evaluation's results page, the public results page, the funder report's evaluation
section and the research export."""

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Category
from participants.selectors import evaluation_results as evaluation_results_of
from programmes.models import AuditEntry, CityApplication, Membership
from reports.models import ReportRun
from reports.research import research_zip
from reports.services import report_run_build, report_run_request
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _evaluated(programme, *, answers=6):
    questionnaire = factories.QuestionnaireFactory(programme=programme, title="Ce qui a changé")
    scale = factories.QuestionFactory(questionnaire=questionnaire, text="Je suis bien en groupe")
    text = factories.QuestionFactory(questionnaire=questionnaire, kind="text", text="Que changer ?")
    end = factories.EvaluationRoundFactory(questionnaire=questionnaire, moment="end")
    factories.answer_many(end, scale, [5, 4, 4, 3, 5, 2][:answers] * (answers // 6 or 1))
    factories.answer_many(end, text, ["Plus de pauses"] * 5)
    return questionnaire, scale, text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ORGANISER, 200),
        (Role.FUNDER, 200),
        (Role.FACILITATOR, 404),
        (Role.REVIEWER, 404),
    ],
)
def test_who_may_read_the_results(client, programme, member, role, status):
    questionnaire, _scale, _text = _evaluated(programme)
    client.force_login(member(programme, role))
    url = reverse("reports:evaluation_results", args=[programme.slug, questionnaire.pk])
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "<svg" in page
        # Written answers: organisers only.
        assert ("Plus de pauses" in page) is (role == Role.ORGANISER)


def test_the_results_page_runs_the_same_queries_whatever_the_answers(client, programme, member):
    questionnaire, scale, _text = _evaluated(programme)
    client.force_login(member(programme, Role.ORGANISER))
    url = reverse("reports:evaluation_results", args=[programme.slug, questionnaire.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    later = factories.EvaluationRoundFactory(questionnaire=questionnaire, moment="later")
    factories.answer_many(later, scale, [1, 2, 3, 4, 5] * 30, category=Category.ACTIVIST)
    factories.QuestionFactory(questionnaire=questionnaire, kind="choice", choices="Oui\nNon")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


def test_the_public_page_is_404_until_the_organiser_opens_it(client, programme, member):
    _evaluated(programme)
    url = reverse("reports:public_results", args=[programme.slug])
    assert client.get(url).status_code == 404
    client.force_login(member(programme, Role.FUNDER))
    assert client.get(url).status_code == 404
    organiser = member(programme, Role.ORGANISER)
    client.force_login(organiser)
    preview = client.get(url)
    assert preview.status_code == 200
    assert preview.context["can_manage"]
    client.post(reverse("reports:public_results_toggle", args=[programme.slug]), {"public": "1"})
    programme.refresh_from_db()
    assert programme.results_public
    assert AuditEntry.objects.filter(action="public_results.opened").exists()
    client.logout()
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Je suis bien en groupe" in text
    assert "Plus de pauses" not in text  # no free text in public


def test_only_organisers_open_the_public_page(client, programme, member):
    url = reverse("reports:public_results_toggle", args=[programme.slug])
    client.force_login(member(programme, Role.FUNDER))
    assert client.post(url, {"public": "1"}).status_code == 404
    programme.refresh_from_db()
    assert not programme.results_public


def test_the_public_page_names_nobody_and_runs_fixed_queries(client, programme):
    programme.results_public = True
    programme.save()
    person = factories.ParticipantFactory(
        programme=programme, first_name="Zéphyrine", last_name="Unique"
    )
    _evaluated(programme)
    programme.narrative_fr = "Sept villes ont appris ensemble."
    programme.save()
    milestone = factories.CouncilMilestoneFactory(
        application__call__programme=programme, note="Zéphyrine a présidé"
    )
    url = reverse("reports:public_results", args=[programme.slug])
    with CaptureQueriesContext(connection) as few:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert person.first_name not in text
    # The organiser's narrative and the council's step (its date, never its note).
    assert "Sept villes ont appris ensemble." in text
    assert milestone.application.city.name in text
    assert "1 avril 2015" in text or "1er avril 2015" in text
    for _index in range(10):
        factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    _evaluated(programme)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


def test_the_funder_report_has_the_evaluation_section(programme):
    from reports.documents import document_html

    _evaluated(programme)
    document = document_html(kind=ReportRun.Kind.FUNDER, programme=programme)
    assert "Je suis à l&#x27;aise" in document.html or "Je suis bien en groupe" in document.html
    assert "Plus de pauses" not in document.html
    assert "<svg" in document.html


def _zip_files(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_research_export_is_pseudonymous_and_stable_within_one_export(programme):
    person = factories.ParticipantFactory(
        programme=programme, first_name="Zéphyrine", last_name="Unique", email="z@example.org"
    )
    slot = factories.SlotFactory(day__programme=programme)
    other = factories.SlotFactory(day=slot.day, part="afternoon")
    factories.AttendanceFactory(slot=slot, participant=person)
    factories.AttendanceFactory(slot=other, participant=person)
    _evaluated(programme)
    application = factories.CityApplicationFactory(
        call__programme=programme, city=person.city, status=CityApplication.Status.SELECTED
    )
    factories.CouncilMilestoneFactory(application=application, note="Mme Zéphyrine est venue")
    content, source = research_zip(programme=programme)
    files = _zip_files(content)
    assert set(files) == {
        "participation.csv",
        "evaluation_answers.csv",
        "council_milestones.csv",
        "data_dictionary.md",
        "programme.md",
    }
    everything = "".join(files.values())
    for personal in ("Zéphyrine", "Unique", "z@example.org", person.city.name):
        assert personal not in everything
    rows = list(csv.DictReader(io.StringIO(files["participation.csv"])))
    assert len(rows) == 2 == source["participation"]
    assert rows[0]["person"] == rows[1]["person"] != str(person.pk)
    assert rows[0]["person"].startswith("P-")
    answers = list(csv.DictReader(io.StringIO(files["evaluation_answers.csv"])))
    assert answers
    assert all(row["person"] == "" for row in answers)  # anonymous
    # The council's steps: the city under the same pseudonym as in the participation, no note.
    milestones = list(csv.DictReader(io.StringIO(files["council_milestones.csv"])))
    assert milestones == [{"city": rows[0]["city"], "milestone": "created", "date": "2015-04-01"}]
    assert source["council_milestones"] == 1
    for column in ("person", "category", "moment", "answer"):
        assert f"`{column}`" in files["data_dictionary.md"]
    # Another export draws other ids.
    again = list(
        csv.DictReader(
            io.StringIO(_zip_files(research_zip(programme=programme)[0])["participation.csv"])
        )
    )
    assert again[0]["person"] != rows[0]["person"]


def test_the_research_export_is_a_report_run_for_organisers_only(client, programme, member):
    organiser = member(programme, Role.ORGANISER)
    funder = member(programme, Role.FUNDER)
    _evaluated(programme)
    client.force_login(funder)
    client.post(reverse("reports:report_list", args=[programme.slug]), {"kind": "research"})
    assert not ReportRun.objects.filter(kind="research").exists()
    result = report_run_request(programme=programme, kind="research", language="fr", user=organiser)
    report_run_build(report_run_id=result.run.pk)
    run = ReportRun.objects.get(pk=result.run.pk)
    assert run.status == ReportRun.Status.DONE
    assert run.file.name.endswith(".zip")
    client.force_login(organiser)
    response = client.get(reverse("reports:report_run_download", args=[programme.slug, run.pk]))
    assert response["Content-Type"] == "application/zip"
    assert "evaluation_answers.csv" in _zip_files(b"".join(response.streaming_content))
    assert AuditEntry.objects.filter(action="report.downloaded").exists()
    client.force_login(funder)
    denied = client.get(reverse("reports:report_run_download", args=[programme.slug, run.pk]))
    assert denied.status_code == 404


def test_the_demo_has_a_completed_evaluation_and_a_public_results_page(client, demo):
    (results,) = evaluation_results_of(programme=demo)
    assert [r.moment for r in results.rounds] == ["before", "end", "later"]
    assert results.responses == 24 + 26 + 19
    first = results.questions[0]
    before, end, later = (row.mean for row in first.moments)
    assert before < later < end  # the training helped, and some of it stayed
    page = client.get(reverse("reports:public_results", args=[demo.slug]))
    assert page.status_code == 200
    assert "Je me sens à l’aise" in page.content.decode()
