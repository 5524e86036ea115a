"""The personal-data registry (export and erasure of one person across the apps), the structured
audit trail it relies on, and the stored files an erasure removes."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cotraining import personal_data
from cotraining.personal_data import person_erase, person_export
from participants import services as participant_services
from programmes import services as programme_services
from programmes.models import AuditEntry, CityApplication, Membership
from reports.models import ReportRun
from sessions import services as session_services
from tests import factories
from tests.factories import build_training, give_records

pytestmark = pytest.mark.django_db

OUR_APPS = {"programmes", "participants", "training", "reports"}
PERSONAL_FIELDS = {"first_name", "last_name", "email", "phone"}
# Models that hold a person's name or contact without an entry in the registry, and why.
NOT_ANSWERED_FOR = {
    CityApplication: (
        "contact_* is the person who speaks for a city in its application, a public role; "
        "they are no participant, and the city's account holds their sign-in details"
    ),
}


def holds_personal_data(model) -> bool:
    names = {field.name for field in model._meta.get_fields() if field.concrete}
    return bool(names & PERSONAL_FIELDS) or any(name.startswith("contact_") for name in names)


def test_every_model_holding_a_persons_name_or_contact_is_answered_for():
    ours = [model for model in apps.get_models() if model._meta.app_label in OUR_APPS]
    personal = {model for model in ours if holds_personal_data(model)}
    assert personal  # the walk finds them: Participant, TriadNominee, CityApplication...
    missing = personal - personal_data.answered_for() - set(NOT_ANSWERED_FOR)
    assert missing == set()


def test_the_registry_finds_each_apps_module_in_the_order_of_the_layers():
    names = [module.__name__ for module in personal_data.providers()]
    assert names == [
        "programmes.personal_data",
        "participants.personal_data",
        "sessions.personal_data",
        "reports.personal_data",
    ]


# --- an erased person appears nowhere ---------------------------------------------------------

OLD = ("Anatole", "Brisefer")
NEW = ("Zéphyrin", "Quenouille")


def every_text_in_the_database() -> str:
    """Every row of every table, as text (names, e-mails, JSON values, free texts)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks).casefold()


def test_a_renamed_then_erased_person_is_nowhere_in_the_database_pages_or_exports(client):
    training = build_training(factories.ProgrammeFactory())
    programme = training.programme
    organiser = factories.UserFactory()
    factories.MembershipFactory(programme=programme, user=organiser, role=Membership.Role.ORGANISER)
    person = training.trainees[0]
    person.first_name, person.last_name = OLD
    person.save()
    give_records(training, person, organiser=organiser)  # with a legacy line naming them
    other = training.trainees[1]

    person.first_name, person.last_name = NEW
    participant_services.participant_save(
        participant=person, user=organiser, changed=["first_name", "last_name"]
    )
    factories.sign_as_trainer(training.slot, training.facilitator, user=organiser)
    session_services.slot_close(slot=training.slot, user=organiser)
    person_export(programme=programme, participant_id=person.pk, user=organiser)
    text = every_text_in_the_database()
    assert all(name.casefold() in text for name in NEW)  # the search does find names

    # The label is written in the active language: French, whatever an earlier test activated
    # in this thread (tests/cotraining/test_pages.py switches to English).
    with translation.override("fr"):
        person_erase(participant=person, user=organiser)

    text = every_text_in_the_database()
    for name in (*OLD, *NEW, "elu@ville.example", "elu.nominee@ville.example", "06 11 22 33 44"):
        assert name.casefold() not in text, name
    # Pages of the programme and the export of another person do not show them either.
    client.force_login(organiser)
    pages = [
        reverse("participants:participant_list", args=[programme.slug]),
        reverse("participants:peer_groups", args=[programme.slug]),
        reverse("sessions:attendance_sheet", args=[programme.slug, training.slot.pk]),
        reverse("sessions:participation", args=[programme.slug]),
    ]
    for url in pages:
        page = client.get(url).content.decode().casefold()
        assert not [name for name in (*OLD, *NEW) if name.casefold() in page], url
    export = client.post(reverse("person_export", args=[programme.slug, other.pk])).content.decode()
    assert not [name for name in (*OLD, *NEW) if name in export]
    # The trail still tells what happened, under the person's erased label.
    sentences = [entry.display() for entry in AuditEntry.objects.about(person)]
    assert f"Participant modifié : Personne effacée {person.pk} (first_name, last_name)." in (
        sentences
    )


def test_the_export_gathers_every_apps_section(training_with_records):
    training, person, organiser = training_with_records
    data = person_export(programme=training.programme, participant_id=person.pk, user=organiser)
    assert set(data) == {
        "exported_at",
        "programme",
        "participant",
        "consents",
        "peer_group",
        "named_commitment_to_attend_every_day",
        "evaluation",
        "triad_nominee",
        "audit_trail",
        "attendance",
        "team_invitations",
        "emails_sent",
        "signatures",
        "expenses",
        "application_thread",
    }
    assert data["participant"]["first_name"] == person.first_name
    assert len(data["attendance"]) == len(training.slots)


@pytest.fixture
def training_with_records():
    training = build_training(factories.ProgrammeFactory())
    organiser = factories.UserFactory()
    factories.MembershipFactory(
        programme=training.programme, user=organiser, role=Membership.Role.ORGANISER
    )
    person = give_records(training, training.trainees[0], organiser=organiser)
    return training, person, organiser


def test_an_erasure_is_all_or_nothing(training_with_records, monkeypatch):
    training, person, organiser = training_with_records
    from reports import personal_data as reports_data

    def broken(person):
        raise RuntimeError("storage unreachable")

    monkeypatch.setattr(reports_data, "erase", broken)
    with pytest.raises(RuntimeError):
        person_erase(participant=person, user=organiser)
    person.refresh_from_db()
    assert (person.erased_at, person.email) == (None, "elu@ville.example")
    assert person.nominee.email == "elu.nominee@ville.example"


# --- stored files that name the person ---------------------------------------------------------


def stored_run(programme, kind=ReportRun.Kind.ATTENDANCE, **fields):
    run = factories.ReportRunFactory(
        programme=programme, kind=kind, status=ReportRun.Status.DONE, **fields
    )
    run.file.save("report.pdf", ContentFile(b"%PDF-1.7 names inside"), save=True)
    return run


def test_erasing_deletes_the_stored_reports_of_the_programme(
    training_with_records, client, django_capture_on_commit_callbacks
):
    training, person, organiser = training_with_records
    runs = [stored_run(training.programme, kind) for kind in ReportRun.KINDS_NAMING_PEOPLE]
    elsewhere = stored_run(factories.ProgrammeFactory())
    paths = [run.file.path for run in runs]
    assert all(Path(path).read_bytes().startswith(b"%PDF") for path in paths)

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(participant=person, user=organiser)

    for run, path in zip(runs, paths, strict=True):
        run.refresh_from_db()
        assert (run.status, run.file.name) == (ReportRun.Status.EXPIRED, "")
        assert "effacer ses données" in run.error
        assert not Path(path).exists()
    elsewhere.refresh_from_db()
    assert elsewhere.is_downloadable
    assert elsewhere.file.storage.exists(elsewhere.file.name)
    # The reports page says why and offers to ask again; the old link answers "gone".
    client.force_login(organiser)
    page = client.get(reverse("reports:report_list", args=[training.programme.slug]))
    assert "Supprimé : demandez-le à nouveau." in page.content.decode()
    download = client.get(
        reverse("reports:report_run_download", args=[training.programme.slug, runs[0].pk])
    )
    assert download.status_code == 410


def test_a_file_is_deleted_only_once_the_erasure_commits(
    training_with_records, django_capture_on_commit_callbacks
):
    training, person, organiser = training_with_records
    run = stored_run(training.programme)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        person_erase(participant=person, user=organiser)
    assert run.file.storage.exists(run.file.name)  # a rollback would leave it whole
    for callback in callbacks:
        callback()
    assert not run.file.storage.exists(run.file.name)


def test_the_letter_goes_when_no_other_signatory_is_left(
    training_with_records, django_capture_on_commit_callbacks
):
    training, first, organiser = training_with_records
    application = first.nominee.application
    application.commitment_letter.save("letter.pdf", ContentFile(b"%PDF-1.7 signed"), save=True)
    letter = application.commitment_letter.name
    storage = application.commitment_letter.storage
    second = factories.ParticipantFactory(
        programme=training.programme,
        city=first.city,
        nominee=factories.TriadNomineeFactory(application=application),
    )

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(participant=first, user=organiser)
    application.refresh_from_db()
    assert application.commitment_letter.name == letter  # the second signatory stands
    assert storage.exists(letter)

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(participant=second, user=organiser)
    application.refresh_from_db()
    assert not application.commitment_letter
    assert not storage.exists(letter)


# --- the structured audit trail ------------------------------------------------------------------


def test_an_entry_reads_the_current_names_and_no_name_is_stored(training_with_records):
    training, person, organiser = training_with_records
    application = person.nominee.application
    city = application.city
    programme_services.audit(
        actor=organiser,
        programme=training.programme,
        action="application.submitted",
        obj=application,
        related=city,
    )
    entry = AuditEntry.objects.get(action="application.submitted")
    assert city.name not in str(entry.data)
    assert entry.display() == f"Candidature de {city.name} déposée."
    city.name = "Villeneuve-la-Nouvelle"
    city.save()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.display() == "Candidature de Villeneuve-la-Nouvelle déposée."


def test_the_admin_lists_entries_in_a_fixed_number_of_queries(client, training_with_records):
    training, person, organiser = training_with_records
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root-42")
    client.force_login(admin)
    url = reverse("admin:programmes_auditentry_changelist")

    def add_entries(count):
        someone = None
        for _index in range(count):
            someone = factories.ParticipantFactory(programme=training.programme)
            participant_services.participant_save(participant=someone, user=organiser, changed=[])
            application = factories.CityApplicationFactory()
            programme_services.audit(
                actor=organiser,
                programme=training.programme,
                action="application.saved",
                obj=application,
                related=application.city,
            )
        return someone

    add_entries(2)
    with CaptureQueriesContext(connection) as small:
        page = client.get(url)
    assert page.status_code == 200
    someone = add_entries(10)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert len(small) == len(large)
    assert f"Participant modifié : {someone.full_name}." in page.content.decode()


def test_old_messages_become_structured_values():
    migration = importlib.import_module("programmes.migrations.0003_audit_entry_structured")
    legacy = migration.legacy_data
    assert legacy("participants.created", "Anatole Brisefer") == {}
    assert legacy("participants.updated", "email, phone") == {"fields": ["email", "phone"]}
    assert legacy("funding.deleted", "Fondation X · Co-formation") == {
        "label": "Fondation X · Co-formation"
    }
    assert legacy("timetable.slot_deleted", "2015-01-22 Matin") == {"label": "2015-01-22 Matin"}
    assert legacy("timetable.slot_created", "2015-01-22 Matin") == {}
    assert legacy("application.reviewers_assigned", "hugo, lea") == {"text": "hugo, lea"}
    assert legacy("call.published", "") == {}
    assert legacy("application.decided", "Saint-Denis: selected") == {"decision": "selected"}
    assert legacy("review.updated", "Saint-Denis: waitlist") == {"recommendation": "waitlist"}


def test_a_persons_name_leaves_the_thread_of_their_citys_application(training_with_records):
    from programmes.models import ApplicationMessage

    training, person, organiser = training_with_records
    application = person.nominee.application
    message = ApplicationMessage.objects.create(
        application=application,
        side=ApplicationMessage.Side.CITY,
        body=f"{person.first_name} {person.last_name} remplace notre adjoint.",
    )
    other = ApplicationMessage.objects.create(
        application=application, side=ApplicationMessage.Side.ORGANISERS, body="Merci."
    )
    exported = person_export(programme=training.programme, participant_id=person.pk, user=organiser)
    assert [row["text"] for row in exported["application_thread"]] == [message.body]
    person_erase(participant=person, user=organiser)
    message.refresh_from_db()
    assert person.last_name not in message.body
    other.refresh_from_db()
    assert other.body == "Merci."
