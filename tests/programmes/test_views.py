"""The pages wired to their services: what a city contact, a reviewer and an organiser see."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from programmes.models import (
    ApplicationEvent,
    Call,
    City,
    CityAccessRequest,
    CityApplication,
    CityContribution,
    Membership,
    Review,
    ReviewAssignment,
    TriadNominee,
)
from tests import factories
from tests.factories import PDF_BYTES, application_post, triad_post

pytestmark = pytest.mark.django_db
Status = CityApplication.Status


def url(name, *args):
    return reverse(f"programmes:{name}", args=args)


@pytest.fixture
def draft(open_call):
    contact = factories.UserFactory(email="contact@ville.fr")
    application = factories.CityApplicationFactory(
        call=open_call, status=Status.DRAFT, contact_user=contact, contribution_pledged=0
    )
    factories.MembershipFactory(
        programme=open_call.programme,
        user=contact,
        role=Membership.Role.CITY_CONTACT,
        application=application,
    )
    return application


# The city applies ---------------------------------------------------------------------------


SIGN_UP = {
    "first_name": "Claire",
    "last_name": "Martin",
    "email": "Claire@ville.fr",
    "new_city_name": "Saint-Denis",
    "new_city_insee_code": "93066",
    "new_city_departement": "93",
}
PASSWORD = {
    "new_password1": "un-mot-de-passe-solide-42",
    "new_password2": "un-mot-de-passe-solide-42",
}


def mailed_link(email) -> str:
    return next(line for line in email.body.splitlines() if "://" in line).replace(
        "http://testserver", ""
    )


def test_a_sign_up_without_invitation_is_confirmed_by_email_then_by_the_organisers(
    client, open_call, people, mailoutbox, django_capture_on_commit_callbacks
):
    slug = open_call.programme.slug
    people.organiser.email = "orga@example.org"
    people.organiser.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("apply_sign_up", slug), SIGN_UP)
    assert response.status_code == 200
    assert "Consultez votre messagerie" in response.text or "Check your mailbox" in response.text
    # Nothing exists until the address is confirmed.
    assert not CityApplication.objects.exists()
    assert not factories.UserFactory._meta.model.objects.filter(email__iexact="claire@ville.fr")
    [email] = mailoutbox
    assert email.to == ["Claire@ville.fr"]
    link = mailed_link(email)
    assert f"/apply/{slug}/confirm/" in link

    page = client.get(link)
    assert page.status_code == 200
    assert "Claire@ville.fr" in page.text
    too_short = client.post(link, {"new_password1": "court", "new_password2": "court"})
    assert too_short.status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, PASSWORD)
    assert response.status_code == 302
    assert response.url == url("call_public", slug)
    # The account exists and asks for the city; no city, no draft before an organiser confirms.
    assert not CityApplication.objects.exists()
    assert not City.objects.filter(insee_code="93066").exists()
    request_row = CityAccessRequest.objects.get()
    assert request_row.requester.username == "claire@ville.fr"  # the address is the login
    page = client.get(response.url)
    assert "vous avez demandé à candidater pour Saint-Denis" in page.text
    assert mailoutbox[-1].to == ["orga@example.org"]
    assert "Claire@ville.fr" in mailoutbox[-1].body
    # Asking again shows the request instead of the form.
    assert client.get(url("apply_sign_up", slug)).status_code == 302

    client.force_login(people.organiser)
    board = client.get(url("access_requests", slug))
    assert board.status_code == 200
    assert "Saint-Denis" in board.text
    assert "Claire@ville.fr" in board.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("access_requests", slug), {"request": request_row.pk, "answer": "confirm"}
        )
    assert response.status_code == 302
    application = CityApplication.objects.get(city__insee_code="93066")
    assert application.status == Status.DRAFT
    assert application.contact_user == request_row.requester
    assert application.contact_email == "Claire@ville.fr"
    assert mailoutbox[-1].to == ["Claire@ville.fr"]
    assert Membership.objects.filter(
        user=application.contact_user, role="city_contact", application=application
    ).exists()
    # The link serves once: afterwards it sends to the login page.
    client.logout()
    again = client.get(link)
    assert again.status_code == 302
    assert again.url.startswith(reverse("login"))
    assert (
        client.post(
            reverse("login"), {"username": "claire@ville.fr", "password": PASSWORD["new_password1"]}
        ).status_code
        == 302
    )
    assert client.get(url("city_application_edit", slug, application.pk)).status_code == 200


def test_choosing_a_city_that_has_a_draft_does_not_give_it_away(
    client, open_call, people, draft, mailoutbox, django_capture_on_commit_callbacks
):
    slug = open_call.programme.slug
    first = draft.contact_user
    intruder = factories.UserFactory(email="claire@ville.fr")
    client.force_login(intruder)
    response = client.post(url("apply_sign_up", slug), {"city": str(draft.city.pk)})
    assert response.status_code == 302
    # The person who chose the city sees nothing of its draft.
    assert client.get(url("city_application", slug, draft.pk)).status_code == 404
    draft.refresh_from_db()
    assert draft.contact_user == first

    # A second request for the same city shows beside the first.
    other = factories.UserFactory(email="autre@ville.fr")
    client.force_login(other)
    client.post(url("apply_sign_up", slug), {"city": str(draft.city.pk)})
    client.force_login(people.organiser)
    board = client.get(url("access_requests", slug))
    assert "2 demandes pour cette ville" in board.text
    assert board.text.index("claire@ville.fr") < board.text.index("autre@ville.fr")

    # The organiser refuses one and hands the draft to the other: the former contact loses it.
    refused, chosen = CityAccessRequest.objects.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("access_requests", slug), {"request": refused.pk, "answer": "refuse"})
        client.post(url("access_requests", slug), {"request": chosen.pk, "answer": "confirm"})
    draft.refresh_from_db()
    assert draft.contact_user == other
    assert draft.contact_email == "autre@ville.fr"
    assert not Membership.objects.filter(user=first, application=draft).exists()
    assert {m.to[0] for m in mailoutbox[-2:]} == {"claire@ville.fr", "autre@ville.fr"}
    client.force_login(intruder)
    assert client.get(url("city_application", slug, draft.pk)).status_code == 404
    # An answered request cannot be answered again.
    client.force_login(people.organiser)
    again = client.post(url("access_requests", slug), {"request": refused.pk, "answer": "confirm"})
    assert again.status_code == 409


def test_only_organisers_see_requests_and_another_programmes_request_is_refused(
    client, open_call, people
):
    slug = open_call.programme.slug
    for user in (people.reviewer, people.facilitator, people.funder):
        client.force_login(user)
        assert client.get(url("access_requests", slug)).status_code == 404
    elsewhere = factories.CallFactory()
    foreign = CityAccessRequest.objects.create(
        call=elsewhere, requester=factories.UserFactory(), city_name="Lyon", city_insee_code="69123"
    )
    client.force_login(people.organiser)
    response = client.post(
        url("access_requests", slug), {"request": foreign.pk, "answer": "confirm"}
    )
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.status == CityAccessRequest.Status.PENDING


def test_a_call_offers_only_its_own_cities_and_those_of_its_departements(client, open_call):
    applied = factories.CityApplicationFactory(call=open_call).city
    open_call.departements = "93"
    open_call.save()
    nearby = City.objects.create(name="Bobigny", insee_code="93008", departement="93")
    elsewhere = factories.CityApplicationFactory(city__departement="77").city  # another call's
    far = City.objects.create(name="Lyon", insee_code="69123", departement="69")
    page = client.get(url("apply_sign_up", open_call.programme.slug))
    assert applied.name in page.text
    assert nearby.name in page.text
    assert elsewhere.name not in page.text
    assert far.name not in page.text


def test_the_sign_up_does_not_tell_whether_an_account_uses_the_address(
    client, open_call, mailoutbox, django_capture_on_commit_callbacks
):
    """Account enumeration: the same page whether or not the address (or login name) is
    taken; only the mailbox of the address learns which."""
    slug = open_call.programme.slug
    existing = factories.UserFactory(username="claire", email="claire@ville.fr")
    factories.UserFactory(username="paul@ville.fr", email="")  # the address as login name
    users_before = set(existing._meta.model.objects.values_list("pk", flat=True))

    answers = {}
    for address in ("CLAIRE@ville.fr", "paul@ville.fr", "nouvelle@ville.fr"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("apply_sign_up", slug), {**SIGN_UP, "email": address})
        # Nonces and CSRF tokens change with every page, whoever asks.
        text = re.sub(
            r'(nonce="|Nonce": "|CSRFToken": "|value=")[\w-]{20,}',
            r"\1",
            response.text.replace(address, "ADDRESS"),
        )
        answers[address] = (response.status_code, text)
    assert len(set(answers.values())) == 1
    status, text = answers["nouvelle@ville.fr"]
    assert status == 200
    for leak in ("already exists", "existe déjà", "déjà utilisée", "already uses"):
        assert leak not in text

    assert set(existing._meta.model.objects.values_list("pk", flat=True)) == users_before
    assert not CityApplication.objects.exists()
    taken, by_login_name, new = mailoutbox
    assert taken.to == ["CLAIRE@ville.fr"]
    assert by_login_name.to == ["paul@ville.fr"]
    for email in (taken, by_login_name):
        assert "/confirm/" not in email.body
        assert "http://testserver/login/" in email.body
    assert "/confirm/" in new.body


def test_a_sign_up_link_that_is_forged_or_for_another_call_is_refused(
    client, open_call, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("apply_sign_up", open_call.programme.slug), SIGN_UP)
    link = mailed_link(mailoutbox[0])
    forged = client.get(link[:-4] + "xyz/")
    assert forged.status_code == 400
    other = factories.CallFactory(
        published_at=timezone.now(),
        opens_on=open_call.opens_on,
        closes_on=open_call.closes_on,
    )
    elsewhere = link.replace(open_call.programme.slug, other.programme.slug)
    assert client.post(elsewhere, PASSWORD).status_code == 400
    assert not CityApplication.objects.exists()


def test_sign_up_with_errors_keeps_what_was_typed(client, open_call, mailoutbox):
    taken = factories.CityApplicationFactory(call=open_call)
    response = client.post(
        url("apply_sign_up", open_call.programme.slug),
        {
            "first_name": "Claire",
            "last_name": "<b>Martin</b>",
            "email": "claire@",
            "city": str(taken.city.pk),
            "new_city_name": "Saint-Denis",
        },
    )
    assert response.status_code == 400
    assert 'value="claire@"' in response.text
    assert "&lt;b&gt;Martin&lt;/b&gt;" in response.text
    assert "<b>Martin</b>" not in response.text
    assert not mailoutbox


def test_invitation_link_prefills_the_email_and_a_forged_one_is_refused(
    client, open_call, people, django_capture_on_commit_callbacks
):
    client.force_login(people.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("call_invite", open_call.programme.slug),
            {"email": "maire@bondy.fr", "city_name": "Bondy", "message": "Nous comptons sur vous."},
        )
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["maire@bondy.fr"]
    assert "Bondy" in email.body
    assert "Nous comptons sur vous." in email.body
    link = next(line for line in email.body.splitlines() if "/invitation/" in line)
    client.logout()
    page = client.get(link.replace("http://testserver", ""))
    assert page.status_code == 200
    assert 'value="maire@bondy.fr"' in page.text
    forged = client.get(link.replace("http://testserver", "")[:-3] + "xyz/")
    assert forged.status_code == 400
    assert "invitation" in forged.text.lower()


def test_the_invited_address_goes_straight_to_its_password_others_get_the_mail(
    client, open_call, people, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(people.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("call_invite", open_call.programme.slug), {"email": "maire@bondy.fr"})
    invitation = mailed_link(mailoutbox.pop())
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        fast = client.post(invitation, {**SIGN_UP, "email": "Maire@Bondy.fr"})
    assert fast.status_code == 302
    assert "/confirm/" in fast.url
    assert not mailoutbox or "/confirm/" in mailoutbox[-1].body
    assert client.post(fast.url, PASSWORD).status_code == 302
    assert CityApplication.objects.get().contact_user.username == "maire@bondy.fr"
    client.logout()
    mailoutbox.clear()
    # Another address typed on the invitation page proves nothing: it gets the e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        other = client.post(invitation, {**SIGN_UP, "email": "quelquun@bondy.fr"})
    assert other.status_code == 200
    [email] = mailoutbox
    assert email.to == ["quelquun@bondy.fr"]


def test_save_draft_then_submit_complete_application(
    client, draft, mailoutbox, django_capture_on_commit_callbacks
):
    slug = draft.call.programme.slug
    client.force_login(draft.contact_user)
    response = client.post(url("city_application_edit", slug, draft.pk), application_post())
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.nominees.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("city_application_edit", slug, draft.pk), application_post(action="submit")
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.submitted_at is not None
    assert list(draft.events.values_list("to_status", flat=True)) == [Status.SUBMITTED]
    city = [email for email in mailoutbox if email.subject.startswith("Candidature reçue")]
    assert city  # one outbox message per address of the city's contact
    assert all("Bonjour" in email.body for email in city)
    # After submission the city sees the status and cannot edit any more.
    page = client.get(url("city_application", slug, draft.pk))
    assert "Déposée" in page.text
    assert client.get(url("city_application_edit", slug, draft.pk)).status_code == 302


def test_submitting_an_incomplete_application_lists_what_is_missing_and_keeps_the_draft(
    client, draft
):
    slug = draft.call.programme.slug
    client.force_login(draft.contact_user)
    data = application_post(action="submit", contribution_pledged="100")
    for key in list(data):
        if key.startswith("delegate-"):
            data[key] = ""
    data["professional1-commitment_given"] = ""
    response = client.post(url("city_application_edit", slug, draft.pk), data)
    assert response.status_code == 400
    text = response.text
    assert "délégué du préfet" in text.lower()
    assert "Paul Agent" in text  # the named commitment missing
    assert "100,00" in text
    assert "500,00" in text
    assert 'value="100"' in text or 'value="100.00"' in text  # what was typed is kept
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.contribution_pledged == Decimal("100.00")  # saved as draft, nothing lost


def test_duplicate_people_in_the_triad_are_refused_with_what_was_typed_kept(client, draft):
    client.force_login(draft.contact_user)
    data = application_post(**triad_post("delegate", "Anne", "Élue", email="autre@example.org"))
    response = client.post(url("city_application_edit", draft.call.programme.slug, draft.pk), data)
    assert response.status_code == 400
    assert "Anne Élue" in response.text
    assert "deux fois" in response.text
    assert draft.nominees.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("lettre.pdf", b"<html>not a pdf</html>"), "pas un PDF"),
        (SimpleUploadedFile("lettre.pdf", PDF_BYTES + b"0" * 2048), "trop volumineux"),
    ],
)
def test_a_letter_that_is_not_a_pdf_or_too_large_is_refused(
    client, draft, settings, upload, message
):
    settings.COMMITMENT_LETTER_MAX_BYTES = 1024
    client.force_login(draft.contact_user)
    data = application_post(commitment_letter=upload, motivation="Texte tapé")
    response = client.post(url("city_application_edit", draft.call.programme.slug, draft.pk), data)
    assert response.status_code == 400
    assert message in response.text
    assert "Texte tapé" in response.text
    draft.refresh_from_db()
    assert not draft.commitment_letter


def test_the_letter_is_stored_under_a_server_name_and_served_only_to_those_allowed(
    client, open_call, draft, people
):
    slug = open_call.programme.slug
    client.force_login(draft.contact_user)
    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF_BYTES, content_type="text/html")
    data = application_post(commitment_letter=upload)
    assert client.post(url("city_application_edit", slug, draft.pk), data).status_code == 302
    draft.refresh_from_db()
    assert draft.commitment_letter.name.startswith("applications/letters/")
    assert "passwd" not in draft.commitment_letter.name

    response = client.get(url("commitment_letter", slug, draft.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert (
        f"lettre-engagement-{draft.city.name.lower().replace(' ', '-')}.pdf"
        in (response["Content-Disposition"])
    )
    assert b"".join(response.streaming_content) == PDF_BYTES

    CityApplication.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED)  # drafts: city only
    for user, expected in [
        (people.organiser, 200),
        (people.reviewer, 404),
        (people.funder, 404),
        (people.facilitator, 404),
    ]:
        client.force_login(user)
        assert client.get(url("commitment_letter", slug, draft.pk)).status_code == expected
    ReviewAssignment.objects.create(application=draft, reviewer=people.reviewer)
    client.force_login(people.reviewer)
    assert client.get(url("commitment_letter", slug, draft.pk)).status_code == 200


def test_html_typed_by_a_city_is_shown_escaped_to_the_organiser(
    client, open_call, people, complete_application
):
    application = complete_application(
        open_call, motivation='<script>alert("x")</script><img src=x onerror=alert(1)>'
    )
    client.force_login(people.organiser)
    response = client.get(url("application_detail", open_call.programme.slug, application.pk))
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in response.text
    assert "<img src=x" not in response.text


def test_a_form_without_a_valid_csrf_token_is_refused_with_a_clear_message(draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(draft.contact_user)
    response = client.post(
        url("city_application_edit", draft.call.programme.slug, draft.pk), application_post()
    )
    assert response.status_code == 403
    assert "Ce formulaire ne peut plus être envoyé" in response.text
    assert "Rien n’a été enregistré" in response.text
    assert draft.nominees.count() == 0


def test_a_city_is_not_offered_to_withdraw_from_a_training_that_has_begun(
    client, open_call, complete_application
):
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact, status=Status.SELECTED)
    programme = open_call.programme
    programme.status = programme.Status.CLOSED
    programme.save()
    slug = programme.slug
    client.force_login(contact)

    page = client.get(url("city_application", slug, application.pk))
    assert url("city_application_withdraw", slug, application.pk) not in page.text
    response = client.get(url("city_application_withdraw", slug, application.pk), follow=True)
    assert "ne peut plus être retirée" in response.text
    response = client.post(
        url("city_application_withdraw", slug, application.pk), {"confirm": "on"}
    )
    application.refresh_from_db()
    assert application.status == Status.SELECTED


def test_withdrawal_needs_a_confirmation_and_is_recorded(client, open_call, complete_application):
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    slug = open_call.programme.slug
    client.force_login(contact)
    response = client.post(url("city_application_withdraw", slug, application.pk), {"note": "x"})
    assert response.status_code == 400
    response = client.post(
        url("city_application_withdraw", slug, application.pk),
        {"note": "Élections municipales", "confirm": "on"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    event = application.events.get()
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        Status.SUBMITTED,
        Status.WITHDRAWN,
        "Élections municipales",
        contact,
    )


# Review and selection -----------------------------------------------------------------------


def test_a_draft_stays_with_the_city_until_it_is_submitted(
    client, open_call, people, complete_application, draft
):
    """The city is told "the organisers cannot see it until you submit it": they do not, and
    the list counts what the overview counts as received."""
    slug = open_call.programme.slug
    draft.commitment_letter = SimpleUploadedFile("lettre.pdf", PDF_BYTES)
    draft.save()
    complete_application(open_call, city=factories.CityFactory(name="Bobigny"))
    client.force_login(people.organiser)

    listing = client.get(url("application_list", slug))
    assert [a.city_name for a in listing.context["page"]] == ["Bobigny"]
    assert "1 candidature" in listing.text
    assert 'value="draft"' not in listing.text  # no filter for what cannot be listed
    overview = client.get(reverse("programme_overview", args=[slug]))
    assert overview.context["applications"].total == 1
    for page in ("application_detail", "commitment_letter", "review_edit"):
        assert client.get(url(page, slug, draft.pk)).status_code == 404, page
    assert client.post(url("application_decide", slug, draft.pk)).status_code == 404
    client.force_login(draft.contact_user)
    assert client.get(url("commitment_letter", slug, draft.pk)).status_code == 200


def test_the_list_filters_by_status_and_eligibility_and_searches_by_city(
    client, open_call, people, complete_application
):
    slug = open_call.programme.slug
    complete_application(open_call, city=factories.CityFactory(name="Bobigny"))
    complete_application(
        open_call, city=factories.CityFactory(name="Bondy"), contribution_pledged=Decimal("10")
    )
    complete_application(
        open_call, city=factories.CityFactory(name="Pantin"), status=Status.WAITLISTED
    )
    client.force_login(people.organiser)

    def cities(**params):
        response = client.get(url("application_list", slug), params)
        assert response.status_code == 200
        return [a.city_name for a in response.context["page"]]

    assert sorted(cities()) == ["Bobigny", "Bondy", "Pantin"]
    assert "3 candidatures" in client.get(url("application_list", slug)).text
    assert cities(eligibility="contribution") == ["Bondy"]
    assert sorted(cities(eligibility="eligible")) == ["Bobigny", "Pantin"]
    assert cities(status="waitlisted") == ["Pantin"]
    assert cities(q="bob") == ["Bobigny"]
    assert cities(sort="name") == ["Bobigny", "Bondy", "Pantin"]
    assert sorted(cities(status="nonsense")) == ["Bobigny", "Bondy", "Pantin"]
    # The htmx request gets the results fragment only.
    fragment = client.get(
        url("application_list", slug),
        {"q": "pan"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    assert "<html" not in fragment.text
    assert "Pantin" in fragment.text
    assert "Bobigny" not in fragment.text


def test_a_reviewer_sees_only_assigned_applications_and_others_reviews_after_their_own(
    client, open_call, people, complete_application
):
    slug = open_call.programme.slug
    mine = complete_application(open_call, status=Status.UNDER_REVIEW)
    other = complete_application(open_call, status=Status.UNDER_REVIEW)
    for reviewer in (people.reviewer, people.other_reviewer):
        ReviewAssignment.objects.create(application=mine, reviewer=reviewer)
    review = factories.ReviewFactory(
        application=mine,
        reviewer=people.other_reviewer,
        comment="Avis de l'autre relecteur",
        submitted_at=timezone.now(),
    )
    for criterion in open_call.criteria.all():
        factories.ReviewScoreFactory(review=review, criterion=criterion, score=2)

    client.force_login(people.reviewer)
    listing = client.get(url("application_list", slug))
    assert [a.pk for a in listing.context["page"]] == [mine.pk]
    assert client.get(url("application_detail", slug, other.pk)).status_code == 404
    before = client.get(url("application_detail", slug, mine.pk))
    assert "Avis de l'autre relecteur" not in before.text

    data = {f"score_{c.pk}": "5" for c in open_call.criteria.all()}
    data |= {"comment": "Très motivée", "recommendation": "select"}
    response = client.post(url("review_edit", slug, mine.pk), data)
    assert response.status_code == 302
    after = client.get(url("application_detail", slug, mine.pk))
    assert "Avis de l&#x27;autre relecteur" in after.text
    assert after.context["file"].average_score == pytest.approx(3.5)
    # A reviewer cannot decide.
    decide = client.post(url("application_decide", slug, mine.pk), {"decision": "selected"})
    assert decide.status_code == 404


def test_a_review_missing_a_score_is_refused_and_keeps_what_was_typed(
    client, open_call, people, complete_application
):
    application = complete_application(open_call, status=Status.UNDER_REVIEW)
    ReviewAssignment.objects.create(application=application, reviewer=people.reviewer)
    client.force_login(people.reviewer)
    first = open_call.criteria.first()
    response = client.post(
        url("review_edit", open_call.programme.slug, application.pk),
        {f"score_{first.pk}": "4", "comment": "Commentaire gardé", "recommendation": "waitlist"},
    )
    assert response.status_code == 400
    assert "Commentaire gardé" in response.text
    assert "Donnez une note de 1 à 5" in response.text
    assert not Review.objects.exists()
    response = client.post(
        url("review_edit", open_call.programme.slug, application.pk),
        {f"score_{c.pk}": "9" for c in open_call.criteria.all()} | {"recommendation": "select"},
    )
    assert response.status_code == 400


def test_organiser_assigns_reviewers_and_asks_for_more_information(
    client, open_call, people, complete_application, mailoutbox, django_capture_on_commit_callbacks
):
    slug = open_call.programme.slug
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    client.force_login(people.organiser)
    response = client.post(
        url("application_assign", slug, application.pk),
        {"whole": "1", "reviewers": [people.reviewer.pk]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    # An outsider's id is not a valid choice.
    outsider = factories.UserFactory()
    response = client.post(
        url("application_assign", slug, application.pk),
        {"whole": "1", "reviewers": [outsider.pk]},
    )
    assert response.status_code == 400
    assert list(application.assignments.values_list("reviewer", flat=True)) == [people.reviewer.pk]

    empty = client.post(url("application_request_information", slug, application.pk), {})
    assert empty.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("application_request_information", slug, application.pk),
            {"message": "Qui est le deuxième agent ?"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.INFO_REQUESTED
    assert mailoutbox  # one outbox message per address of the city's contact
    assert all("Qui est le deuxième agent ?" in email.body for email in mailoutbox)
    # The city can edit again, sees the message, and sends it back: it returns under review.
    client.force_login(contact)
    page = client.get(url("city_application_edit", slug, application.pk))
    assert page.status_code == 200
    assert "Qui est le deuxième agent ?" in page.text


def _decide(client, application, decision, **extra):
    slug = application.call.programme.slug
    prefix = f"a{application.pk}-"
    data = {"from": "board", f"{prefix}decision": decision, f"{prefix}expected_status": ""}
    data |= {f"{prefix}{key}": value for key, value in extra.items()}
    return client.post(
        url("application_decide", slug, application.pk), data, HTTP_HX_REQUEST="true"
    )


def test_the_board_enforces_the_places_and_selected_triads_become_participants_once(
    client, open_call, people, complete_application
):
    first, second, third = (complete_application(open_call) for _ in range(3))
    client.force_login(people.organiser)
    assert _decide(client, first, "selected").status_code == 200
    response = _decide(client, second, "selected", note="Très bon dossier")
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in response.text
    assert "2 villes retenues sur 2 places" in response.text

    refused = _decide(client, third, "selected")
    assert refused.status_code == 400
    assert "Toutes les 2 places sont prises" in refused.text
    third.refresh_from_db()
    assert third.status == Status.SUBMITTED

    allowed = _decide(client, third, "selected", override_reason="Ville pilote")
    assert allowed.status_code == 200
    third.refresh_from_db()
    assert third.status == Status.SELECTED
    assert third.selection_override_reason == "Ville pilote"

    assert Participant.objects.filter(nominee__application=first).count() == 3
    assert _decide(client, first, "waitlisted").status_code == 200
    assert not Participant.objects.filter(nominee__application=first, is_active=True).exists()
    assert _decide(client, first, "selected", override_reason="Retour").status_code == 200
    assert Participant.objects.filter(nominee__application=first, is_active=True).count() == 3
    assert Participant.objects.filter(nominee__application=first).count() == 3
    assert CityContribution.objects.filter(application=first).count() == 1
    statuses = list(first.events.values_list("from_status", "to_status"))
    assert statuses == [
        (Status.SUBMITTED, Status.SELECTED),
        (Status.SELECTED, Status.WAITLISTED),
        (Status.WAITLISTED, Status.SELECTED),
    ]


def test_a_decision_taken_on_a_stale_page_is_refused(
    client, open_call, people, complete_application
):
    application = complete_application(open_call)
    client.force_login(people.organiser)
    response = client.post(
        url("application_decide", open_call.programme.slug, application.pk),
        {"decision": "rejected", "expected_status": Status.UNDER_REVIEW},
    )
    assert response.status_code == 409
    assert "entre-temps" in response.text
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_closing_the_selection_emails_every_decision_in_french_and_freezes_decisions(
    client, open_call, people, complete_application, mailoutbox, django_capture_on_commit_callbacks
):
    slug = open_call.programme.slug
    selected = complete_application(open_call, status=Status.SELECTED)
    rejected = complete_application(open_call, status=Status.REJECTED)
    pending = complete_application(open_call, status=Status.UNDER_REVIEW)
    client.force_login(people.organiser)
    refused = client.post(url("selection_close", slug), {"confirm": "on"})
    assert refused.status_code == 409
    assert pending.city.name in refused.text

    assert _decide(client, pending, "waitlisted").status_code == 200
    unconfirmed = client.post(url("selection_close", slug), {})
    assert unconfirmed.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(url("selection_close", slug), {"confirm": "on"})
    assert closed.status_code == 302
    assert len(mailoutbox) == 3
    bodies = {tuple(m.to): m.body for m in mailoutbox}
    assert "est retenue" in bodies[(selected.contact_email,)]
    assert "liste d’attente" in bodies[(pending.contact_email,)]
    assert "pas retenue" in bodies[(rejected.contact_email,)]
    assert all(m.subject.startswith("Décision") for m in mailoutbox)

    late = _decide(client, rejected, "selected", override_reason="trop tard")
    assert late.status_code == 409
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED


def test_organiser_sets_up_the_programme_funding_budget_and_call(client, people, open_call):
    programme = open_call.programme
    slug = programme.slug
    client.force_login(people.organiser)
    response = client.post(
        url("funding_create", slug),
        {
            "new_funder": "Préfecture de la Seine-Saint-Denis",
            "kind": "state_grant",
            "amount_requested": "22000",
            "amount_awarded": "22000",
            "amount_received": "11000",
        },
    )
    assert response.status_code == 302
    response = client.post(
        url("budget_line_create", slug),
        {
            "category": "facilitation",
            "label": "Animation",
            "planned_amount": "30000",
            "actual_amount": "0",
        },
    )
    assert response.status_code == 302
    page = client.get(url("finances", slug))
    figures = page.context["finances"].figures
    assert figures.balance == Decimal("-8000.00")
    assert figures.still_to_receive == Decimal("11000.00")
    assert re.search(r'data-figure="balance">-8\s000,00 €', page.text)

    negative = client.post(
        url("funding_create", slug),
        {
            "new_funder": "CGET",
            "kind": "state_grant",
            "amount_requested": "-5",
            "amount_awarded": "0",
            "amount_received": "0",
        },
    )
    assert negative.status_code == 400
    assert "négatif" in negative.text
    assert 'value="CGET"' in negative.text


def test_programme_creation_is_open_to_organisers_and_superusers_only(client, people):
    client.force_login(people.funder)
    assert client.get(url("programme_create")).status_code == 403
    client.force_login(people.organiser)
    response = client.post(
        url("programme_create"),
        {
            "title": "Co-formation Val-de-Marne 2016",
            "slug": "",
            "status": "draft",
            "planned_days": "4.5",
            "planned_hours": "27",
            "capacity": "6",
        },
    )
    assert response.status_code == 302
    created = Membership.objects.get(
        user=people.organiser, programme__slug="co-formation-val-de-marne-2016"
    )
    assert created.role == Membership.Role.ORGANISER
    reserved = client.post(
        url("programme_create"),
        {
            "title": "X",
            "slug": "new",
            "status": "draft",
            "planned_days": "1",
            "planned_hours": "1",
            "capacity": "1",
        },
    )
    assert reserved.status_code == 400


def test_call_dates_the_wrong_way_round_are_refused_and_the_typed_values_kept(client, people):
    programme = factories.ProgrammeFactory()
    factories.MembershipFactory(programme=programme, user=people.organiser, role="organiser")
    client.force_login(people.organiser)
    data = {
        "title": "Appel 2016",
        "opens_on": "2016-03-01",
        "closes_on": "2016-02-01",
        "eligibility_terms": "Un trinôme",
        "required_contribution": "500",
        "places": "7",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-label": "Motivation",
        "criteria-0-description": "",
    }
    response = client.post(url("call_edit", programme.slug), data)
    assert response.status_code == 400
    assert "avant" in response.text
    assert 'value="Appel 2016"' in response.text
    data["closes_on"] = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    data["opens_on"] = timezone.localdate().isoformat()
    assert client.post(url("call_edit", programme.slug), data).status_code == 302
    assert client.post(url("call_publish", programme.slug)).status_code == 302
    programme.refresh_from_db()
    assert programme.call.is_published
    assert client.get(url("call_public", programme.slug)).status_code == 200


def test_a_forged_count_of_criteria_is_refused_without_building_the_forms(
    client, programme, organiser
):
    """A million criteria announced: the page says at most 20 and renders 20 rows at most (it
    used to build, validate and render a thousand, a minute of the server's time)."""
    client.force_login(organiser)
    data = {
        "title": "Appel 2016",
        "opens_on": "2016-01-01",
        "closes_on": "2016-02-01",
        "eligibility_terms": "Un trinôme",
        "required_contribution": "500",
        "places": "7",
        "criteria-TOTAL_FORMS": "1000000",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    data.update({f"criteria-{index}-label": f"Critère {index}" for index in range(25)})
    response = client.post(url("call_edit", programme.slug), data)
    assert response.status_code == 400
    assert "au plus 20 formulaires" in response.text
    assert len(re.findall(r'name="criteria-\d+-label"', response.text)) == 20
    assert 'value="Critère 19"' in response.text  # what was typed comes back
    assert not Call.objects.filter(programme=programme).exists()


def test_the_public_page_of_an_unpublished_call_does_not_exist(client, programme):
    factories.CallFactory(programme=programme, published_at=None)
    assert client.get(url("call_public", programme.slug)).status_code == 404


def test_the_detail_shows_the_activity_log(client, open_call, people, complete_application):
    application = complete_application(open_call)
    ApplicationEvent.objects.create(
        application=application,
        actor=people.organiser,
        from_status="submitted",
        to_status="under_review",
        note="Note visible",
    )
    client.force_login(people.organiser)
    response = client.get(url("application_detail", open_call.programme.slug, application.pk))
    assert "Note visible" in response.text
    assert TriadNominee.objects.filter(application=application).count() == 3


def test_a_returning_city_contact_reaches_their_application_from_the_overview(
    client, open_call, complete_application
):
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    client.force_login(contact)
    overview = client.get(reverse("programme_overview", args=[open_call.programme.slug]))
    assert url("city_application", open_call.programme.slug, application.pk) in overview.text
    public = client.get(url("call_public", open_call.programme.slug))
    assert url("city_application", open_call.programme.slug, application.pk) in public.text


def test_the_dashboard_offers_a_new_programme_to_organisers_only(client, people):
    client.force_login(people.organiser)
    assert url("programme_create") in client.get(reverse("dashboard")).text
    client.force_login(people.funder)
    assert url("programme_create") not in client.get(reverse("dashboard")).text


def test_a_new_call_suggests_the_usual_selection_grid(client, people):
    programme = factories.ProgrammeFactory()
    factories.MembershipFactory(programme=programme, user=people.organiser, role="organiser")
    client.force_login(people.organiser)
    formset = client.get(url("call_edit", programme.slug)).context["formset"]
    # The suggested grid, then a blank row: another criterion can be added before a first save.
    assert [form.initial.get("label") for form in formset.forms] == [
        "Engagement du trinôme",
        "Motivation",
        "Besoins des quartiers prioritaires",
        "Capacité à mettre en place les conseils citoyens",
        None,
    ]


def test_a_new_call_is_saved_with_the_suggested_grid_as_shown(client, people):
    """The organiser fills in the dates and places and keeps the four suggested criteria: the
    grid was dropped as "unchanged" and the form answered "submit at least one form"."""
    programme = factories.ProgrammeFactory()
    factories.MembershipFactory(programme=programme, user=people.organiser, role="organiser")
    client.force_login(people.organiser)
    page = client.get(url("call_edit", programme.slug))
    formset = page.context["formset"]
    data = {
        "title": page.context["form"].initial["title"],
        "opens_on": timezone.localdate().isoformat(),
        "closes_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "eligibility_terms": "",
        "required_contribution": "500",
        "places": "6",
        **{f"criteria-{name}": value for name, value in formset.management_form.initial.items()},
    }
    for index, form in enumerate(formset.forms):  # what the browser sends back, as shown
        data[f"criteria-{index}-label"] = form.initial.get("label", "")
        data[f"criteria-{index}-description"] = ""

    response = client.post(url("call_edit", programme.slug), data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert list(programme.call.criteria.values_list("label", flat=True)) == [
        "Engagement du trinôme",
        "Motivation",
        "Besoins des quartiers prioritaires",
        "Capacité à mettre en place les conseils citoyens",
    ]


def test_deciding_on_the_board_for_a_city_that_withdrew_meanwhile_opens_its_file(
    client, open_call, people, complete_application
):
    application = complete_application(open_call)
    CityApplication.objects.filter(pk=application.pk).update(status=Status.WITHDRAWN)
    client.force_login(people.organiser)
    response = _decide(client, application, "selected")
    assert response["HX-Redirect"] == url(
        "application_detail", open_call.programme.slug, application.pk
    )
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_the_city_sees_a_decision_only_once_the_selection_is_closed(
    client, open_call, people, complete_application
):
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    slug = open_call.programme.slug
    client.force_login(people.organiser)
    assert _decide(client, application, "selected", note="Bravo").status_code == 200
    client.force_login(contact)
    page = client.get(url("city_application", slug, application.pk))
    assert 'data-status="under_review"' in page.text
    assert "Retenue" not in page.text
    assert "Bravo" not in page.text
    client.force_login(people.organiser)
    assert client.post(url("selection_close", slug), {"confirm": "on"}).status_code == 302
    client.force_login(contact)
    page = client.get(url("city_application", slug, application.pk))
    assert 'data-status="selected"' in page.text
    assert "Bravo" in page.text


def test_the_close_page_names_the_files_still_waiting_before_anyone_tries(
    client, open_call, people, complete_application
):
    slug = open_call.programme.slug
    waiting = complete_application(open_call, city=factories.CityFactory(name="Stains"))
    client.force_login(people.organiser)

    page = client.get(url("selection_close", slug))
    assert "Stains" in page.text
    assert url("application_detail", slug, waiting.pk) in page.text
    assert 'name="confirm"' not in page.text  # nothing to confirm yet

    assert _decide(client, waiting, "waitlisted").status_code == 200
    page = client.get(url("selection_close", slug))
    assert 'name="confirm"' in page.text


def test_the_triad_reads_elected_official_professional_delegate_everywhere(
    client, open_call, people, complete_application
):
    """The role codes sort city_professional < elected_official < prefects_delegate; people
    read a triad in the order of the form."""
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    slug = open_call.programme.slug
    names = [
        f"{n.first_name} {n.last_name}" for n in application.nominees.order_by("pk")
    ]  # made elected, professional, delegate

    def in_order(text):
        positions = [text.index(name) for name in names]
        return positions == sorted(positions)

    client.force_login(people.organiser)
    assert in_order(client.get(url("application_detail", slug, application.pk)).text)
    assert in_order(client.get(url("selection_board", slug)).text)
    client.force_login(contact)
    assert in_order(client.get(url("city_application", slug, application.pk)).text)


def test_the_french_pages_never_write_de_before_a_city_that_starts_with_a_vowel(
    client, open_call, people, complete_application
):
    """French elides "de" before a vowel (d’Aubervilliers); the pages avoid the construction."""
    contact = factories.UserFactory()
    application = complete_application(
        open_call, contact=contact, city=factories.CityFactory(name="Aubervilliers")
    )
    slug = open_call.programme.slug
    client.force_login(contact)
    pages = [
        client.get(url("city_application", slug, application.pk)).text,
        client.get(url("call_public", slug)).text,
        client.get(url("city_application_withdraw", slug, application.pk)).text,
    ]
    assert "Candidature : Aubervilliers" in pages[0]
    assert "Lettre d’engagement signée" in pages[0]
    assert "aucune envoyée" in pages[0]  # the letter is feminine: not "non donné"
    client.force_login(people.organiser)
    pages.append(client.get(url("selection_board", slug)).text)
    for text in pages:
        assert "de Aubervilliers" not in text
