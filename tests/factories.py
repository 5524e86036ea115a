"""factory_boy factories for every model; one place for test data."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from participants.models import Category, Participant, PeerGroup
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
    Programme,
    Review,
    ReviewAssignment,
    ReviewScore,
    SelectionCriterion,
    TriadNominee,
)
from reports.models import ReportRun
from sessions.models import Activity, Attendance, AttendanceChange, Slot, TrainingDay

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


class ReportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportRun

    programme = factory.SubFactory(ProgrammeFactory)
    kind = ReportRun.Kind.PARTICIPATION
