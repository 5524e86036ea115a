"""Benchmark of the pages: each role's main pages against the login page, served as in production.

``make bench`` runs it. It prepares a database (the demo programmes and a generated programme of
500 trainees and 10 half-days, every half-day recorded, on which the demo's organiser,
facilitator and funder hold their roles), collects the static files, starts gunicorn (DEBUG
off, WhiteNoise serving the static files, ``--workers 2``) and, over HTTP, logs in each role and
prints for each main page:

- its median time over ``--repeat`` requests (sequential, one at a time) and its size;
- its ratio to the login page's median measured in the same run, each request of the page
  following one of the login page (``login ms``: a shared machine that slows down or speeds up
  during the run changes both alike) (target: at most 3 at demo scale), and for the pages of
  the 500-trainee programme, the ratio to the same page at demo scale, both taken against the
  login page beside them (target: at most 1.5);
- then a mixed load: ``--threads`` people each going through the pages of their role for
  ``--seconds``, requests per second, p95 and errors, beside the requests per second of the
  login page under the same number of threads (target: at least half of it, p95 under 300 ms),
  the two taken in three alternating windows of a third of ``--seconds`` each.

A shared machine makes absolute times wander: compare the ratios, which are taken in one run.

``--profile PAGE`` (a path such as ``/programmes/bench-500-trainees/attendance/1/``, and
``--as ROLE``) renders that page in this process with the same settings and prints where the time
goes (cProfile, sorted by cumulative time).

The data goes to a separate SQLite database (``BENCH_DATABASE_URL`` to choose another, e.g.
``postgres://postgres@127.0.0.1:5432/cotraining_bench``), never to the development database.
"""

import argparse
import concurrent.futures
import cProfile
import http.client
import io
import os
import pstats
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from data import BIG_SIZE, BIG_SLUG, build_big_programme

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = Path(tempfile.gettempdir()) / "cotraining-bench-pages.sqlite3"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DEFAULT_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cotraining.settings")
# As in production: DEBUG off, hashed and compressed static files served by WhiteNoise.
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
os.environ["DJANGO_SECURE_COOKIES"] = "0"  # plain HTTP on 127.0.0.1
os.environ.setdefault(
    "DJANGO_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "cotraining-bench-media")
)
os.environ.pop("REDIS_URL", None)  # the pages read no cache: nothing to share between workers
os.environ.pop("CELERY_BROKER_URL", None)

PASSWORD = "bench-only-password"  # noqa: S105 - a throwaway database
DEMO_TARGET = 3.0  # × the login page
BIG_TARGET = 1.5  # × the same page at demo scale
LOAD_P95_MS = 300
LOAD_WINDOWS = 3  # the mixed load and the login page's, taken in turns
ROLES = ["organiser", "reviewer", "facilitator", "funder", "city"]


def setup_django() -> None:
    import django

    django.setup()


def prepare() -> None:
    """Migrate, load the demo and the 500-trainee programme, give the demo's team their roles
    in it, and collect the static files (hashed names, as ``manage.py collectstatic`` in
    production)."""
    from django.core.management import call_command
    from django.db import connection

    from cotraining.demo import demo_build
    from programmes.models import Membership, Programme

    call_command("collectstatic", verbosity=0, interactive=False)  # the demo seals sheets
    call_command("migrate", verbosity=0, interactive=False)
    demo_build(password=PASSWORD)
    build_big_programme()
    big = Programme.objects.get(slug=BIG_SLUG)
    roles = Membership.Role
    for username, role in [
        ("organiser", roles.ORGANISER),
        ("facilitator", roles.FACILITATOR),
        ("funder", roles.FUNDER),
    ]:
        Membership.objects.create(
            programme=big, user=_user(username), role=role, organisation=_organisation(username)
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _organisation(username: str):
    """A funder speaks for a funding body: the one they hold in the demo programme."""
    from cotraining.demo import SLUG
    from programmes.models import Membership

    membership = Membership.objects.filter(programme__slug=SLUG, user__username=username).first()
    return membership.organisation if membership else None


def pages() -> dict[str, list[tuple[str, str]]]:
    """Each role's main pages, (label, path), at demo scale then at 500 trainees."""
    from cotraining.demo import OPEN_SLUG, SLUG
    from programmes.models import CityApplication
    from sessions.models import Slot

    def first_slot(slug: str) -> int:
        return (
            Slot.objects.filter(day__programme__slug=slug)
            .order_by("day__date", "starts_at")
            .values_list("pk", flat=True)[0]
        )

    def programme_pages(slug: str) -> dict[str, str]:
        base = f"/programmes/{slug}"
        return {
            "overview": f"{base}/",
            "participants": f"{base}/participants/",
            "timetable": f"{base}/timetable/",
            "attendance list": f"{base}/attendance/",
            "sheet": f"{base}/attendance/{first_slot(slug)}/",
            "participation": f"{base}/participation/",
            "reports": f"{base}/reports/",
            "finances": f"{base}/finances/",
        }

    demo, big = programme_pages(SLUG), programme_pages(BIG_SLUG)
    draft = (
        CityApplication.objects.filter(call__programme__slug=OPEN_SLUG, city__name="Bondy").first()
        or CityApplication.objects.filter(call__programme__slug=OPEN_SLUG).first()
    )
    city_application = CityApplication.objects.filter(
        call__programme__slug=OPEN_SLUG, contact_user__username="city"
    ).first()
    by_role = {
        "organiser": ["overview", "participants", "timetable", "attendance list", "sheet"]
        + ["participation", "reports", "finances"],
        "facilitator": ["overview", "attendance list", "sheet", "participation"],
        "funder": ["overview", "participation", "reports"],
    }
    result: dict[str, list[tuple[str, str]]] = {
        "organiser": [
            ("dashboard", "/"),
            ("applications", f"/programmes/{OPEN_SLUG}/applications/"),
        ],
        "reviewer": [
            ("dashboard", "/"),
            ("applications", f"/programmes/{OPEN_SLUG}/applications/"),
            ("application", f"/programmes/{OPEN_SLUG}/applications/{draft.pk}/"),
        ],
        "facilitator": [("dashboard", "/")],
        "funder": [("dashboard", "/")],
        "city": [("dashboard", "/"), ("call", f"/apply/{OPEN_SLUG}/")],
    }
    if city_application is not None:
        result["city"].append(
            ("application", f"/apply/{OPEN_SLUG}/applications/{city_application.pk}/")
        )
    for role, labels in by_role.items():
        result[role] += [(label, demo[label]) for label in labels]
        result[role] += [(f"{label} @{BIG_SIZE}", big[label]) for label in labels]
    return result


# --- HTTP ---------------------------------------------------------------------------------------


class Browser:
    """One person's cookies; a new connection per request (gunicorn's sync workers close it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Accept-Language": "fr", "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, content
        finally:
            connection.close()

    def login(self, username: str) -> None:
        status, content = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
        status, _ = self.request(
            "POST",
            "/login/",
            {"csrfmiddlewaretoken": token.decode(), "username": username, "password": PASSWORD},
        )
        if status != 302:
            raise SystemExit(f"{username} could not log in (HTTP {status})")


def timed(browser: Browser, path: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    status, content = browser.request("GET", path)
    return time.perf_counter() - started, status, len(content)


def median_of(browser: Browser, path: str, repeat: int) -> tuple[float, int]:
    timed(browser, path)  # the worker's first rendering compiles the templates
    times, size = [], 0
    for _ in range(repeat):
        seconds, status, size = timed(browser, path)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        times.append(seconds)
    return statistics.median(times), size


def medians_beside_login(
    browser: Browser, path: str, repeat: int, anonymous: Browser
) -> tuple[float, int, float]:
    """The page's median and size, and the login page's median over the same moments: each
    request of the page follows one of the login page, so that a machine that slows down or
    speeds up during the run (a shared one does) changes both alike."""
    timed(browser, path)
    times, logins, size = [], [], 0
    for _ in range(repeat):
        logins.append(timed(anonymous, "/login/")[0])
        seconds, status, size = timed(browser, path)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        times.append(seconds)
    return statistics.median(times), size, statistics.median(logins)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "cotraining.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if Browser(port).request("GET", "/healthz")[0] in {200, 503}:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def mixed_browsers(port: int, journeys: dict[str, list[str]], threads: int) -> list:
    """``threads`` people, each logged in as a role taken in turns, with their pages."""
    browsers = []
    roles = list(journeys)
    for index in range(threads):
        role = roles[index % len(roles)]
        browser = Browser(port)
        if role != "anonymous":
            browser.login(role)
        browsers.append((browser, journeys[role]))
    return browsers


def _load(browsers, seconds: float) -> tuple[list[float], int, float]:
    """Each browser going round its pages for ``seconds``: the requests' times, the errors and
    the wall time."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def walk(browser: Browser, paths: list[str]) -> None:
        index = 0
        while time.monotonic() < stop:
            path = paths[index % len(paths)]
            index += 1
            try:
                elapsed, status, _ = timed(browser, path)
            except OSError:
                elapsed, status = 0.0, 0
            with lock:
                times.append(elapsed)
                if status != 200:
                    errors[0] += 1

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(len(browsers)) as pool:
        list(pool.map(lambda pair: walk(*pair), browsers))
    return times, errors[0], time.monotonic() - started


def _summary(parts: list) -> tuple[float, float, int, int]:
    """Requests per second, p95, errors and requests of windows of ``_load``."""
    times = [elapsed for part in parts for elapsed in part[0]]
    errors = sum(part[1] for part in parts)
    wall = sum(part[2] for part in parts)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else 0.0
    return len(times) / wall, p95, errors, len(times)


# --- Profile ------------------------------------------------------------------------------------


def profile(path: str, role: str, repeat: int) -> None:
    """Render ``path`` for ``role`` in this process ``repeat`` times under cProfile."""
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client accept 127.0.0.1 and keep the context
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(_user(role))
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(repeat):
        client.get(path)
    profiler.disable()
    each = (time.perf_counter() - started) / repeat
    print(
        f"{path} as {role}: {each * 1000:.1f} ms a request (under the profiler), "
        f"{len(response.content) / 1024:.0f} KB"
    )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())


# --- Main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="requests per page (median)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="people of the mixed load")
    parser.add_argument("--seconds", type=float, default=15, help="length of each load")
    parser.add_argument("--profile", metavar="PAGE", help="print where PAGE's time goes")
    parser.add_argument("--as", dest="role", default="organiser", help="role for --profile")
    parser.add_argument("--no-prepare", action="store_true", help="reuse the prepared database")
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    if not args.no_prepare:
        print(f"Preparing the benchmark data in {os.environ['DATABASE_URL']} …", flush=True)
        prepare()
    if args.profile:
        profile(args.profile, args.role, args.repeat)
        return
    by_role = pages()
    connection.close()
    port = free_port()
    server = start_gunicorn(port, args.workers)
    try:
        run(args, port, by_role, connection.vendor)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(args, port: int, by_role: dict, vendor: str) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{vendor}, gunicorn --workers {args.workers}, DEBUG off, {os.cpu_count()} CPUs, "
        f"load average {load}; median of {args.repeat} requests"
    )
    anonymous = Browser(port)
    login_median, login_size = median_of(anonymous, "/login/", args.repeat)
    header = (
        f"{'role':<12} {'page':<26} {'median ms':>9} {'KB':>6} {'login ms':>8} {'× login':>8} "
        f"{'× demo':>7}"
    )
    print(header)
    print("-" * len(header))
    print(
        f"{'anonymous':<12} {'login':<26} {login_median * 1000:>9.1f} "
        f"{login_size / 1024:>6.0f} {login_median * 1000:>8.1f} {1:>8.2f}"
    )
    failures = []
    journeys: dict[str, list[str]] = {}
    for role, role_pages in by_role.items():
        browser = Browser(port)
        browser.login(role)
        demo_ratios: dict[str, float] = {}
        for label, path in role_pages:
            median, size, login_beside = medians_beside_login(browser, path, args.repeat, anonymous)
            ratio = median / login_beside
            label_demo = label.split(" @")[0]
            own = ""
            if " @" in label:
                # Against the same page at demo scale, each taken beside the login page.
                own_ratio = ratio / demo_ratios[label_demo]
                own = f"{own_ratio:>7.2f}"
                if own_ratio > BIG_TARGET:
                    failures.append(f"{role} {label}: {own_ratio:.2f} × its demo time")
            else:
                demo_ratios[label] = ratio
                journeys.setdefault(role, []).append(path)
                if ratio > DEMO_TARGET:
                    failures.append(f"{role} {label}: {ratio:.2f} × login")
            print(
                f"{role:<12} {label:<26} {median * 1000:>9.1f} {size / 1024:>6.0f} "
                f"{login_beside * 1000:>8.1f} {ratio:>8.2f} {own}",
                flush=True,
            )
    # The mixed load and the login page's load in alternating windows, as the pages beside the
    # login page: a drift of the machine's speed falls on both alike.
    mixed = mixed_browsers(port, journeys, args.threads)
    logins = [(Browser(port), ["/login/"]) for _ in range(args.threads)]
    mixed_parts, login_parts = [], []
    for _ in range(LOAD_WINDOWS):
        mixed_parts.append(_load(mixed, args.seconds / LOAD_WINDOWS))
        login_parts.append(_load(logins, args.seconds / LOAD_WINDOWS))
    rps, p95, errors, count = _summary(mixed_parts)
    login_rps, login_p95, login_errors, _ = _summary(login_parts)
    print()
    print(
        f"mixed load: {args.threads} threads, {count} requests in {args.seconds:.0f} s, "
        f"{rps:.1f} requests/s, p95 {p95 * 1000:.0f} ms, {errors} errors; "
        f"login page under {args.threads} threads: {login_rps:.1f} requests/s "
        f"(ratio {rps / login_rps:.2f}), p95 {login_p95 * 1000:.0f} ms"
    )
    if rps < login_rps / 2 or p95 * 1000 > LOAD_P95_MS or errors:
        failures.append("mixed load")
    print()
    print(
        f"Targets: each page within {DEMO_TARGET} × login at demo scale and {BIG_TARGET} × its "
        f"demo time at {BIG_SIZE} trainees; mixed load at least half the login page's "
        f"requests/s, p95 under {LOAD_P95_MS} ms, no error."
    )
    print("Missed: " + "; ".join(failures) if failures else "All targets met.")


if __name__ == "__main__":
    main()
