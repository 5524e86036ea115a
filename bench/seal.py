"""Benchmark of sealing a whole attendance sheet: 28 trainees who signed with invented strokes
and a trainer, closed and sealed (``sessions.services.slot_close``: the chain recomputed, the
seal written), then its PDF built (``reports.services.sealed_sheet_build``).

Prints, for each of ``--repeat`` (3) fresh sheets, the time to close and seal and the time with
the PDF, then the best of each; the target is under 2 s for the seal. It measures, it does not
assert: run it on the machine that will serve the app (``make bench`` runs it too).

The data goes to a separate SQLite database (``BENCH_DATABASE_URL`` to choose another), never to
the development database.
"""

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = Path(tempfile.gettempdir()) / "cotraining-bench-seal.sqlite3"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{DEFAULT_DB}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cotraining.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault(
    "DJANGO_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "cotraining-bench-media")
)
os.environ.pop("REDIS_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)

TRAINEES = 28
TARGET_SECONDS = 2.0


def strokes(seed: int) -> str:
    """An invented signature: three strokes of 40 points on a 400 x 160 box."""
    lines = [
        [
            [20 + 40 * stroke + 7 * i, 80 + ((i * 11 + seed * 5 + stroke * 13) % 60) - 30, 12 * i]
            for i in range(40)
        ]
        for stroke in range(3)
    ]
    return json.dumps({"width": 400, "height": 160, "strokes": lines})


def sheet(index: int):
    """A programme with one half-day, 28 trainees marked present who signed, and a trainer who
    signed: ready to close."""
    from django.contrib.auth import get_user_model

    from participants.models import Category, Participant
    from programmes.models import Programme
    from sessions import services
    from sessions.models import Activity, Attendance, Slot, TrainingDay

    slug = f"bench-seal-{index}"
    Programme.objects.filter(slug=slug).delete()
    programme = Programme.objects.create(slug=slug, title=f"Banc d'essai du scellement {index}")
    day = TrainingDay.objects.create(programme=programme, date=dt.date(2015, 1, 22))
    slot = Slot.objects.create(
        day=day, part="morning", starts_at=dt.time(9), ends_at=dt.time(12, 30)
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-seal")
    trainer = Participant.objects.create(
        programme=programme, category=Category.FACILITATOR, first_name="Claire", last_name="Anim"
    )
    activity = Activity.objects.create(slot=slot, kind="plenary", title="Plénière")
    activity.facilitators.add(trainer)
    people = [
        Participant.objects.create(
            programme=programme,
            category=Category.ACTIVIST,
            first_name=f"Prénom{n}",
            last_name=f"Nom{n:02d}",
        )
        for n in range(TRAINEES)
    ]
    for n, person in enumerate(people):
        Attendance.objects.create(slot=slot, participant=person, status="present")
        services.attendance_sign(
            slot=slot, participant_id=person.pk, role="trainee", user=user, strokes=strokes(n)
        )
    services.attendance_sign(
        slot=slot, participant_id=trainer.pk, role="trainer", user=user, strokes=strokes(99)
    )
    return slot, user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from reports.models import SealedSheet
    from reports.services import sealed_sheet_build
    from sessions import services

    call_command("migrate", verbosity=0, interactive=False)
    seals, totals = [], []
    for index in range(args.repeat):
        slot, user = sheet(index)
        started = time.perf_counter()
        # The seal is made in the closing transaction; its PDF after the commit (here, without a
        # broker, in this process as the commit ends: measured apart).
        with transaction.atomic():
            services.slot_close(slot=slot, user=user)
            seal = SealedSheet.objects.get(slot=slot, superseded_at__isnull=True)
            sealed = time.perf_counter() - started
        sealed_sheet_build(seal_id=seal.pk)  # does nothing when the commit built it
        total = time.perf_counter() - started
        seals.append(sealed)
        totals.append(total)
        print(
            f"sheet {index + 1}: {seal.signature_count} signatures sealed in "
            f"{sealed * 1000:.0f} ms, with the PDF in {total * 1000:.0f} ms"
        )
    best = min(seals)
    verdict = "within" if best < TARGET_SECONDS else "OVER"
    print(
        f"best: sealed in {best * 1000:.0f} ms, with the PDF in {min(totals) * 1000:.0f} ms "
        f"({verdict} the {TARGET_SECONDS:.0f} s target for the seal)"
    )


if __name__ == "__main__":
    main()
