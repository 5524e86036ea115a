"""The benchmarks' generated programme: 500 trainees in 25 cities and 10 half-days, every
half-day recorded. Shared by ``bench/reports.py`` and ``bench/pages.py``; Django must be set up
before calling :func:`build_big_programme`."""

BIG_SLUG = "bench-500-trainees"
BIG_SIZE = 500
BIG_SLOTS = 10


def build_big_programme() -> None:
    """A programme of 500 trainees in 25 cities and 10 half-days, with every status used."""
    import datetime as dt

    from django.db import transaction

    from participants.models import Category, Participant
    from programmes.models import City, Programme
    from sessions.models import Attendance, Slot, TrainingDay

    statuses = [Attendance.Status.PRESENT] * 16 + [
        Attendance.Status.LATE,
        Attendance.Status.LEFT_EARLY,
        Attendance.Status.EXCUSED,
        Attendance.Status.ABSENT,
    ]
    categories = [
        Category.ELECTED_OFFICIAL,
        Category.CITY_PROFESSIONAL,
        Category.PREFECTS_DELEGATE,
        Category.ACTIVIST,
    ]
    with transaction.atomic():
        Programme.objects.filter(slug=BIG_SLUG).delete()
        programme = Programme.objects.create(
            slug=BIG_SLUG,
            title="Co-formation de référence : 500 participants, 10 demi-journées",
            venue="Pierrelaye",
            start_date=dt.date(2015, 1, 19),
            end_date=dt.date(2015, 1, 23),
            planned_days=5,
            planned_hours=35,
            status=Programme.Status.CLOSED,
        )
        cities = [
            City.objects.get_or_create(
                insee_code=f"99{index:03d}",
                defaults={"name": f"Ville de banc d'essai {index}", "departement": "99"},
            )[0]
            for index in range(25)
        ]
        people = Participant.objects.bulk_create(
            Participant(
                programme=programme,
                category=categories[index % 4],
                first_name=f"Prénom{index}",
                last_name=f"Nom{index:04d}",
                city=None if categories[index % 4] == Category.ACTIVIST else cities[index % 25],
                commitment_given=True,
                consent_name_in_reports=index % 8 != 3,
            )
            for index in range(BIG_SIZE)
        )
        slots = []
        for day in range(BIG_SLOTS // 2):
            training_day = TrainingDay.objects.create(
                programme=programme, date=dt.date(2015, 1, 19) + dt.timedelta(days=day)
            )
            for part, starts, ends in [
                (Slot.Part.MORNING, dt.time(9), dt.time(12, 30)),
                (Slot.Part.AFTERNOON, dt.time(14), dt.time(17, 30)),
            ]:
                slots.append(
                    Slot.objects.create(day=training_day, part=part, starts_at=starts, ends_at=ends)
                )
        Attendance.objects.bulk_create(
            Attendance(participant=person, slot=slot, status=statuses[(i * 7 + j) % 20])
            for j, slot in enumerate(slots)
            for i, person in enumerate(people)
        )
