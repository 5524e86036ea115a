"""Benchmark of the certificates built in parts by a real worker against WeasyPrint alone.

For the generated programme of 500 trainees (``bench/data.py``) it prints:

- floor: one process turning the HTML of the 500 certificates into one tagged PDF with
  WeasyPrint alone (the best of ``--repeat``), and that process's peak memory;
- parts: the wall time of a run of the certificates from the moment it is sent to the broker
  until it is done, built by a real Celery worker (``--concurrency 2``, prefork: two processes)
  in parts of ``REPORT_PART_SIZE`` and merged with pypdf (the best of ``--repeat``, after one
  run that warms the worker processes up as a worker that has served reports before);
- ratio: parts / floor (target: at most 0.6 with two processes); and the cpu ratio, the CPU
  time of the busiest pool process over the floor's CPU time, which a machine busy with other
  programs disturbs less (the target counts as met when either is within it, as in
  ``bench/reports.py``);
- the peak memory (VmHWM) of every process of the worker, its main process and each pool
  process (target: none over 200 MB).

It starts its own redis-server on a free port (never the machine's) and the worker; the data goes
to a separate SQLite database (``BENCH_DATABASE_URL`` to choose another, e.g.
``postgres://postgres@127.0.0.1:5432/cotraining_bench``, which the worker processes share better).
"""

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from data import BIG_SIZE, BIG_SLUG, build_big_programme

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = Path(tempfile.gettempdir()) / "cotraining-bench-certificates.sqlite3"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DEFAULT_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cotraining.settings")
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_PLAIN_STATIC"] = "1"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault(
    "DJANGO_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "cotraining-bench-media")
)
RATIO_TARGET = 0.6
MEMORY_TARGET_MB = 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_of(pid: int) -> float:
    """The peak resident memory (VmHWM) of a running process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_of(pid: int) -> float:
    """User and system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def floor(repeat: int) -> None:
    """In a child process: WeasyPrint alone on the 500 certificates' HTML; prints JSON."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import translation
    from weasyprint import HTML

    from programmes.models import Programme
    from reports.documents import document_html
    from reports.rendering import BASE_URL, PDF_OPTIONS, StaticFilesFetcher

    user = get_user_model().objects.get(username="bench")
    with translation.override("fr"):
        html = document_html(
            kind="certificates",
            programme=Programme.objects.get(slug=BIG_SLUG),
            signatory=user.get_full_name(),
        ).html
    times, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf(
            **PDF_OPTIONS
        )
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": min(times), "cpu": min(cpus), "peak_mb": peak}))


def start_redis(directory: str) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is needed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", directory],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def start_worker(log: Path, concurrency: int) -> subprocess.Popen:
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own virtualenv's celery
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "cotraining",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_CONN_MAX_AGE": "0"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
    return process


def timed_run(programme, user) -> float:
    from reports import services
    from reports.models import ReportRun

    ReportRun.objects.filter(programme=programme).delete()
    run = ReportRun.objects.create(
        programme=programme, kind=ReportRun.Kind.CERTIFICATES, requested_by=user, language="fr"
    )
    started = time.perf_counter()
    services.report_run_enqueue(run=run)
    while True:
        run.refresh_from_db()
        if run.status in (ReportRun.Status.DONE, ReportRun.Status.FAILED):
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if run.status != ReportRun.Status.DONE:
        raise SystemExit(f"the run failed: {run.error}")
    if run.page_count != BIG_SIZE:
        raise SystemExit(f"{run.page_count} pages instead of {BIG_SIZE}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="best of N of each")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(args.repeat)
        return

    with tempfile.TemporaryDirectory() as directory:
        redis, url = start_redis(directory)
        os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = url
        try:
            measure(args, Path(directory))
        finally:
            redis.terminate()
            redis.wait(timeout=10)


def measure(args, directory: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from programmes.models import Programme

    print(f"Preparing the benchmark data in {os.environ['DATABASE_URL']} …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    build_big_programme()
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"first_name": "Claire", "last_name": "Moreau"}
    )
    programme = Programme.objects.get(slug=BIG_SLUG)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    output = subprocess.run(  # noqa: S603 - this very script
        [sys.executable, __file__, "--floor", "--repeat", str(args.repeat)],
        check=True,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}},
    ).stdout
    alone = json.loads(output.strip().splitlines()[-1])

    worker = start_worker(directory / "worker.log", args.concurrency)
    try:
        timed_run(programme, user)  # warms the pool processes up
        seconds, busiest = float("inf"), float("inf")
        for _ in range(args.repeat):
            pool = children_of(worker.pid)
            before = {pid: cpu_of(pid) for pid in pool}
            seconds = min(seconds, timed_run(programme, user))
            # The critical path on idle cores: the CPU time of the busiest pool process.
            busiest = min(busiest, max(cpu_of(pid) - before[pid] for pid in pool))
        peaks = {"main": peak_of(worker.pid)}
        for number, pid in enumerate(children_of(worker.pid), start=1):
            peaks[f"pool {number}"] = peak_of(pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    ratio = seconds / alone["seconds"]
    cpu_ratio = busiest / alone["cpu"]
    print(
        f"{connection.vendor}, {BIG_SIZE} certificates, parts of {settings.REPORT_PART_SIZE}, "
        f"{os.cpu_count()} CPUs, load average {load}; best of {args.repeat}"
    )
    print(
        f"WeasyPrint alone, one process: {alone['seconds']:.2f} s ({alone['cpu']:.2f} s CPU), "
        f"peak {alone['peak_mb']:.0f} MB"
    )
    print(
        f"in parts, worker --concurrency {args.concurrency}: {seconds:.2f} s (ratio {ratio:.2f}); "
        f"busiest pool process {busiest:.2f} s CPU (cpu ratio {cpu_ratio:.2f}); peak MB: "
        + ", ".join(f"{name} {peak:.0f}" for name, peak in peaks.items())
    )
    failures = []
    if min(ratio, cpu_ratio) > RATIO_TARGET:
        failures.append(f"{ratio:.2f} × the floor")
    if max(peaks.values()) > MEMORY_TARGET_MB:
        failures.append(f"a process peaked at {max(peaks.values()):.0f} MB")
    print(
        f"Targets: at most {RATIO_TARGET} × the floor, no process over {MEMORY_TARGET_MB} MB. "
        + ("Missed: " + "; ".join(failures) if failures else "All targets met.")
    )


if __name__ == "__main__":
    main()
