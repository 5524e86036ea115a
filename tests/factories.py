"""factory_boy factories for every model; one place for test data."""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import slugify

from participants.models import (
    Category,
    EvaluationInvitation,
    EvaluationResponse,
    EvaluationRound,
    Participant,
    PeerGroup,
    Question,
    Questionnaire,
)
from programmes.models import (
    ActionItem,
    ApplicationEvent,
    AuditEntry,
    BudgetLine,
    Call,
    City,
    CityApplication,
    CityContribution,
    CouncilMilestone,
    Funding,
    Membership,
    Organisation,
    Programme,
    Review,
    ReviewAssignment,
    ReviewScore,
    SelectionCriterion,
    TriadNominee,
)
from reports.models import ReportRun
from sessions.models import Activity, Attendance, AttendanceChange, Expense, Slot, TrainingDay

PASSWORD = "a-good-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.OTHER


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    slug = factory.Sequence(lambda n: f"programme-{n}")
    title = factory.Sequence(lambda n: f"Co-formation {n}")
    venue = "Pierrelaye"
    start_date = dt.date(2015, 1, 22)
    end_date = dt.date(2015, 1, 26)
    planned_days = Decimal("4.5")
    planned_hours = Decimal("27.0")
    capacity = 7
    status = Programme.Status.RUNNING


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    programme = factory.SubFactory(ProgrammeFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.ORGANISER


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    programme = factory.SubFactory(ProgrammeFactory)
    funder = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.FUNDER)
    kind = Funding.Kind.STATE_GRANT
    amount_requested = Decimal("10000.00")
    amount_awarded = Decimal("10000.00")
    amount_received = Decimal("5000.00")


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    programme = factory.SubFactory(ProgrammeFactory)
    category = BudgetLine.Category.FACILITATION
    label = factory.Sequence(lambda n: f"Budget line {n}")
    planned_amount = Decimal("1000.00")
    actual_amount = Decimal("900.00")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.LazyAttribute(lambda o: f"Appel à candidatures · {o.programme.title}")
    opens_on = dt.date(2014, 9, 1)
    closes_on = dt.date(2014, 10, 31)
    eligibility_terms = "Un trinôme complet, engagé nominativement."
    required_contribution = Decimal("500.00")
    places = 7


class SelectionCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelectionCriterion

    call = factory.SubFactory(CallFactory)
    label = factory.Sequence(lambda n: f"Criterion {n}")
    position = factory.Sequence(lambda n: n)


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("insee_code",)

    name = factory.Sequence(lambda n: f"Ville {n}")
    insee_code = factory.Sequence(lambda n: f"9{n:04d}")
    departement = "93"


class CityApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityApplication

    call = factory.SubFactory(CallFactory)
    city = factory.SubFactory(CityFactory)
    status = CityApplication.Status.SUBMITTED
    contact_name = factory.Faker("name", locale="fr_FR")
    contact_email = factory.Faker("email")
    motivation = "Nous voulons installer nos conseils citoyens avec les habitants."
    contribution_pledged = Decimal("650.00")


class TriadNomineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TriadNominee

    application = factory.SubFactory(CityApplicationFactory)
    role = TriadNominee.Role.ELECTED_OFFICIAL
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    position = "Adjoint au maire"
    email = factory.Faker("email")
    commitment_given = True
    commitment_date = dt.date(2014, 10, 1)


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewAssignment

    application = factory.SubFactory(CityApplicationFactory)
    reviewer = factory.SubFactory(UserFactory)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    application = factory.SubFactory(CityApplicationFactory)
    reviewer = factory.SubFactory(UserFactory)
    recommendation = Review.Recommendation.SELECT
    comment = "Trinôme solide."


class ReviewScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewScore

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(SelectionCriterionFactory)
    score = 4


class ApplicationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationEvent

    application = factory.SubFactory(CityApplicationFactory)
    from_status = CityApplication.Status.DRAFT
    to_status = CityApplication.Status.SUBMITTED


class CityContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityContribution

    application = factory.SubFactory(CityApplicationFactory)
    amount_pledged = Decimal("650.00")


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    action = "test"
    object_type = "programme"


class PeerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerGroup

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Groupe {n}")
    knowledge = PeerGroup.Knowledge.PROFESSIONAL


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    programme = factory.SubFactory(ProgrammeFactory)
    category = Category.CITY_PROFESSIONAL
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    city = factory.Maybe(
        factory.LazyAttribute(
            lambda o: (
                o.category
                in (
                    Category.ELECTED_OFFICIAL,
                    Category.CITY_PROFESSIONAL,
                    Category.PREFECTS_DELEGATE,
                )
            )
        ),
        yes_declaration=factory.SubFactory(CityFactory),
        no_declaration=None,
    )


class TrainingDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingDay

    programme = factory.SubFactory(ProgrammeFactory)
    date = factory.Sequence(lambda n: dt.date(2015, 1, 22) + dt.timedelta(days=n))


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    day = factory.SubFactory(TrainingDayFactory)
    part = Slot.Part.MORNING
    starts_at = factory.LazyAttribute(
        lambda o: dt.time(9, 0) if o.part == Slot.Part.MORNING else dt.time(14, 0)
    )
    ends_at = factory.LazyAttribute(
        lambda o: dt.time(12, 30) if o.part == Slot.Part.MORNING else dt.time(17, 30)
    )


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    slot = factory.SubFactory(SlotFactory)
    kind = Activity.Kind.PLENARY
    title = "Plénière"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    participant = factory.SubFactory(ParticipantFactory)
    slot = factory.SubFactory(SlotFactory)
    status = Attendance.Status.PRESENT


class AttendanceChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceChange

    attendance = factory.SubFactory(AttendanceFactory)
    new_status = Attendance.Status.PRESENT


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    application = factory.SubFactory(CityApplicationFactory, status=CityApplication.Status.SELECTED)
    title = factory.Sequence(lambda n: f"Engagement {n}")
    target_date = dt.date(2015, 6, 30)


class CouncilMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMilestone

    application = factory.SubFactory(CityApplicationFactory, status=CityApplication.Status.SELECTED)
    kind = CouncilMilestone.Kind.CREATED
    date = dt.date(2015, 4, 1)


class ExpenseFactory(factory.django.DjangoModelFactory):
    """An activist's transport, booked and paid by the organisers, on a day of their
    programme, charged to a budget line of it."""

    class Meta:
        model = Expense

    participant = factory.SubFactory(ParticipantFactory, category=Category.ACTIVIST)
    day = factory.SubFactory(
        TrainingDayFactory, programme=factory.SelfAttribute("..participant.programme")
    )
    kind = Expense.Kind.TRANSPORT
    mode = Expense.Mode.BOOKED
    status = Expense.Status.PAID
    amount = Decimal("14.20")
    payer = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.NGO)
    budget_line = factory.SubFactory(
        BudgetLineFactory,
        programme=factory.SelfAttribute("..participant.programme"),
        category=BudgetLine.Category.ACTIVISTS,
    )


class ReportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportRun

    programme = factory.SubFactory(ProgrammeFactory)
    kind = ReportRun.Kind.PARTICIPATION


# --- Builders: data sets shared by several test modules ---------------------------------------
#
# Tests import these from here (never from another test module or conftest of a sub-folder).

Role = Membership.Role
NomineeRole = TriadNominee.Role
# Every role of a programme, and None for an organiser of another programme.
ROLES = [Role.ORGANISER, Role.FACILITATOR, Role.REVIEWER, Role.FUNDER, Role.CITY_CONTACT, None]

# A PDF as small as can be: what matters is the magic bytes at the start.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def user_with(role, programme):
    """A user holding ``role`` in the programme; None: an organiser of another programme."""
    user = UserFactory()
    if role is None:
        MembershipFactory(user=user, role=Role.ORGANISER)
    elif role == Role.CITY_CONTACT:
        application = CityApplicationFactory(call__programme=programme)
        MembershipFactory(programme=programme, user=user, role=role, application=application)
    else:
        MembershipFactory(programme=programme, user=user, role=role)
    return user


def make_triad(application, *, professionals: int = 1, committed: bool = True) -> list:
    roles = [
        NomineeRole.ELECTED_OFFICIAL,
        *[NomineeRole.CITY_PROFESSIONAL] * professionals,
        NomineeRole.PREFECTS_DELEGATE,
    ]
    return [
        TriadNomineeFactory(
            application=application,
            role=role,
            first_name=f"Prénom{index}",
            last_name=f"Nom{application.pk}x{index}",
            email=f"n{application.pk}x{index}@example.org",
            position="Poste",
            commitment_given=committed,
        )
        for index, role in enumerate(roles)
    ]


@dataclass
class Training:
    programme: object
    slots: list
    trainees: list
    facilitator: object
    groups: dict = field(default_factory=dict)

    @property
    def slot(self):
        return self.slots[0]


def add_trainees(programme, *, cities: int, activists: int, groups=None):
    """Full triads for ``cities`` new cities plus ``activists`` activists, in peer groups."""
    groups = groups or {}
    people = []
    for _city in range(cities):
        city = CityFactory()
        for category in (
            Category.ELECTED_OFFICIAL,
            Category.CITY_PROFESSIONAL,
            Category.PREFECTS_DELEGATE,
        ):
            group = groups.get(
                PeerGroup.Knowledge.PROFESSIONAL
                if category == Category.CITY_PROFESSIONAL
                else PeerGroup.Knowledge.INSTITUTIONAL
            )
            people.append(
                ParticipantFactory(
                    programme=programme, category=category, city=city, peer_group=group
                )
            )
    people += ParticipantFactory.create_batch(
        activists,
        programme=programme,
        category=Category.ACTIVIST,
        peer_group=groups.get(PeerGroup.Knowledge.LIVED_EXPERIENCE),
    )
    return people


def build_training(programme, *, cities=2, activists=2) -> Training:
    facilitator = ParticipantFactory(
        programme=programme, category=Category.FACILITATOR, first_name="Claire", last_name="Anim"
    )
    groups = {
        knowledge: PeerGroupFactory(
            programme=programme, name=str(label), knowledge=knowledge, referent=facilitator
        )
        for knowledge, label in PeerGroup.Knowledge.choices
    }
    day1 = TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 22), place="Pierrelaye")
    day2 = TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 23))
    slots = [
        SlotFactory(day=day1, part="morning"),
        SlotFactory(day=day1, part="afternoon"),
        SlotFactory(day=day2, part="morning"),
    ]
    activity = ActivityFactory(
        slot=slots[0], kind="peer_group", title="Travail en groupes de pairs"
    )
    activity.facilitators.add(facilitator)
    trainees = add_trainees(programme, cities=cities, activists=activists, groups=groups)
    return Training(programme, slots, trainees, facilitator, groups)


def give_records(training, person, *, organiser, notes=True):
    """Contact details, a user account, the triad nominee they came from, an attendance record
    with a note and a history on every half-day, and audit entries naming them."""
    call = Call.objects.filter(programme=training.programme).first()
    call = call or CallFactory(programme=training.programme)
    application = CityApplication.objects.filter(call=call, city=person.city).first()
    nominee = TriadNomineeFactory(
        application=application or CityApplicationFactory(call=call, city=person.city),
        first_name=person.first_name,
        last_name=person.last_name,
        email="elu.nominee@ville.example",
        phone="01 02 03 04 05",
    )
    person.email = "elu@ville.example"
    person.phone = "06 11 22 33 44"
    person.position = "Adjoint au maire"
    person.user = UserFactory()
    person.nominee = nominee
    person.commitment_given = True
    person.consent_name_in_reports = True
    person.consent_photos = True
    person.consent_recorded_at = timezone.now()
    person.save()
    for slot in training.slots:
        record = AttendanceFactory(
            participant=person,
            slot=slot,
            status="late",
            note="Arrivé en retard, enfant malade" if notes else "",
            recorded_by=organiser,
        )
        AttendanceChangeFactory(
            attendance=record, old_status="absent", new_status="late", note="Prévenu par SMS"
        )
    # A line written before the audit trail was structured: free text naming the person.
    AuditEntry.objects.create(
        programme=training.programme,
        actor=organiser,
        action="participants.imported",
        target_type=ContentType.objects.get_for_model(person),
        target_id=person.pk,
        data={"text": f"{person.full_name} <{person.email}> {person.phone}"},
    )
    return person


def build_varied_programme(programme) -> None:
    """A programme where every rule of the figures matters: half-days of uneven lengths that are
    held because they have records, because their sheet is closed, or only because a
    facilitator was recorded, and one not held yet; every status, trainees nobody marked,
    inactive people and facilitators with records (not counted), cities with incomplete triads,
    activists without a city, and another programme whose records must not count.

    Held: 3 h 30 + 3 h 15 + 2 h 45 + 2 h 35 = 12.08 h; planned: 15.58 h (and 3 h 30 not held).
    """
    day1 = TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 22))
    day2 = TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 23))
    day3 = TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 26))
    recorded = SlotFactory(day=day1, part=Slot.Part.MORNING)
    closed = SlotFactory(
        day=day1, part=Slot.Part.AFTERNOON, ends_at=dt.time(17, 15), closed_at=timezone.now()
    )
    closed_empty = SlotFactory(
        day=day2,
        part=Slot.Part.MORNING,
        starts_at=dt.time(9, 15),
        ends_at=dt.time(12),
        closed_at=timezone.now(),
    )
    facilitator_only = SlotFactory(
        day=day2, part=Slot.Part.AFTERNOON, starts_at=dt.time(13, 45), ends_at=dt.time(16, 20)
    )
    SlotFactory(day=day3, part=Slot.Part.MORNING)  # not held yet

    bondy = CityFactory(name="Bondy")
    aubervilliers = CityFactory(name="aubervilliers")  # sorted without its case
    people = [
        ParticipantFactory(programme=programme, category=category, city=city)
        for category, city in [
            (Category.ELECTED_OFFICIAL, bondy),
            (Category.CITY_PROFESSIONAL, bondy),
            (Category.CITY_PROFESSIONAL, bondy),
            (Category.PREFECTS_DELEGATE, bondy),
            (Category.ELECTED_OFFICIAL, aubervilliers),
            (Category.PREFECTS_DELEGATE, aubervilliers),
            (Category.ACTIVIST, None),
            (Category.ACTIVIST, None),
            (Category.ACTIVIST, None),
        ]
    ]
    statuses = [
        Attendance.Status.PRESENT,
        Attendance.Status.LATE,
        Attendance.Status.LEFT_EARLY,
        Attendance.Status.EXCUSED,
        Attendance.Status.ABSENT,
    ]
    for index, person in enumerate(people[:-1]):  # the last activist is never marked
        AttendanceFactory(participant=person, slot=recorded, status=statuses[index % len(statuses)])
        if index % 3:
            AttendanceFactory(
                participant=person, slot=closed, status=statuses[(index + 2) % len(statuses)]
            )

    # Records that do not count: an inactive trainee, a facilitator, a support person.
    inactive = ParticipantFactory(programme=programme, category=Category.ACTIVIST, is_active=False)
    facilitator = ParticipantFactory(programme=programme, category=Category.FACILITATOR)
    support = ParticipantFactory(programme=programme, category=Category.SUPPORT_PERSON)
    for slot in (recorded, closed):
        AttendanceFactory(participant=inactive, slot=slot)
        AttendanceFactory(participant=support, slot=slot)
    AttendanceFactory(participant=facilitator, slot=facilitator_only)
    assert closed_empty.attendances.count() == 0

    # Another programme in the same cities: nothing of it counts here.
    other = ProgrammeFactory()
    other_slot = SlotFactory(day=TrainingDayFactory(programme=other))
    for category, city in [(Category.ELECTED_OFFICIAL, bondy), (Category.ACTIVIST, None)]:
        AttendanceFactory(
            participant=ParticipantFactory(programme=other, category=category, city=city),
            slot=other_slot,
            status=Attendance.Status.ABSENT,
        )


# --- What a city's application form posts --------------------------------------------------


def triad_post(prefix, first, last, *, email="", position="Poste", committed=True):
    return {
        f"{prefix}-first_name": first,
        f"{prefix}-last_name": last,
        f"{prefix}-position": position,
        f"{prefix}-email": email or f"{slugify(first)}.{slugify(last)}@example.org",
        f"{prefix}-phone": "",
        f"{prefix}-commitment_given": "on" if committed else "",
        f"{prefix}-commitment_date": "",
    }


def application_post(**overrides):
    data = {
        "contact_name": "Claire Martin",
        "contact_email": "claire@ville.fr",
        "contact_phone": "",
        "priority_neighbourhoods": "Franc-Moisin",
        "motivation": "Installer nos conseils citoyens avec les habitants.",
        "contribution_pledged": "650.00",
        **triad_post("elected", "Anne", "Élue"),
        **triad_post("professional1", "Paul", "Agent"),
        **triad_post("delegate", "Marc", "Délégué"),
        "action": "save",
    }
    data.update(overrides)
    return data


def drawing(strokes: int = 2, points: int = 12, *, seed: int = 0) -> str:
    """A signature as the signing page posts it: invented strokes on a 400 x 160 box."""
    lines = []
    for stroke in range(strokes):
        lines.append(
            [
                [20 + 30 * stroke + 8 * i, 80 + ((i * 7 + seed + stroke * 13) % 50) - 25, 15 * i]
                for i in range(points)
            ]
        )
    return json.dumps({"width": 400, "height": 160, "strokes": lines})


def sign_as_trainer(slot, facilitator, *, user):
    """The facilitator's signature on the half-day (they become one of its facilitators)."""
    from sessions import services as session_services

    activity = slot.activities.first() or ActivityFactory(slot=slot)
    activity.facilitators.add(facilitator)
    return session_services.attendance_sign(
        slot=slot, participant_id=facilitator.pk, role="trainer", user=user, strokes=drawing()
    )


def pdf_upload(content: bytes, name: str = "feuille.pdf"):
    """A PDF file as a form posts it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def sign_as_trainee(slot, person, *, user):
    """The person's signature on the half-day (they must be marked present, late or left
    early)."""
    from sessions import services as session_services

    return session_services.attendance_sign(
        slot=slot, participant_id=person.pk, role="trainee", user=user, strokes=drawing(seed=7)
    )


# --- Evaluation ---------------------------------------------------------------------------------


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Questionnaire {n}")
    anonymous = True


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = Question.Kind.SCALE
    text = factory.Sequence(lambda n: f"Question {n}")


class EvaluationRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationRound

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    moment = EvaluationRound.Moment.END


class EvaluationInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationInvitation

    round = factory.SubFactory(EvaluationRoundFactory)
    participant = factory.SubFactory(
        ParticipantFactory, programme=factory.SelfAttribute("..round.questionnaire.programme")
    )


def answer_many(round, question, values, *, category=Category.CITY_PROFESSIONAL) -> None:
    """Store one anonymous response per value for a question of a round (for results tests)."""
    EvaluationResponse.objects.bulk_create(
        EvaluationResponse(round=round, category=category, answers={str(question.pk): value})
        for value in values
    )


def svg_logo(initials: str = "AB", colour: str = "#1f4e79") -> bytes:
    """A small, safe SVG logo (the demo's drawing)."""
    from cotraining.demo_docs import svg_logo as draw

    return draw(initials, colour)


def png_logo(width: int = 60, height: int = 30) -> bytes:
    """A small PNG logo."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#1f4e79").save(buffer, format="PNG")
    return buffer.getvalue()
