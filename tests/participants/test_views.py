import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Category, Participant, PeerGroup
from participants.selectors import participant_list
from programmes.models import Membership
from tests import factories
from tests.factories import ROLES, add_trainees, user_with

pytestmark = pytest.mark.django_db

Role = Membership.Role

READERS = {
    "participants:participant_list": {Role.ORGANISER, Role.FACILITATOR},
    "participants:peer_groups": {Role.ORGANISER, Role.FACILITATOR},
    "participants:participant_create": {Role.ORGANISER},
    "participants:peer_group_create": {Role.ORGANISER},
    "participants:participant_edit": {Role.ORGANISER},
    "participants:peer_group_edit": {Role.ORGANISER},
}


def page_url(name, training):
    args = [training.programme.slug]
    if name.endswith("participant_edit"):
        args.append(training.trainees[0].pk)
    if name.endswith("peer_group_edit"):
        args.append(next(iter(training.groups.values())).pk)
    return reverse(name, args=args)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "outsider")
def test_who_may_open_each_page(client, training, role):
    client.force_login(user_with(role, training.programme))
    answers = {name: client.get(page_url(name, training)).status_code for name in READERS}
    assert answers == {name: 200 if role in roles else 404 for name, roles in READERS.items()}


def test_someone_of_another_programme_cannot_be_edited(client, training, organiser):
    client.force_login(organiser)
    stranger = factories.ParticipantFactory()
    foreign_group = factories.PeerGroupFactory()
    slug = training.programme.slug
    assert (
        client.get(reverse("participants:participant_edit", args=[slug, stranger.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("participants:peer_group_edit", args=[slug, foreign_group.pk])
        ).status_code
        == 404
    )


def test_an_organiser_adds_an_activist_without_contact_details(client, programme, organiser):
    client.force_login(organiser)
    response = client.post(
        reverse("participants:participant_create", args=[programme.slug]),
        {
            "category": Category.ACTIVIST,
            "first_name": "Josiane",
            "consent_name_in_reports": "",
            "consent_photos": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    person = Participant.objects.get(programme=programme)
    assert (person.full_name, person.email, person.phone) == ("Josiane", "", "")
    assert person.consent_photos
    assert not person.consent_name_in_reports
    assert person.consent_recorded_at is not None
    listing = client.get(response.url)
    assert "Josiane" in listing.text


def test_a_triad_member_needs_a_city_and_the_form_keeps_what_was_typed(
    client, programme, organiser
):
    client.force_login(organiser)
    response = client.post(
        reverse("participants:participant_create", args=[programme.slug]),
        {"category": Category.ELECTED_OFFICIAL, "first_name": "Hervé", "last_name": "Lemaire"},
    )
    assert response.status_code == 400
    assert 'value="Lemaire"' in response.text
    assert "invalid-feedback" in response.text
    assert not Participant.objects.exists()


def test_facilitators_see_the_list_but_not_the_contact_details(client, training, facilitator_user):
    person = training.trainees[0]
    person.email = "elu@ville.fr"
    person.save()
    client.force_login(facilitator_user)
    page = client.get(reverse("participants:participant_list", args=[training.programme.slug]))
    assert person.full_name in page.text
    assert "elu@ville.fr" not in page.text
    assert (
        reverse("participants:participant_create", args=[training.programme.slug]) not in page.text
    )


def test_a_line_of_the_list_shows_the_person_as_each_reader_may_see_them(
    client, programme, organiser, facilitator_user
):
    city = factories.CityFactory(name="L'Haÿ-les-Roses")
    group = factories.PeerGroupFactory(programme=programme, name="Groupe <B>")
    person = factories.ParticipantFactory(
        programme=programme,
        category=Category.ELECTED_OFFICIAL,
        first_name="Zoé",
        last_name="O'Neil & <Cie>",
        city=city,
        organisation=factories.OrganisationFactory(name="Mairie"),
        position="Adjointe",
        peer_group=group,
        email="zoe@ville.fr",
        phone="01 02",
        consent_name_in_reports=True,
        is_active=False,
    )
    alone = factories.ParticipantFactory(
        programme=programme,
        category=Category.ACTIVIST,
        first_name="Ali",
        last_name="Ben",
        city=None,
    )
    url = reverse("participants:participant_list", args=[programme.slug])
    edit = reverse("participants:participant_edit", args=[programme.slug, person.pk])

    def line(html, who):
        return re.search(rf'<tr id="p-{who.pk}">(.*?)</tr>', html, re.S).group(1)

    client.force_login(organiser)
    page = client.get(url).content.decode()
    name = "Zoé O&#x27;Neil &amp; &lt;Cie&gt;"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", line(page, person), re.S)
    assert [cell.strip() for cell in cells] == [
        f'{name} <span class="badge text-bg-secondary">inactif</span>',
        "L&#x27;Haÿ-les-Roses",
        "Mairie, Adjointe",
        "Groupe &lt;B&gt;",
        "nommé·e dans les rapports<br>pas de photos",
        '<a href="mailto:zoe@ville.fr">zoe@ville.fr</a><br>01 02',
        f'<a class="btn btn-sm btn-outline-dark" href="{edit}">Modifier'
        f'<span class="visually-hidden"> {name}</span></a>',
    ]
    assert re.findall(r"<td[^>]*>(.*?)</td>", line(page, alone), re.S)[:2] == ["—", ""]
    assert line(page, alone).count("—") == 3  # no city, no peer group, no contact

    client.force_login(facilitator_user)
    page = client.get(url).content.decode()
    assert "zoe@ville.fr" not in line(page, person)
    assert edit not in page
    assert len(re.findall(r"<td", line(page, person))) == 4


def test_an_organiser_composes_the_groups(client, training, organiser):
    client.force_login(organiser)
    slug = training.programme.slug
    activist = next(p for p in training.trainees if p.category == Category.ACTIVIST)
    professionals = training.groups[PeerGroup.Knowledge.PROFESSIONAL]
    data = {
        f"group_{person.pk}": str(person.peer_group_id or "")
        for person in Participant.objects.filter(programme=training.programme)
    }
    data[f"group_{activist.pk}"] = str(professionals.pk)

    response = client.post(reverse("participants:peer_groups", args=[slug]), data)

    assert response.status_code == 302
    activist.refresh_from_db()
    assert activist.peer_group == professionals
    page = client.get(response.url)
    assert 'data-warning="activist_alone"' in page.text  # now alone in both groups
    assert 'data-warning="other_knowledge"' in page.text


def test_a_group_of_another_programme_is_refused_in_the_composition(client, training, organiser):
    client.force_login(organiser)
    person = training.trainees[0]
    foreign = factories.PeerGroupFactory()
    response = client.post(
        reverse("participants:peer_groups", args=[training.programme.slug]),
        {f"group_{person.pk}": str(foreign.pk)},
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.peer_group != foreign


def test_facilitators_cannot_change_the_groups(client, training, facilitator_user):
    client.force_login(facilitator_user)
    person = training.trainees[0]
    slug = training.programme.slug
    assert (
        client.post(
            reverse("participants:peer_groups", args=[slug]), {f"group_{person.pk}": ""}
        ).status_code
        == 404
    )
    assert client.post(reverse("participants:peer_group_proposal", args=[slug])).status_code == 404
    person.refresh_from_db()
    assert person.peer_group is not None


def test_a_peer_group_is_created_with_a_facilitator_as_referent(client, training, organiser):
    client.force_login(organiser)
    slug = training.programme.slug
    response = client.post(
        reverse("participants:peer_group_create", args=[slug]),
        {
            "name": "Élus 2",
            "knowledge": PeerGroup.Knowledge.INSTITUTIONAL,
            "referent": training.facilitator.pk,
        },
    )
    assert response.status_code == 302
    assert PeerGroup.objects.get(name="Élus 2").referent == training.facilitator
    duplicate = client.post(
        reverse("participants:peer_group_create", args=[slug]),
        {"name": "élus 2", "knowledge": PeerGroup.Knowledge.INSTITUTIONAL},
    )
    assert duplicate.status_code == 400
    not_a_facilitator = client.post(
        reverse("participants:peer_group_create", args=[slug]),
        {
            "name": "Autre",
            "knowledge": PeerGroup.Knowledge.PROFESSIONAL,
            "referent": training.trainees[0].pk,
        },
    )
    assert not_a_facilitator.status_code == 400


@pytest.mark.parametrize("name", ["participants:participant_list", "participants:peer_groups"])
def test_pages_run_a_fixed_number_of_queries(client, training, organiser, name):
    client.force_login(organiser)
    url = reverse(name, args=[training.programme.slug])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_trainees(training.programme, cities=10, activists=20, groups=training.groups)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


# --- GDPR: export and erasure ----------------------------------------------------------------


CONFIRM = {"confirm": "on"}


def gdpr_url(name, training, person=None):
    person = person or training.trainees[0]
    # The pages of a person's data live in cotraining (they run every app's registry entry).
    name = {"participant_export": "person_export", "participant_erase": "person_erase"}[name]
    return reverse(name, args=[training.programme.slug, person.pk])


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "outsider")
def test_only_the_programmes_organisers_may_export_or_erase(client, training, role):
    from programmes.models import AuditEntry

    person = training.trainees[0]
    name = person.full_name
    client.force_login(user_with(role, training.programme))
    answers = {
        "export": client.post(gdpr_url("participant_export", training)).status_code,
        "erase page": client.get(gdpr_url("participant_erase", training)).status_code,
        "erase": client.post(
            gdpr_url("participant_erase", training), {"confirm": "on"}
        ).status_code,
    }
    allowed = role == Role.ORGANISER
    assert answers == {
        "export": 200 if allowed else 404,
        "erase page": 200 if allowed else 404,
        "erase": 302 if allowed else 404,
    }
    person.refresh_from_db()
    assert (person.full_name != name) is allowed
    assert AuditEntry.objects.filter(action="participants.exported").exists() is allowed


def test_another_programmes_person_answers_404_to_the_organiser(client, training, organiser):
    elsewhere = factories.ParticipantFactory()
    client.force_login(organiser)
    for name in ("participant_export", "participant_erase"):
        url = gdpr_url(name, training, elsewhere)
        assert client.post(url, {"confirm": "on"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.erased_at is None


def test_the_edit_page_offers_the_export_and_the_erasure(client, training, organiser):
    client.force_login(organiser)
    page = client.get(page_url("participants:participant_edit", training)).content.decode()
    assert gdpr_url("participant_export", training) in page
    assert gdpr_url("participant_erase", training) in page


def test_the_export_is_a_json_download_of_the_persons_data(client, training, organiser):
    from tests.factories import give_records

    person = give_records(training, training.trainees[0], organiser=organiser)
    client.force_login(organiser)
    response = client.post(gdpr_url("participant_export", training))

    assert response["Content-Type"] == "application/json"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"participant-{person.pk}-" in disposition
    assert person.last_name not in disposition  # no name in a download folder
    data = response.json()
    assert data["participant"]["last_name"] == person.last_name
    assert data["participant"]["email"] == "elu@ville.example"
    assert data["consents"]["photos"] is True
    assert data["triad_nominee"]["email"] == "elu.nominee@ville.example"
    assert data["triad_nominee"]["role"]["code"] == "elected_official"
    assert len(data["attendance"]) == len(training.slots)
    first = data["attendance"][0]
    assert (first["date"], first["half_day"]["code"], first["status"]["code"]) == (
        "2015-01-22",
        "morning",
        "late",
    )
    assert first["note"] == "Arrivé en retard, enfant malade"
    assert first["recorded_by"]["username"] == organiser.username
    assert [change["note"] for change in first["history"]] == ["Prévenu par SMS"]
    actions = [entry["action"] for entry in data["audit_trail"]]
    assert "participants.imported" in actions


def test_the_export_runs_the_same_queries_for_few_or_many_records(client, training, organiser):
    from tests.factories import give_records

    client.force_login(organiser)
    small = give_records(training, training.trainees[0], organiser=organiser)
    # Many: twelve more half-days, each with a record and two changes.
    big = give_records(training, training.trainees[1], organiser=organiser)
    for slot in factories.SlotFactory.create_batch(12, day__programme=training.programme):
        record = factories.AttendanceFactory(
            participant=big, slot=slot, recorded_by=organiser, status="present"
        )
        factories.AttendanceChangeFactory.create_batch(2, attendance=record, changed_by=organiser)
        factories.sign_as_trainee(slot, big, user=organiser)
    counts = []
    for person in (small, big):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(gdpr_url("participant_export", training, person))
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.json()["attendance"]) == len(training.slots) + 12
    assert len(response.json()["signatures"]) == 12
    assert counts == [15, 15]  # session, user, programme with the roles, person, records, history,
    # signatures, expenses, audit entries, team invitations and e-mails to the person, the
    # evaluation's invitations and named answers, the messages of the city's thread, the audit
    # line


def test_the_erase_page_says_what_happens_and_asks_to_confirm(client, training, organiser):
    client.force_login(organiser)
    page = client.get(gdpr_url("participant_erase", training))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="confirm"' in text
    assert "Personne effacée" in text


def test_an_erasure_without_the_box_ticked_is_refused_and_erases_nothing(
    client, training, organiser
):
    person = training.trainees[0]
    name = person.full_name
    client.force_login(organiser)
    response = client.post(gdpr_url("participant_erase", training), {})
    assert response.status_code == 400
    assert "Rien n’a été effacé : cochez la case" in response.content.decode()
    person.refresh_from_db()
    assert person.full_name == name


def test_an_erased_person_can_be_neither_erased_again_nor_edited(client, training, organiser):
    person = training.trainees[0]
    client.force_login(organiser)
    assert (
        client.post(gdpr_url("participant_erase", training), {"confirm": "on"}).status_code == 302
    )
    person.refresh_from_db()
    label = person.full_name

    again = client.post(gdpr_url("participant_erase", training), {"confirm": "on"})
    edit = client.post(
        page_url("participants:participant_edit", training),
        {"category": person.category, "first_name": "Revenu", "city": person.city_id},
    )
    page = client.get(page_url("participants:participant_edit", training)).content.decode()

    assert (again.status_code, edit.status_code) == (409, 409)
    person.refresh_from_db()
    assert person.full_name == label
    assert 'name="first_name"' not in page
    assert gdpr_url("participant_erase", training) not in page


def test_the_erasure_runs_the_same_queries_for_few_or_many_records(client, training, organiser):
    from tests.factories import give_records

    client.force_login(organiser)
    small = give_records(training, training.trainees[0], organiser=organiser)
    big = give_records(training, training.trainees[3], organiser=organiser)
    for slot in factories.SlotFactory.create_batch(12, day__programme=training.programme):
        record = factories.AttendanceFactory(
            participant=big, slot=slot, note="Fatigué", status="present"
        )
        factories.AttendanceChangeFactory.create_batch(2, attendance=record, note="Appel")
        factories.sign_as_trainee(slot, big, user=organiser)
    counts = []
    for person in (small, big):
        url = gdpr_url("participant_erase", training, person)
        with CaptureQueriesContext(connection) as page:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as erase:
            assert client.post(url, CONFIRM).status_code == 302
        counts.append((len(page), len(erase)))
    # The erasure also deletes the person's signatures and sealed sheets, team invitations and
    # e-mails with their attachments (five queries); their named evaluation answers lose their
    # link and written words (two queries); their expenses' notes are blanked (one); the city's
    # thread (its messages, other signatories, its documents: three).
    assert counts == [(4, 26), (4, 26)]


# --- The list, 50 people a page ----------------------------------------------------------------


def listed(html: str) -> list[str]:
    return re.findall(r'<tr id="p-(\d+)">', html)


def test_page_two_of_the_list_starts_at_the_51st_person_with_the_counts_of_everyone(
    client, training, organiser
):
    programme = training.programme
    add_trainees(programme, cities=10, activists=30, groups=training.groups)
    everyone = [str(row["pk"]) for row in participant_list(programme=programme)]
    assert len(everyone) > 50
    client.force_login(organiser)
    url = reverse("participants:participant_list", args=[programme.slug])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert listed(first) == everyone[:50]
    assert listed(second) == everyone[50:100]
    # A category's heading counts all its people, also on a page that shows some of them.
    activists = Participant.objects.filter(programme=programme, category=Category.ACTIVIST)
    label = str(Category.ACTIVIST.label)
    assert f'{label} <span class="fw-normal">({activists.count()})</span>' in second
    assert '<nav aria-label="' in second
    assert 'aria-current="page"' in second
    assert 'href="?page=1"' in second


@pytest.mark.parametrize("value", ["", "abc", "0", "-3", "999", "1" * 30])
def test_a_bad_page_of_the_list_answers_a_page(client, training, organiser, value):
    client.force_login(organiser)
    url = reverse("participants:participant_list", args=[training.programme.slug])
    assert client.get(url, {"page": value}).status_code == 200


def test_a_saved_person_is_shown_on_their_page_of_the_list(client, training, organiser):
    programme = training.programme
    add_trainees(programme, cities=10, activists=30, groups=training.groups)
    rows = list(participant_list(programme=programme))
    last, first = rows[-1]["pk"], rows[0]["pk"]
    client.force_login(organiser)
    edit = reverse("participants:participant_edit", args=[programme.slug, last])
    form = client.get(edit)
    assert form.context["cancel_url"].endswith(f"?page=2#p-{last}")
    edit_first = reverse("participants:participant_edit", args=[programme.slug, first])
    assert client.get(edit_first).context["cancel_url"].endswith(f"/participants/#p-{first}")
