"""Benchmark of the reports: time and memory of each PDF against WeasyPrint alone.

``make bench`` runs it. For the demo programme and for a generated programme of 500 trainees
and 10 half-days (every half-day recorded), it builds each kind of report the way a worker
does (``reports.services.report_run_build``: selectors, template, WeasyPrint, storage) and
prints:

- total: the whole build, in seconds;
- floor: WeasyPrint alone turning the same HTML into the same tagged PDF (PDF/UA-1);
- ratio: total / floor (target: at most 1.1), and the same ratio of CPU times, which a busy
  machine disturbs less (the target counts as met when either is within it);
- pages;
- peak: the peak resident memory of the process that built it, a Python process with Django
  loaded, as a prefork worker's pool process is (target for the 500-trainee attendance
  report: under 300 MB). The floor's own peak is shown too.

The times are the best of ``--repeat`` (3) builds and of as many WeasyPrint-alone renderings,
taken in turns in one process so that the load of the machine weighs on both alike. Each peak
is measured in a process of its own, so that one build's memory does not count in another's.
Every process first builds (or renders) the same kind of report for the demo programme
without measuring it, as a worker that has served a report before: templates are compiled,
fonts found.
The data goes to a separate SQLite database (``BENCH_DATABASE_URL`` to choose another, e.g.
``postgres://postgres@127.0.0.1:5432/cotraining_bench``), never to the development database;
on PostgreSQL its statistics are refreshed once the data is loaded (see ``prepare``).
"""

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from data import BIG_SIZE, BIG_SLUG, build_big_programme

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = Path(tempfile.gettempdir()) / "cotraining-bench.sqlite3"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{DEFAULT_DB}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cotraining.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault(
    "DJANGO_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "cotraining-bench-media")
)
os.environ.pop("REDIS_URL", None)  # build in this process: the benchmark measures a build
os.environ.pop("CELERY_BROKER_URL", None)

KINDS = ["attendance", "participation", "funder", "certificates"]
RATIO_TARGET = 1.1
MEMORY_TARGET_MB = 300


class Stopwatch:
    """Wall-clock and CPU seconds of this process (the CPU time does not count the time other
    programs of a busy machine take from us)."""

    def __enter__(self) -> "Stopwatch":
        gc.collect()  # the garbage of the previous measure is not this one's cost
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def setup_django() -> None:
    import django

    django.setup()


def prepare() -> list[str]:
    """Create the benchmark database, the demo programme and the 500-trainee programme.

    On PostgreSQL the planner's statistics are then refreshed, as autovacuum does within a
    minute of such a load in a real database: measured just after the bulk inserts, the plans
    would be made for empty tables (nested loops over 5,000 records instead of hash joins).
    """
    from django.core.management import call_command
    from django.db import connection

    from cotraining.demo import SLUG, demo_build

    call_command("migrate", verbosity=0, interactive=False)
    demo_build(password="bench-only-password")  # noqa: S106 - a throwaway database
    build_big_programme()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return [SLUG, BIG_SLUG]


def build(slug: str, kind: str):
    """Build a run of this report as a worker does; return the run and the seconds it took."""
    from django.contrib.auth import get_user_model

    from programmes.models import Programme
    from reports import services
    from reports.models import ReportRun

    programme = Programme.objects.get(slug=slug)
    user = get_user_model().objects.filter(is_superuser=True).first()
    ReportRun.objects.filter(programme=programme, kind=kind).delete()
    run = ReportRun.objects.create(programme=programme, kind=kind, requested_by=user)
    with Stopwatch() as watch:
        outcome = services.report_run_build(report_run_id=run.pk)
    run.refresh_from_db()
    if run.status != ReportRun.Status.DONE:  # built in parts ("dispatched"), done all the same
        raise SystemExit(f"{slug} {kind}: {outcome.state}: {run.error}")
    return run, watch


def weasyprint_alone(html: str) -> "Stopwatch":
    from weasyprint import HTML

    from reports.rendering import BASE_URL, PDF_OPTIONS, StaticFilesFetcher

    with Stopwatch() as watch:
        HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf(
            **PDF_OPTIONS
        )
    return watch


def report_html(slug: str, kind: str) -> str:
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from programmes.models import Programme
    from reports.documents import document_html

    user = get_user_model().objects.filter(is_superuser=True).first()
    with translation.override("fr"):
        return document_html(
            kind=kind,
            programme=Programme.objects.get(slug=slug),
            signatory=user.get_full_name() if user else "",
        ).html


def measure_times(slug: str, kind: str, repeat: int) -> dict:
    """The best of ``repeat`` builds and of ``repeat`` WeasyPrint-alone renderings of the same
    HTML, taken in turns in one process so that the load of the machine weighs on both."""
    from cotraining.demo import SLUG

    build(SLUG, kind)
    weasyprint_alone(report_html(SLUG, kind))
    totals, floors = [], []
    for _ in range(repeat):
        run, watch = build(slug, kind)
        totals.append(watch)
        floors.append(weasyprint_alone(report_html(slug, kind)))
    return {
        "total": min(watch.wall for watch in totals),
        "floor": min(watch.wall for watch in floors),
        "total_cpu": min(watch.cpu for watch in totals),
        "floor_cpu": min(watch.cpu for watch in floors),
        "pages": run.page_count,
    }


def measure_peak(slug: str, kind: str, *, alone: bool) -> dict:
    """Peak memory of one build (or of WeasyPrint alone), after one of the demo programme."""
    from cotraining.demo import SLUG

    if alone:
        weasyprint_alone(report_html(SLUG, kind))
        html = report_html(slug, kind)
        weasyprint_alone(html)
    else:
        build(SLUG, kind)
        build(slug, kind)
    return {"peak_mb": peak_mb()}


def child(mode: str, slug: str, kind: str, repeat: int) -> None:
    setup_django()
    if mode == "times":
        result = measure_times(slug, kind, repeat)
    else:
        result = measure_peak(slug, kind, alone=mode == "peak-floor")
    print(json.dumps(result))


def run_child(mode: str, slug: str, kind: str, repeat: int = 1) -> dict:
    output = subprocess.run(  # noqa: S603 - this very script
        [sys.executable, __file__, "--child", mode, slug, kind, "--repeat", str(repeat)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "SLUG", "KIND"), help=argparse.SUPPRESS
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings of each")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds")
    args = parser.parse_args()
    if args.child:
        child(*args.child, repeat=args.repeat)
        return

    setup_django()
    import weasyprint
    from django.db import connection

    print(f"Preparing the benchmark data in {os.environ['DATABASE_URL']} …", flush=True)
    slugs = prepare()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{connection.vendor}, WeasyPrint {weasyprint.__version__}, PDF/UA-1, "
        f"{os.cpu_count()} CPUs, load average {load}; best of {args.repeat}"
    )
    header = (
        f"{'programme':<24} {'report':<14} {'pages':>5} {'total s':>8} {'floor s':>8} "
        f"{'ratio':>6} {'cpu ratio':>9} {'peak MB':>8} {'floor MB':>9}"
    )
    print(header)
    print("-" * len(header))
    failures = []
    for slug in slugs:
        for kind in args.kinds.split(","):
            times = run_child("times", slug, kind, args.repeat)
            peak = run_child("peak-total", slug, kind)["peak_mb"]
            floor_peak = run_child("peak-floor", slug, kind)["peak_mb"]
            ratio = times["total"] / times["floor"]
            cpu_ratio = times["total_cpu"] / times["floor_cpu"]
            print(
                f"{slug[:24]:<24} {kind:<14} {times['pages']:>5} {times['total']:>8.2f} "
                f"{times['floor']:>8.2f} {ratio:>6.2f} {cpu_ratio:>9.2f} {peak:>8.0f} "
                f"{floor_peak:>9.0f}",
                flush=True,
            )
            if min(ratio, cpu_ratio) > RATIO_TARGET:
                failures.append(f"{slug} {kind}: total {ratio:.2f} x the WeasyPrint floor")
            if slug == BIG_SLUG and kind == "attendance" and peak > MEMORY_TARGET_MB:
                failures.append(f"{slug} {kind}: peak {peak:.0f} MB")
    print()
    print(
        f"Targets: total within {RATIO_TARGET} x the floor; the {BIG_SIZE}-trainee attendance "
        f"report under {MEMORY_TARGET_MB} MB."
    )
    print("Missed: " + "; ".join(failures) if failures else "All targets met.")


if __name__ == "__main__":
    main()
