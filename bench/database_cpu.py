"""Where a page's time goes with PostgreSQL: this process's CPU and the database server's.

Wall-clock times on a shared machine wander, and the CPU time of the web process misses what the
server spends parsing, planning and running the page's statements. This script renders each main
page of ``bench/pages.py`` in this process (its database, already prepared: run ``pages.py`` once)
and prints, per request (median of ``--repeat``, after a few requests that let the connection
prepare its statements): the CPU of this process, the CPU of its PostgreSQL backend (read from
``/proc/PID/schedstat``, so the server must run on this machine) and the page's queries.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cotraining_bench \\
      .venv/bin/python bench/database_cpu.py
    DJANGO_DB_PREPARE_THRESHOLD=off BENCH_DATABASE_URL=… .venv/bin/python bench/database_cpu.py
"""

import argparse
import statistics
import time

import pages as bench  # sets the benchmark's environment (DEBUG off, its database)

# Requests before measuring, as a worker has served them: the connection prepares a statement
# on its third run (DJANGO_DB_PREPARE_THRESHOLD), and PostgreSQL plans it anew for its first
# five runs before it may keep a generic plan.
WARM_UP = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (median)")
    parser.add_argument("--only", default="", help="pages whose label contains this")
    args = parser.parse_args()
    bench.setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        raise SystemExit("Set BENCH_DATABASE_URL to a PostgreSQL database on this machine.")
    setup_test_environment()  # lets the test client accept its host name
    options = connection.settings_dict["OPTIONS"]
    print(f"PostgreSQL, OPTIONS {options}; median of {args.repeat} requests, ms")
    print(f"{'role':<12} {'page':<26} {'this CPU':>9} {'server CPU':>11} {'queries':>8}")
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="fr")
    rows = [("anonymous", anonymous, "login", "/login/")]
    for role, role_pages in bench.pages().items():
        client = Client(HTTP_ACCEPT_LANGUAGE="fr")
        client.force_login(bench._user(role))
        rows += [(role, client, label, path) for label, path in role_pages]
    for role, client, label, path in rows:
        if args.only not in label:
            continue
        for _ in range(WARM_UP):
            client.get(path)
        own, server, queries = [], [], 0
        for _ in range(args.repeat):
            connection.ensure_connection()
            server_before = _server_ns(connection)
            started = time.process_time()
            with connection.execute_wrapper(_counting):
                client.get(path)
            own.append(time.process_time() - started)
            server.append((_server_ns(connection) - server_before) / 1e9)
            queries = _counting.calls
            _counting.calls = 0
        print(
            f"{role:<12} {label:<26} {statistics.median(own) * 1000:>9.2f} "
            f"{statistics.median(server) * 1000:>11.2f} {queries:>8}",
            flush=True,
        )


def _server_ns(connection) -> int:
    """Nanoseconds of CPU the connection's server process has used so far."""
    pid = connection.connection.info.backend_pid
    with open(f"/proc/{pid}/schedstat") as stats:
        return int(stats.read().split()[0])


def _counting(execute, sql, params, many, context):
    _counting.calls += 1
    return execute(sql, params, many, context)


_counting.calls = 0


if __name__ == "__main__":
    main()
