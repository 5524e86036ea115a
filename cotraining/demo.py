"""The demo programme: the 2015 co-training in Seine-Saint-Denis (DOMAIN.md), invented people.

Everything here is deterministic, so that the app shows the same figures on every machine:
12 city applications (7 selected), 7 triads (7 elected officials, 8 city professionals, 7 prefect's
delegates) and 6 ATD activists = 28 participants, 5 facilitators, 2 support people, 4 days and a
closing half-day (9 half-days) at Pierrelaye, attendance whose overall rate rounds to 95 %, funding
of 22,000 + 10,000 EUR plus 4,500 EUR of city contributions, and budget lines.
"""

import datetime as dt
import random
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cotraining import demo_followup
from participants.models import Category, Participant, PeerGroup
from programmes import emails
from programmes.models import (
    ApplicationEvent,
    AuditEntry,
    BudgetLine,
    Call,
    City,
    CityApplication,
    CityContribution,
    Funding,
    Membership,
    Organisation,
    OutboxMessage,
    Programme,
    Review,
    ReviewAssignment,
    ReviewScore,
    SelectionCriterion,
    TeamInvitation,
    TriadNominee,
)
from programmes.services import audit
from programmes.services.team import INVITATION_LIFETIME, token_hash
from reports.services import sheet_seal
from sessions.models import (
    ATTENDING_STATUSES,
    Activity,
    Attendance,
    AttendanceSignature,
    Slot,
    SyncedChange,
    TrainingDay,
)
from sessions.signatures import GENESIS, Evidence, row_hash, strokes_svg

from .demo_docs import build_documents
from .demo_evaluation import build_evaluation

SLUG = "seine-saint-denis-2015"
DEMO_USERS = {
    "organiser": ("Claire", "Moreau", Membership.Role.ORGANISER),
    "reviewer": ("Hugo", "Lefèvre", Membership.Role.REVIEWER),
    "facilitator": ("Nadia", "Benali", Membership.Role.FACILITATOR),
    "funder": ("Marc", "Dubreuil", Membership.Role.FUNDER),
    "city": ("Sophie", "Garnier", Membership.Role.CITY_CONTACT),
}
TZ = dt.timezone(dt.timedelta(hours=1))  # Paris in winter

# name, INSEE code, priority neighbourhoods, outcome, pledged contribution, professionals
CITIES = [
    (
        "Aubervilliers",
        "93001",
        "Villette – Quatre-Chemins\nMaladrerie – Émile Dubois",
        "selected",
        650,
        1,
    ),
    ("Bobigny", "93008", "Abreuvoir – Salengro\nKarl Marx", "selected", 650, 1),
    ("Bondy", "93010", "Blanqui\nLa Noue Caillet", "selected", 650, 1),
    ("Clichy-sous-Bois", "93014", "Haut-Clichy\nBas-Clichy", "selected", 650, 2),
    ("La Courneuve", "93027", "Quatre-Mille", "selected", 650, 1),
    (
        "Saint-Denis",
        "93066",
        "Franc-Moisin – Bel-Air\nFloréal – Saussaie – Courtille",
        "selected",
        625,
        1,
    ),
    ("Sevran", "93071", "Rougemont\nLes Beaudottes", "selected", 625, 1),
    ("Stains", "93072", "Clos Saint-Lazare – Allende", "waitlisted", 600, 1),
    ("Pantin", "93055", "Les Courtillières", "waitlisted", 550, 1),
    ("Bagnolet", "93006", "La Noue – Malassis", "waitlisted", 500, 1),
    ("Montreuil", "93048", "Bel-Air – Grands-Pêchers", "rejected", 500, 1),
    ("Épinay-sur-Seine", "93031", "Orgemont", "rejected", 300, 1),
]
CRITERIA = [
    (
        "Engagement du trinôme",
        "Les trois membres s'engagent nominativement à suivre toute la formation.",
    ),
    ("Motivation de la ville", "Le projet de la ville pour ses conseils citoyens."),
    ("Besoins des quartiers prioritaires", "La situation des habitants des QPV concernés."),
    ("Capacité à installer les conseils citoyens", "Moyens et calendrier prévus."),
]
FIRST_NAMES = [
    "Amina",
    "Bruno",
    "Céline",
    "David",
    "Élodie",
    "Fabrice",
    "Géraldine",
    "Hakim",
    "Isabelle",
    "Jérôme",
    "Karima",
    "Laurent",
    "Mélanie",
    "Nicolas",
    "Odile",
    "Patrick",
    "Rachida",
    "Samuel",
    "Thérèse",
    "Vincent",
    "Yasmine",
    "Antoine",
    "Brigitte",
    "Cédric",
    "Dominique",
    "Estelle",
    "François",
    "Gaëlle",
    "Henri",
    "Inès",
    "Julien",
    "Kevin",
    "Lucie",
    "Mohamed",
    "Nathalie",
    "Olivier",
    "Pascale",
    "Quentin",
    "Rémi",
    "Sabrina",
    "Thierry",
    "Valérie",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clement",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
]
# Part of the day, start, end, activities (kind, title, per peer group?)
DAYS = [
    (
        dt.date(2015, 1, 22),
        "Jour 1 · Se connaître et croiser les regards",
        ["morning", "afternoon"],
    ),
    (dt.date(2015, 1, 23), "Jour 2 · Représentations de la pauvreté", ["morning", "afternoon"]),
    (dt.date(2015, 2, 12), "Jour 3 · Le conseil citoyen vu par chacun", ["morning", "afternoon"]),
    (dt.date(2015, 2, 13), "Jour 4 · Recommandations communes", ["morning", "afternoon"]),
    (dt.date(2015, 3, 19), "Restitution", ["afternoon"]),
]
TIMES = {
    "morning": (dt.time(9, 30), dt.time(12, 30)),
    "afternoon": (dt.time(14, 0), dt.time(17, 0)),
}
PROGRAMME_ACTIVITIES = [
    [
        ("peer_group", "Travail en groupes de pairs : ce que je sais de la pauvreté"),
        ("plenary", "Accueil et présentation des participants"),
    ],
    [("individual", "Récit d'expérience individuel"), ("plenary", "Mise en commun des récits")],
    [
        ("preparation", "Préparation par les militants"),
        ("peer_group", "Groupes de pairs : les représentations"),
    ],
    [("plenary", "Plénière : croiser les représentations"), ("forum_theatre", "Théâtre-forum")],
    [("peer_group", "Groupes de pairs : le conseil citoyen idéal")],
    [("plenary", "Plénière : conditions de la participation des habitants")],
    [("peer_group", "Groupes de pairs : écrire des recommandations")],
    [("plenary", "Plénière : recommandations communes")],
    [("closing", "Présentation des recommandations aux élus et partenaires")],
]
# Attendance that is not "present": (slot index, participant index, status). Built so that
# 239 of the 252 expected attendances count (94.8 %, shown as 95 %).
NON_ATTENDING = 13
LATE = 9
LEFT_EARLY = 5
EXCUSED = 5


def _money(value: float | int) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


class DemoBuilder:
    def __init__(self, password: str) -> None:
        self.password = password
        self.random = random.Random(2015)  # noqa: S311 - deterministic demo data, not security
        self.names = iter([(first, last) for last in LAST_NAMES for first in FIRST_NAMES][::7])

    def next_name(self) -> tuple[str, str]:
        return next(self.names)

    @transaction.atomic
    def build(self) -> Programme:
        Programme.objects.filter(slug=SLUG).delete()
        self.users = self.build_users()
        programme = self.build_programme()
        call = self.build_call(programme)
        self.build_applications(programme, call)
        self.build_people(programme)
        self.build_timetable(programme)
        self.build_attendance(programme)
        self.build_signatures()
        self.build_offline_marks()
        self.build_money(programme)
        self.build_outbox(programme)
        self.build_team(programme)
        build_evaluation(
            programme=programme, organiser=self.users["organiser"], trainees=self.trainees
        )
        demo_followup.build(programme, organiser=self.users["organiser"])
        build_documents(programme)
        return programme

    def build_outbox(self, programme: Programme) -> None:
        """The e-mails of 2015, dated when they left: each city's receipt and decision, the
        facilitators' reminder before the first day, and one message that bounced and was
        sent again by the organiser. History only: nothing here is sent."""
        Kind, Sent = OutboxMessage.Kind, OutboxMessage.Status.SENT
        base = settings.SITE_URL.rstrip("/")
        rows = []

        def add(*, when, recipient, subject, body, kind, about, user=None, **extra):
            rows.append(
                OutboxMessage(
                    programme=programme,
                    recipient=recipient,
                    recipient_user=user,
                    language="fr",
                    subject=subject,
                    body=body,
                    kind=kind,
                    status=extra.pop("status", Sent),
                    attempts=extra.pop("attempts", 1),
                    object_type=about._meta.model_name,
                    object_id=str(about.pk),
                    created_at=when,
                    sent_at=extra.pop("sent_at", when + dt.timedelta(seconds=3)),
                    **extra,
                )
            )

        applications = list(
            CityApplication.objects.filter(call__programme=programme)
            .select_related("call", "city")
            .order_by("submitted_at")
        )
        with translation.override("fr"):
            for application in applications:
                context = {
                    "application": application,
                    "call": application.call,
                    "programme": programme,
                    "url": base
                    + reverse("programmes:city_application", args=[programme.slug, application.pk]),
                }
                for kind, when in (
                    (Kind.APPLICATION_SUBMITTED, application.submitted_at),
                    (Kind.DECISION, application.decided_at),
                ):
                    subject = gettext(emails.SUBJECTS[kind]) % {"city": application.city.name}
                    body = render_to_string(f"programmes/emails/{kind}.txt", context)
                    if kind == Kind.DECISION and application is applications[-1]:
                        # The mail server refused this city's address for a day (its mailbox
                        # was full); every retry failed, and the organiser sent it again.
                        add(
                            when=when,
                            recipient=application.contact_email,
                            subject=subject,
                            body=body,
                            kind=kind,
                            about=application,
                            status=OutboxMessage.Status.FAILED,
                            attempts=12,
                            sent_at=None,
                            last_error="SMTPRecipientsRefused: 552 5.2.2 Mailbox full",
                        )
                        when += dt.timedelta(days=1)
                    add(
                        when=when,
                        recipient=application.contact_email,
                        subject=subject,
                        body=body,
                        kind=kind,
                        about=application,
                    )
            first_day = TrainingDay.objects.filter(programme=programme).order_by("date").first()
            facilitator = self.users["facilitator"]
            add(
                when=dt.datetime(2015, 1, 21, 8, 0, tzinfo=TZ),
                recipient=facilitator.email,
                user=facilitator,
                subject=f"Demain, 2015-01-22 : {programme.title}",
                body="Demain est une journée de formation : vos feuilles d’émargement vous "
                f"attendent.\n\n{base}{reverse('sessions:attendance_list', args=[programme.slug])}",
                kind=Kind.REMINDER,
                about=first_day,
                key=f"reminder:day:{first_day.pk}:{facilitator.pk}",
            )
        OutboxMessage.objects.bulk_create(rows)
        failed = OutboxMessage.objects.get(programme=programme, status=OutboxMessage.Status.FAILED)
        OutboxMessage.objects.filter(
            programme=programme, kind=Kind.DECISION, object_id=failed.object_id, status=Sent
        ).update(resent_from=failed)

    def build_users(self) -> dict:
        User = get_user_model()
        users = {}
        for username, (first, last, _role) in DEMO_USERS.items():
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@demo.cotraining.invalid"
            user.is_active = True
            user.set_password(self.password)
            user.save()
            users[username] = user
        admin, _ = User.objects.get_or_create(username="admin")
        admin.is_staff = admin.is_superuser = True
        admin.email = "admin@demo.cotraining.invalid"
        admin.set_password(self.password)
        admin.save()
        users["admin"] = admin
        second, _ = User.objects.get_or_create(username="reviewer2")
        second.first_name, second.last_name = "Léa", "Fontaine"
        second.email = "reviewer2@demo.cotraining.invalid"
        second.set_password(self.password)
        second.save()
        users["reviewer2"] = second
        return users

    def build_programme(self) -> Programme:
        organiser, _ = Organisation.objects.get_or_create(
            name="Centre de ressources politique de la ville 93 (démo)",
            defaults={"kind": Organisation.Kind.RESOURCE_CENTRE},
        )
        atd, _ = Organisation.objects.get_or_create(
            name="ATD Quart Monde", defaults={"kind": Organisation.Kind.NGO}
        )
        programme = Programme.objects.create(
            slug=SLUG,
            title=(
                "Co-formation Seine-Saint-Denis 2015 : conseils citoyens et croisement des savoirs"
            ),
            summary=(
                "Élus, professionnels des villes, délégués du préfet et militants Quart Monde se "
                "forment ensemble à la mise en place des conseils citoyens, selon la méthode du "
                "croisement des savoirs et des pratiques."
            ),
            objectives=(
                "Comprendre les représentations de chacun sur la pauvreté et la participation.\n"
                "Construire ensemble les conditions d'une participation réelle des habitants "
                "des quartiers prioritaires aux conseils citoyens.\n"
                "Formuler des recommandations communes aux villes et à l'État."
            ),
            venue="Centre international ATD Quart Monde, Pierrelaye",
            start_date=dt.date(2015, 1, 22),
            end_date=dt.date(2015, 3, 19),
            planned_days=Decimal("4.5"),
            planned_hours=Decimal("27.0"),
            capacity=7,
            status=Programme.Status.CLOSED,
            # Closed once the follow-up of the citizens' councils was over: it reads "Terminé".
            closed_at=dt.datetime(2016, 6, 30, 17, 0, tzinfo=TZ),
            organiser=organiser,
        )
        programme.partners.set([atd])
        for username, (_first, _last, role) in DEMO_USERS.items():
            if role != Membership.Role.CITY_CONTACT:
                Membership.objects.create(programme=programme, user=self.users[username], role=role)
        Membership.objects.create(
            programme=programme, user=self.users["reviewer2"], role=Membership.Role.REVIEWER
        )
        return programme

    def build_call(self, programme: Programme) -> Call:
        call = Call.objects.create(
            programme=programme,
            title="Appel à candidatures : co-formation conseils citoyens 2015",
            opens_on=dt.date(2014, 9, 15),
            departements="93",
            closes_on=dt.date(2014, 11, 14),
            eligibility_terms=(
                "Chaque ville candidate présente un trinôme : un élu, un ou deux professionnels "
                "de la ville et le délégué du préfet, qui s'engagent nominativement à suivre "
                "toutes les journées. La ville s'engage à une participation financière d'au "
                "moins 500 €."
            ),
            required_contribution=_money(500),
            places=7,
            published_at=dt.datetime(2014, 9, 15, 9, 0, tzinfo=TZ),
            selection_closed_at=dt.datetime(2014, 12, 5, 17, 0, tzinfo=TZ),
        )
        self.criteria = [
            SelectionCriterion.objects.create(
                call=call, label=label, description=description, position=position
            )
            for position, (label, description) in enumerate(CRITERIA)
        ]
        return call

    def build_applications(self, programme: Programme, call: Call) -> None:
        self.selected: list[CityApplication] = []
        organiser = self.users["organiser"]
        reviewers = [self.users["reviewer"], self.users["reviewer2"]]
        for index, (name, insee, qpv, outcome, pledge, professionals) in enumerate(CITIES):
            city, _ = City.objects.update_or_create(
                insee_code=insee,
                defaults={"name": name, "departement": "93", "priority_neighbourhoods": qpv},
            )
            submitted = dt.datetime(2014, 10, 20, 10, 0, tzinfo=TZ) + dt.timedelta(days=index)
            decided = dt.datetime(2014, 12, 5, 16, 0, tzinfo=TZ)
            contact_first, contact_last = self.next_name()
            application = CityApplication.objects.create(
                call=call,
                city=city,
                status=outcome,
                contact_name=f"{contact_first} {contact_last}",
                contact_email=f"politique-ville@{insee}.demo.invalid",
                priority_neighbourhoods=qpv,
                motivation=(
                    f"{name} installe ses conseils citoyens en 2015 et veut y associer "
                    "réellement les habitants les plus éloignés de la participation."
                ),
                contribution_pledged=_money(pledge),
                submitted_at=submitted,
                decided_at=decided,
                decision_note={
                    "selected": "Trinôme complet et engagé.",
                    "waitlisted": "Dossier solide ; places limitées à sept villes.",
                    "rejected": "Contribution ou engagement du trinôme insuffisants.",
                }[outcome],
            )
            if index == 0:
                application.contact_user = self.users["city"]
                application.save(update_fields=["contact_user"])
                Membership.objects.create(
                    programme=programme,
                    user=self.users["city"],
                    role=Membership.Role.CITY_CONTACT,
                    application=application,
                )
            events = ApplicationEvent.objects.bulk_create(
                [
                    ApplicationEvent(
                        application=application,
                        actor=application.contact_user,
                        from_status="draft",
                        to_status="submitted",
                    ),
                    ApplicationEvent(
                        application=application,
                        actor=organiser,
                        from_status="submitted",
                        to_status="under_review",
                    ),
                    ApplicationEvent(
                        application=application,
                        actor=organiser,
                        from_status="under_review",
                        to_status=outcome,
                        note=application.decision_note,
                    ),
                ]
            )
            # created_at is set on creation: date the history when it happened, in 2014.
            for event, when in zip(
                events, [submitted, submitted + dt.timedelta(days=3), decided], strict=True
            ):
                ApplicationEvent.objects.filter(pk=event.pk).update(created_at=when)
            self.build_triad(application, professionals, complete=outcome != "rejected")
            self.build_reviews(application, reviewers, outcome, submitted)
            if outcome == "selected":
                self.selected.append(application)
                CityContribution.objects.create(
                    application=application,
                    amount_pledged=_money(pledge),
                    amount_invoiced=_money(pledge),
                    amount_received=_money(pledge),
                    invoiced_on=dt.date(2015, 1, 5),
                    received_on=dt.date(2015, 2, 20),
                    agreement_reference=f"CONV-2015-{insee}",
                )

    def build_triad(self, application: CityApplication, professionals: int, complete: bool) -> None:
        roles = [TriadNominee.Role.ELECTED_OFFICIAL]
        roles += [TriadNominee.Role.CITY_PROFESSIONAL] * professionals
        roles += [TriadNominee.Role.PREFECTS_DELEGATE]
        positions = {
            TriadNominee.Role.ELECTED_OFFICIAL: "Adjoint·e au maire, politique de la ville",
            TriadNominee.Role.CITY_PROFESSIONAL: "Chef·fe de projet politique de la ville",
            TriadNominee.Role.PREFECTS_DELEGATE: "Délégué·e du préfet",
        }
        for position, role in enumerate(roles):
            first, last = self.next_name()
            # A rejected city's delegate never gave the named commitment.
            committed = complete or role != TriadNominee.Role.PREFECTS_DELEGATE
            TriadNominee.objects.create(
                application=application,
                role=role,
                first_name=first,
                last_name=last,
                position=positions[role],
                email=f"{first}.{last}.{position}@{application.city.insee_code}.demo.invalid".lower(),
                commitment_given=committed,
                commitment_date=dt.date(2014, 10, 15) if committed else None,
            )

    def build_reviews(self, application, reviewers, outcome, submitted) -> None:
        base = {"selected": 4, "waitlisted": 3, "rejected": 2}[outcome]
        recommendation = {"selected": "select", "waitlisted": "waitlist", "rejected": "reject"}[
            outcome
        ]
        for offset, reviewer in enumerate(reviewers):
            ReviewAssignment.objects.create(
                application=application, reviewer=reviewer, assigned_by=self.users["organiser"]
            )
            review = Review.objects.create(
                application=application,
                reviewer=reviewer,
                recommendation=recommendation,
                comment="Dossier lu et discuté en comité de sélection.",
                submitted_at=submitted + dt.timedelta(days=10 + offset),
            )
            ReviewScore.objects.bulk_create(
                [
                    ReviewScore(
                        review=review,
                        criterion=criterion,
                        score=max(1, min(5, base + self.random.choice([-1, 0, 0, 1]))),
                    )
                    for criterion in self.criteria
                ]
            )

    def build_people(self, programme: Programme) -> None:
        category_of = {
            TriadNominee.Role.ELECTED_OFFICIAL: Category.ELECTED_OFFICIAL,
            TriadNominee.Role.CITY_PROFESSIONAL: Category.CITY_PROFESSIONAL,
            TriadNominee.Role.PREFECTS_DELEGATE: Category.PREFECTS_DELEGATE,
        }
        groups = {
            knowledge: PeerGroup.objects.create(programme=programme, name=name, knowledge=knowledge)
            for knowledge, name in [
                (PeerGroup.Knowledge.LIVED_EXPERIENCE, "Militants Quart Monde"),
                (PeerGroup.Knowledge.PROFESSIONAL, "Professionnels des villes"),
                (PeerGroup.Knowledge.INSTITUTIONAL, "Élus et représentants de l'État"),
            ]
        }
        group_of = {
            Category.ELECTED_OFFICIAL: groups[PeerGroup.Knowledge.INSTITUTIONAL],
            Category.PREFECTS_DELEGATE: groups[PeerGroup.Knowledge.INSTITUTIONAL],
            Category.CITY_PROFESSIONAL: groups[PeerGroup.Knowledge.PROFESSIONAL],
            Category.ACTIVIST: groups[PeerGroup.Knowledge.LIVED_EXPERIENCE],
        }
        trainees = []
        for application in self.selected:
            for nominee in application.nominees.all():
                category = category_of[nominee.role]
                trainees.append(
                    Participant(
                        programme=programme,
                        category=category,
                        first_name=nominee.first_name,
                        last_name=nominee.last_name,
                        city=application.city,
                        position=nominee.position,
                        email=nominee.email,
                        nominee=nominee,
                        peer_group=group_of[category],
                        commitment_given=nominee.commitment_given,
                        consent_name_in_reports=True,
                        consent_recorded_at=dt.datetime(2015, 1, 22, 9, 30, tzinfo=TZ),
                    )
                )
        atd = Organisation.objects.get(name="ATD Quart Monde")
        for index in range(6):
            first, last = self.next_name()
            trainees.append(
                Participant(
                    programme=programme,
                    category=Category.ACTIVIST,
                    first_name=first,
                    last_name=last,
                    organisation=atd,
                    peer_group=group_of[Category.ACTIVIST],
                    commitment_given=True,
                    # Two of six agreed to be named in reports; the others are anonymous.
                    consent_name_in_reports=index < 2,
                    consent_recorded_at=dt.datetime(2015, 1, 22, 9, 30, tzinfo=TZ),
                )
            )
        self.trainees = Participant.objects.bulk_create(trainees)
        staff = []
        for index in range(5):
            first, last = ("Nadia", "Benali") if index == 0 else self.next_name()
            staff.append(
                Participant(
                    programme=programme,
                    category=Category.FACILITATOR,
                    first_name=first,
                    last_name=last,
                    organisation=atd if index < 3 else None,
                    position="Animateur·rice",
                    user=self.users["facilitator"] if index == 0 else None,
                    consent_name_in_reports=True,
                )
            )
        for _ in range(2):
            first, last = self.next_name()
            staff.append(
                Participant(
                    programme=programme,
                    category=Category.SUPPORT_PERSON,
                    first_name=first,
                    last_name=last,
                    organisation=atd,
                    position="Allié·e ATD Quart Monde",
                )
            )
        self.staff = Participant.objects.bulk_create(staff)
        self.facilitators = [p for p in self.staff if p.category == Category.FACILITATOR]
        for group, referent in zip(groups.values(), self.facilitators, strict=False):
            group.referent = referent
            group.save(update_fields=["referent"])
        self.groups = groups

    def build_timetable(self, programme: Programme) -> None:
        self.slots = []
        for date, title, parts in DAYS:
            day = TrainingDay.objects.create(
                programme=programme, date=date, title=title, place="Pierrelaye"
            )
            for part in parts:
                starts, ends = TIMES[part]
                closed = dt.datetime.combine(date, ends, tzinfo=TZ) + dt.timedelta(minutes=15)
                self.slots.append(
                    Slot.objects.create(
                        day=day,
                        part=part,
                        starts_at=starts,
                        ends_at=ends,
                        closed_at=closed,
                        closed_by=self.users["facilitator"],
                    )
                )
        for slot, activities in zip(self.slots, PROGRAMME_ACTIVITIES, strict=True):
            for position, (kind, title) in enumerate(activities):
                if kind == "peer_group":
                    for group_position, group in enumerate(self.groups.values()):
                        activity = Activity.objects.create(
                            slot=slot,
                            kind=kind,
                            title=f"{title} ({group.name})",
                            peer_group=group,
                            position=position * 10 + group_position,
                        )
                        activity.facilitators.set([group.referent])
                else:
                    activity = Activity.objects.create(
                        slot=slot, kind=kind, title=title, position=position * 10
                    )
                    activity.facilitators.set(self.facilitators[:2])

    def build_attendance(self, programme: Programme) -> None:
        cells = [(s, p) for s in range(len(self.slots)) for p in range(len(self.trainees))]
        chosen = self.random.sample(cells, NON_ATTENDING + LATE + LEFT_EARLY)
        statuses = {}
        for index, cell in enumerate(chosen):
            if index < EXCUSED:
                statuses[cell] = Attendance.Status.EXCUSED
            elif index < NON_ATTENDING:
                statuses[cell] = Attendance.Status.ABSENT
            elif index < NON_ATTENDING + LATE:
                statuses[cell] = Attendance.Status.LATE
            else:
                statuses[cell] = Attendance.Status.LEFT_EARLY
        recorder = self.users["facilitator"]
        Attendance.objects.bulk_create(
            [
                Attendance(
                    participant=participant,
                    slot=slot,
                    status=statuses.get((s, p), Attendance.Status.PRESENT),
                    recorded_by=recorder,
                    note="Prévenu la veille" if statuses.get((s, p)) == "excused" else "",
                )
                for s, slot in enumerate(self.slots)
                for p, participant in enumerate(self.trainees)
            ]
        )
        # recorded_at is set on every save: date the marks on their half-day, as taken then.
        for slot in self.slots:
            marked = dt.datetime.combine(slot.day.date, slot.starts_at, tzinfo=TZ)
            Attendance.objects.filter(slot=slot).update(
                recorded_at=marked + dt.timedelta(minutes=20)
            )

    def build_offline_marks(self) -> None:
        """At Pierrelaye the network dropped on the first afternoon: the first five marks were
        taken on the facilitator's phone and reached the server two hours later (the export
        gives the phone's time and says "recorded offline")."""
        slot = self.slots[1]
        taken = dt.datetime.combine(slot.day.date, slot.starts_at, tzinfo=TZ)
        received = taken + dt.timedelta(hours=2)
        records = list(
            Attendance.objects.filter(slot=slot, participant__in=self.trainees[:5]).order_by("pk")
        )
        changes = []
        for index, record in enumerate(records):
            device = taken + dt.timedelta(minutes=5 + index)
            Attendance.objects.filter(pk=record.pk).update(
                recorded_offline_at=device, recorded_at=received
            )
            changes.append(
                SyncedChange(
                    change_id=uuid.UUID(int=13_000 + index),
                    slot=slot,
                    user=self.users["facilitator"],
                    device_time=device,
                    received_at=received,
                    result=SyncedChange.Result.APPLIED,
                )
            )
        SyncedChange.objects.bulk_create(changes)

    def invented_drawing(self) -> dict:
        """A signature-like scribble: two or three strokes of wavy points on a 400 x 160 box."""
        strokes, time = [], 0
        for stroke in range(self.random.randint(2, 3)):
            x, y = 30.0 + 110 * stroke, float(self.random.randint(60, 100))
            points = []
            for _ in range(self.random.randint(12, 24)):
                x = min(x + self.random.uniform(4, 12), 390.0)
                y = min(max(y + self.random.uniform(-14, 14), 10.0), 150.0)
                time += self.random.randint(8, 20)
                points.append([round(x, 1), round(y, 1), time])
            strokes.append(points)
            time += 150
        return {"width": 400.0, "height": 160.0, "strokes": strokes}

    def build_signatures(self) -> None:
        """Each closed 2015 sheet signed by the trainees who attended (one in seven with a mark
        witnessed by the facilitator) and by the half-day's facilitators, chained as the
        service chains them, in one bulk insert."""
        capturer = self.users["facilitator"]
        trainers = {
            slot_id: sorted(set(ids))
            for slot_id, ids in _group(
                Activity.facilitators.through.objects.filter(
                    activity__slot__in=self.slots
                ).values_list("activity__slot_id", "participant_id")
            ).items()
        }
        records = _group(
            Attendance.objects.filter(slot__in=self.slots, status__in=ATTENDING_STATUSES)
            .order_by("slot_id", "participant__last_name", "participant_id")
            .values_list("slot_id", "participant_id", "status")
        )
        rows = []
        for slot in self.slots:
            starts = dt.datetime.combine(slot.day.date, slot.starts_at, tzinfo=TZ)
            ends = dt.datetime.combine(slot.day.date, slot.ends_at, tzinfo=TZ)
            signers = [("trainee", pid, status) for pid, status in records.get(slot.pk, [])]
            signers += [("trainer", pid, "") for pid in trainers.get(slot.pk, [])]
            previous = GENESIS
            for sequence, (role, participant_id, status) in enumerate(signers, start=1):
                as_mark = role == "trainee" and sequence % 7 == 0
                drawing = [] if as_mark else self.invented_drawing()
                svg = "" if as_mark else strokes_svg(drawing)
                mark = "X" if as_mark else ""
                agent = "Mozilla/5.0 (Linux; Android 14) Tablette de l’animation"
                signed = (
                    ends + dt.timedelta(minutes=5)
                    if role == "trainer"
                    else starts + dt.timedelta(minutes=20, seconds=20 * sequence)
                )
                # Pierrelaye's first afternoon had no network (``build_offline_marks``): the
                # trainees signed on the phone, and their signatures arrived two hours later.
                device = None
                if slot == self.slots[1] and role == "trainee":
                    device = signed
                    signed = starts + dt.timedelta(hours=2, seconds=sequence)
                row = AttendanceSignature(
                    slot=slot,
                    sequence=sequence,
                    participant_id=participant_id,
                    role=role,
                    status=status,
                    method="mark_with_witness" if as_mark else "device",
                    strokes=drawing,
                    svg=svg,
                    mark=mark,
                    witness=capturer if as_mark else None,
                    captured_by=capturer,
                    user_agent=agent,
                    ip_address="192.0.2.10",
                    signed_at=signed.astimezone(dt.UTC),
                    device_signed_at=device.astimezone(dt.UTC) if device else None,
                    arrived_at=(starts + dt.timedelta(minutes=25)).time()
                    if status == Attendance.Status.LATE
                    else None,
                    left_at=(ends - dt.timedelta(minutes=45)).time()
                    if status == Attendance.Status.LEFT_EARLY
                    else None,
                    evidence_hash=Evidence(drawing, svg, mark, agent, "192.0.2.10").digest,
                    previous_hash=previous,
                )
                row.row_hash = previous = row_hash(previous, row)
                rows.append(row)
        AttendanceSignature.objects.bulk_create(rows)
        # Sealed as closing seals them; the PDFs are built after the commit (by the workers).
        for slot in self.slots:
            sheet_seal(slot=slot, user=capturer)

    def build_money(self, programme: Programme) -> None:
        prefecture, _ = Organisation.objects.get_or_create(
            name="Préfecture de la Seine-Saint-Denis", defaults={"kind": Organisation.Kind.STATE}
        )
        fund, _ = Organisation.objects.get_or_create(
            name="Fonds d'expérimentation sociale (démo)",
            defaults={"kind": Organisation.Kind.FUNDER},
        )
        state = Funding.objects.create(
            programme=programme,
            funder=prefecture,
            kind=Funding.Kind.STATE_GRANT,
            amount_requested=_money(24000),
            amount_awarded=_money(22000),
            amount_received=_money(22000),
            agreement_reference="PREF93-PV-2014-118",
        )
        experimental = Funding.objects.create(
            programme=programme,
            funder=fund,
            kind=Funding.Kind.EXPERIMENTAL_FUND,
            amount_requested=_money(10000),
            amount_awarded=_money(10000),
            amount_received=_money(8000),
            agreement_reference="FES-2014-042",
            notes="Solde de 2 000 € versé sur présentation du bilan.",
        )
        Membership.objects.filter(programme=programme, role=Membership.Role.FUNDER).update(
            organisation=prefecture
        )
        lines = [
            ("facilitation", "Animation et co-animation (5 animateurs)", 12000, 12000, state, ""),
            (
                "activists",
                "Défraiement et transport des militants",
                6500,
                6850,
                experimental,
                "Un trajet supplémentaire pour la restitution.",
            ),
            ("venue", "Hébergement et salles à Pierrelaye", 8000, 7600, state, ""),
            ("meals", "Repas", 4500, 4380, state, ""),
            ("materials", "Supports pédagogiques", 1000, 720, experimental, ""),
            ("coordination", "Coordination et préparation", 3000, 3000, experimental, ""),
            ("evaluation", "Évaluation et bilan", 1000, 1000, experimental, ""),
        ]
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(
                    programme=programme,
                    category=category,
                    label=label,
                    planned_amount=_money(planned),
                    actual_amount=_money(actual),
                    funding=funding,
                    gap_explanation=gap,
                )
                for category, label, planned, actual, funding, gap in lines
            ]
        )

    def build_team(self, programme: Programme) -> None:
        """The team as it was built in 2014: the organiser created the programme in June and
        invited the others, who accepted; one facilitator never answered (the link expired) and
        the CGET, a later funder, has an invitation waiting."""
        organiser = self.users["organiser"]
        created = dt.datetime(2014, 6, 2, 10, 0, tzinfo=TZ)
        Membership.objects.filter(programme=programme, user=organiser).update(created_at=created)
        prefecture = Organisation.objects.get(name="Préfecture de la Seine-Saint-Denis")
        cget, _ = Organisation.objects.get_or_create(
            name="CGET, Commissariat général à l'égalité des territoires (démo)",
            defaults={"kind": Organisation.Kind.FUNDER},
        )
        # username (None: not yet a user), e-mail, role, organisation, invited, accepted
        Role = Membership.Role
        team = [
            ("reviewer", None, Role.REVIEWER, None, (2014, 9, 1), (2014, 9, 3)),
            ("reviewer2", None, Role.REVIEWER, None, (2014, 9, 1), (2014, 9, 8)),
            ("funder", None, Role.FUNDER, prefecture, (2014, 9, 22), (2014, 9, 23)),
            ("facilitator", None, Role.FACILITATOR, None, (2014, 11, 17), (2014, 11, 18)),
            (
                None,
                "yann.le-gall@demo.cotraining.invalid",
                Role.FACILITATOR,
                None,
                (2014, 11, 17),
                None,
            ),
        ]
        for username, email, role, organisation, invited, accepted in team:
            user = self.users.get(username) if username else None
            sent = dt.datetime(*invited, 9, 30, tzinfo=TZ)
            invitation = TeamInvitation.objects.create(
                programme=programme,
                email=user.email if user else email,
                role=role,
                organisation=organisation,
                invited_by=organiser,
                language="fr",
                token_hash=token_hash(secrets.token_urlsafe(32)),  # nobody holds the link
                created_at=sent,
                sent_at=sent,
                expires_at=sent + INVITATION_LIFETIME,
            )
            self.audit_at(programme, organiser, "team.invitation_sent", invitation, sent)
            if user is not None and accepted:
                when = dt.datetime(*accepted, 18, 0, tzinfo=TZ)
                invitation.accepted_at, invitation.accepted_by = when, user
                invitation.save(update_fields=["accepted_at", "accepted_by"])
                Membership.objects.filter(programme=programme, user=user, role=role).update(
                    created_at=when
                )
                self.audit_at(programme, user, "team.invitation_accepted", invitation, when)
        # The later grant: an invitation sent two days ago, still waiting.
        sent = timezone.now() - dt.timedelta(days=2)
        waiting = TeamInvitation.objects.create(
            programme=programme,
            email="referente.cget@demo.cotraining.invalid",
            role=Membership.Role.FUNDER,
            organisation=cget,
            invited_by=organiser,
            language="fr",
            token_hash=token_hash(secrets.token_urlsafe(32)),
            created_at=sent,
            sent_at=sent,
            expires_at=sent + INVITATION_LIFETIME,
        )
        self.audit_at(programme, organiser, "team.invitation_sent", waiting, sent)

    @staticmethod
    def audit_at(programme, actor, action: str, invitation, when) -> None:
        entry = audit(
            actor=actor,
            programme=programme,
            action=action,
            obj=invitation,
            data={"role": invitation.role},
        )
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)


OPEN_SLUG = "seine-saint-denis-2027"
# The open call: one application in each state, so every step of the call can be tried in the demo.
# city name, status, professionals, triad complete
OPEN_APPLICATIONS = [
    ("Aubervilliers", CityApplication.Status.DRAFT),
    ("Bobigny", CityApplication.Status.SUBMITTED),
    ("Bondy", CityApplication.Status.UNDER_REVIEW),
    ("Clichy-sous-Bois", CityApplication.Status.UNDER_REVIEW),
    ("Stains", CityApplication.Status.INFO_REQUESTED),
    ("Montreuil", CityApplication.Status.WITHDRAWN),
    ("Saint-Denis", CityApplication.Status.SELECTED),
    ("Sevran", CityApplication.Status.SELECTED),
    ("Pantin", CityApplication.Status.WAITLISTED),
    ("Épinay-sur-Seine", CityApplication.Status.REJECTED),
]


class OpenCallBuilder(DemoBuilder):
    """A programme whose call is open today: the city account has a draft to finish, the
    reviewer has files to score, the organiser has decisions to take and a selection to close."""

    def __init__(self, password: str, users: dict) -> None:
        super().__init__(password)
        self.users = users
        self.names = iter([(first, last) for last in LAST_NAMES for first in FIRST_NAMES][3::7])

    @transaction.atomic
    def build(self) -> Programme:
        from programmes.services import application_decide

        Programme.objects.filter(slug=OPEN_SLUG).delete()
        today = timezone.localdate()
        organiser = Organisation.objects.get(
            name="Centre de ressources politique de la ville 93 (démo)"
        )
        programme = Programme.objects.create(
            slug=OPEN_SLUG,
            title="Co-formation Seine-Saint-Denis 2027 : conseils citoyens",
            summary=(
                "Deuxième co-formation des trinômes des villes de Seine-Saint-Denis avec des "
                "militants Quart Monde. L'appel à candidatures est ouvert."
            ),
            venue="Centre international ATD Quart Monde, Pierrelaye",
            start_date=today + dt.timedelta(days=90),
            end_date=today + dt.timedelta(days=150),
            planned_days=Decimal("4.5"),
            planned_hours=Decimal("27.0"),
            capacity=6,
            status=Programme.Status.CALL_OPEN,
            organiser=organiser,
        )
        programme.partners.set(Organisation.objects.filter(name="ATD Quart Monde"))
        for username, role in [
            ("organiser", Membership.Role.ORGANISER),
            ("reviewer", Membership.Role.REVIEWER),
            ("reviewer2", Membership.Role.REVIEWER),
        ]:
            Membership.objects.create(programme=programme, user=self.users[username], role=role)
        call = Call.objects.create(
            programme=programme,
            title="Appel à candidatures : co-formation conseils citoyens 2027",
            opens_on=today - dt.timedelta(days=20),
            departements="93",
            closes_on=today + dt.timedelta(days=40),
            eligibility_terms=(
                "Un trinôme complet (un élu, un ou deux professionnels de la ville, le délégué du "
                "préfet), chacun engagé nominativement à suivre toutes les journées, et une "
                "participation financière d'au moins 600 €."
            ),
            required_contribution=_money(600),
            places=6,
            published_at=timezone.now() - dt.timedelta(days=20),
        )
        self.criteria = [
            SelectionCriterion.objects.create(
                call=call, label=label, description=description, position=position
            )
            for position, (label, description) in enumerate(CRITERIA)
        ]
        cities = {city.name: city for city in City.objects.all()}
        Status = CityApplication.Status
        for index, (name, status) in enumerate(OPEN_APPLICATIONS):
            submitted = status != Status.DRAFT
            application = CityApplication.objects.create(
                call=call,
                city=cities[name],
                status=Status.DRAFT,
                contact_name=" ".join(self.next_name()),
                contact_email=f"politique-ville@{cities[name].insee_code}.demo.invalid",
                priority_neighbourhoods=cities[name].priority_neighbourhoods,
                motivation=(
                    f"{name} veut que ses conseils citoyens donnent la parole aux habitants "
                    "les plus éloignés de la participation."
                )
                if submitted
                else "",
                contribution_pledged=_money(650 if submitted else 0),
            )
            if status == Status.DRAFT:
                application.contact_user = self.users["city"]
                application.save(update_fields=["contact_user"])
                Membership.objects.create(
                    programme=programme,
                    user=self.users["city"],
                    role=Membership.Role.CITY_CONTACT,
                    application=application,
                )
                self.build_partial_triad(application)
                continue
            self.build_triad(application, 1 + index % 2, complete=True)
            self.move(application, Status.SUBMITTED, days_ago=15 - index)
            if status == Status.SUBMITTED:
                continue
            if status == Status.INFO_REQUESTED:
                application.info_request_message = (
                    "Merci de préciser le nom du délégué du préfet : celui indiqué a changé "
                    "de poste."
                )
                application.save(update_fields=["info_request_message"])
                self.move(application, status, note=application.info_request_message)
                continue
            if status == Status.WITHDRAWN:
                self.move(application, status, note="Le maire ne peut pas libérer son adjoint.")
                continue
            self.assign_and_review(application, status)
            if status in CityApplication.DECISIONS:
                application_decide(
                    actor=self.users["organiser"],
                    application=application,
                    decision=status,
                    note="Décision provisoire du comité de sélection.",
                )
        return programme

    def move(self, application, status, *, note="", days_ago=0) -> None:
        submitting = status == CityApplication.Status.SUBMITTED
        by_city = status in (CityApplication.Status.SUBMITTED, CityApplication.Status.WITHDRAWN)
        event = ApplicationEvent.objects.create(
            application=application,
            # A city submits or withdraws its own file (nobody, for the cities without an account).
            actor=application.contact_user if by_city else self.users["organiser"],
            from_status=application.status,
            to_status=status,
            note=note,
        )
        application.status = status
        if submitting:
            application.submitted_at = timezone.now() - dt.timedelta(days=max(days_ago, 1))
            ApplicationEvent.objects.filter(pk=event.pk).update(created_at=application.submitted_at)
        application.save(update_fields=["status", "submitted_at"])

    def build_partial_triad(self, application) -> None:
        """The city's draft: an elected official and a professional so far, no delegate yet."""
        for role in (TriadNominee.Role.ELECTED_OFFICIAL, TriadNominee.Role.CITY_PROFESSIONAL):
            first, last = self.next_name()
            TriadNominee.objects.create(
                application=application,
                role=role,
                first_name=first,
                last_name=last,
                position="Adjoint·e au maire"
                if role == TriadNominee.Role.ELECTED_OFFICIAL
                else "Chef·fe de projet politique de la ville",
                commitment_given=role == TriadNominee.Role.ELECTED_OFFICIAL,
            )

    def assign_and_review(self, application, status) -> None:
        """Both reviewers are assigned; the reviewer account has one file left to score."""
        outcome = {
            CityApplication.Status.SELECTED: "selected",
            CityApplication.Status.WAITLISTED: "waitlisted",
            CityApplication.Status.REJECTED: "rejected",
        }.get(status, "waitlisted")
        reviewers = [self.users["reviewer2"]]
        pending_for_reviewer = application.city.name == "Bondy"
        if not pending_for_reviewer:
            reviewers.insert(0, self.users["reviewer"])
        self.build_reviews(application, reviewers, outcome, timezone.now() - dt.timedelta(days=10))
        if pending_for_reviewer:
            ReviewAssignment.objects.create(
                application=application,
                reviewer=self.users["reviewer"],
                assigned_by=self.users["organiser"],
            )
        self.move(application, CityApplication.Status.UNDER_REVIEW)


def _group(pairs) -> dict:
    """``(key, *values)`` rows grouped by key: ``{key: [value or tuple of values, ...]}``."""
    grouped: dict = {}
    for key, *values in pairs:
        grouped.setdefault(key, []).append(values[0] if len(values) == 1 else tuple(values))
    return grouped


def demo_build(*, password: str) -> Programme:
    """Replace the demo programmes with fresh copies and (re)set the demo accounts' passwords.

    Returns the reference programme (2015); the second one (2027) has its call open today.
    """
    builder = DemoBuilder(password)
    programme = builder.build()
    OpenCallBuilder(password, builder.users).build()
    return programme


__all__ = ["DEMO_USERS", "OPEN_SLUG", "SLUG", "demo_build"]
