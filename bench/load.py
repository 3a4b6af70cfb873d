"""Load benchmark: the BanqO API under wrk, per route, on SQLite and on PostgreSQL, beside two peers.

    .venv/bin/python bench/load.py [--teachers 50] [--goals 200] [--duration 10] [--databases sqlite postgresql]

For each database, one after the other: a fresh database (a temporary SQLite file; the PostgreSQL database
``banqo_load`` on 127.0.0.1:5432, created and dropped here) is seeded with N teachers, each with a collection
of ``--goals`` goals (from the shipped catalogue's texts), three learners, and a plan with four objectives;
then ``banqo-server --workers 2`` is started on a free port of 127.0.0.1 and wrk (a second process) measures,
for ``--duration`` seconds each at ``--connections`` connections, every route alone (one wrk run per route,
so that each route has its own latency distribution: wrk's Lua hooks see no per-request times) and then the
mix of them. Then the server is restarted with one worker for the figure the issue asks for: the goal search
at 20 connections, beside a bare FastAPI endpoint doing one sqlite3 query over the same goals. A plain
Starlette endpoint (the ceiling: uvicorn and Starlette alone) is measured in the same run.

Every request is one of the seeded teachers' (picked at random), with its bearer token. Everything started
here is stopped at the end, also on Ctrl+C or failure; only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCRIPT = ROOT / "bench" / "load" / "mix.lua"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_DATABASE = "banqo_load"
ROUTES = ("summary", "search", "add", "progress", "invoices", "mix")
ROUTE_LABELS = {
    "summary": "GET  /me/summary",
    "search": "GET  /collection/goals?q=",
    "add": "POST /collection/goals",
    "progress": "POST /plans/{id}/progress",
    "invoices": "GET  /invoices",
    "mix": "mix (10 search, 3 summary, 3 add, 2 progress, 2 invoices)",
}
LEARNERS = ("Léa", "Noah", "Maya")
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 15.0


@dataclass
class Figure:
    label: str
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    def row(self) -> str:
        problems = ""
        if self.non_2xx or self.socket_errors:
            problems = f"  ({self.non_2xx} non-2xx, {self.socket_errors} socket errors)"
        return f"{self.label:<62} {self.rps:>8.0f} {self.p50_ms:>8.1f} {self.p99_ms:>8.1f}{problems}"


# --- processes -------------------------------------------------------------------------------------


class Processes:
    """Every process started here, each in a session of its own; all stopped by ``stop_all``."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)  # the server and its workers: its own group
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(STOP_TIMEOUT_S)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            self.stop(process)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode}):\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {READY_TIMEOUT_S:.0f} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def served(processes: Processes, command: list[str], env: dict[str, str], ready_path: str, log: Path) -> Iterator[str]:
    """Run ``command`` (given ``{port}``) and yield its base URL once ``ready_path`` answers 200."""
    port = free_port()
    process = processes.start([part.format(port=port) for part in command], env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, base + ready_path, log)
        yield base
    finally:
        processes.stop(process)


# --- wrk -------------------------------------------------------------------------------------------


def run_wrk(
    base: str, route: str, data: Path | None, args: argparse.Namespace, label: str, *, duration: float | None = None
) -> Figure:
    seconds = args.duration if duration is None else duration
    command = [
        args.wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        base + "/",
        "--",
        route,
        str(data or ""),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            found = json.loads(line.removeprefix("BENCH_JSON "))
            return Figure(
                label, found["rps"], found["p50_ms"], found["p99_ms"], found["non_2xx"], found["socket_errors"]
            )
    raise RuntimeError(f"wrk printed no figures (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")


# --- seeding ---------------------------------------------------------------------------------------


def catalogue_goals() -> list[dict[str, Any]]:
    document = json.loads((ROOT / "banqo_server" / "catalogue" / "catalogue.json").read_text(encoding="utf-8"))
    return [
        {
            name: goal[name]
            for name in (
                "text",
                "language",
                "domain",
                "tags",
                "condition",
                "behaviour",
                "criterion",
                "measure",
                "source",
            )
            if name in goal
        }
        for goal in document["goals"]
    ]


def collection_of(teacher: int, size: int, shipped: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``size`` goals: the catalogue's, from an offset of the teacher's, some written by the teacher (own),
    one in ten filed under a learner."""
    goals = []
    for index in range(size):
        goal = dict(shipped[(teacher * 37 + index) % len(shipped)])
        if index >= len(shipped) or index % 5 == 4:  # the teacher's own wording: a distinct goal
            goal["text"] = f"{goal['text']} (version de la classe {teacher}-{index})"
            goal["source"] = {"kind": "own"}
        goal["tags"] = [f"groupe-{index % 4 + 1}", *goal.get("tags", [])][:20]
        if index % 10 == 0:
            goal["learners"] = [LEARNERS[(index // 10) % len(LEARNERS)]]
        goals.append(goal)
    return goals


def search_words(goals: list[dict[str, Any]], count: int = 24) -> list[str]:
    """Words a teacher would type, spread from frequent to rare in the collection (folded, ASCII)."""
    from banqo_tui.api.models import fold

    seen: Counter[str] = Counter()
    for goal in goals:
        seen.update({word for word in fold(goal["text"]).split() if len(word) >= 5 and word.isascii()})
    ranked = [word for word, times in seen.most_common() if times >= 2]
    step = max(1, len(ranked) // count)
    return ranked[::step][:count]


def seed(database_url: str, data_dir: Path, teachers: int, goal_count: int) -> tuple[list[dict[str, str]], list[str]]:
    """The teachers (token, plan, objective) and the search words, written straight through the services."""
    from sqlalchemy import select

    from banqo_server.db import make_engine, make_session_factory
    from banqo_server.migrations import upgrade
    from banqo_server.models import Learner
    from banqo_server.services import accounts, catalogue, exchange, plans
    from banqo_server.services.passwords import Passwords
    from banqo_server.settings import Settings
    from banqo_tui.api.models import PlanCreate, PlanGoalCreate, ProgressUnit

    settings = Settings.from_env({"BANQO_DATABASE_URL": database_url, "BANQO_DATA_DIR": str(data_dir)})
    settings = replace(settings, sign_up_address_limit=teachers + 10)
    passwords = Passwords(1, 1024, 1)  # nobody signs in with these passwords: the tokens are used
    engine = make_engine(database_url)
    shipped = catalogue_goals()
    seeded: list[dict[str, str]] = []
    try:
        upgrade(engine)
        catalogue.sync(engine, settings.now())
        factory = make_session_factory(engine)
        for teacher in range(teachers):
            goals = collection_of(teacher, goal_count, shipped)
            with factory() as db:
                new = accounts.NewAccount(
                    email=f"enseignant.{teacher}@charge.banqo.test",
                    password="Une phrase de passe pour la charge",
                    first_name=f"Enseignant {teacher}",
                    last_name="Charge",
                )
                token, session = accounts.sign_up(
                    db, settings, passwords, new, device="bench/load.py", address="127.0.0.1"
                )
                account_id = session.account_id
                document = {"format": "banqo-goals", "format_version": 1, "goals": goals}
                exchange.import_goals(
                    db,
                    account_id,
                    json.dumps(document).encode(),
                    "application/json",
                    default_language="fr",
                    dry_run=False,
                    now=settings.now(),
                )
                learner = db.scalar(
                    select(Learner).where(Learner.account_id == account_id, Learner.first_name == LEARNERS[0])
                )
                assert learner is not None
                moment = plans.Moment.of(settings)
                plan = plans.create(db, account_id, PlanCreate(learner_id=learner.id), moment)
                filed = [goal for goal in goals if goal.get("learners") == [LEARNERS[0]]]
                objectives = []
                for goal in filed[:4]:
                    objective = plans.add_goal(
                        db,
                        account_id,
                        plan.id,
                        PlanGoalCreate(text=goal["text"], unit=ProgressUnit.PERCENT, target=80),
                        language="fr",
                        moment=moment,
                    )
                    objectives.append(objective.id)
                seeded.append({"token": token, "plan": plan.id, "plan_goal": objectives[0]})
    finally:
        engine.dispose()
    return seeded, search_words(collection_of(0, goal_count, shipped))


def write_lua_data(path: Path, teachers: list[dict[str, str]], words: list[str]) -> None:
    def text(value: str) -> str:
        return json.dumps(value)  # a JSON string of ASCII characters is a Lua string too

    lines = ["return {", "  teachers = {"]
    lines += [
        f"    {{token = {text(t['token'])}, plan = {text(t['plan'])}, plan_goal = {text(t['plan_goal'])}}},"
        for t in teachers
    ]
    lines += ["  },", "  words = {" + ", ".join(text(word) for word in words) + "},", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_peer_database(path: Path, goal_count: int) -> None:
    """The bare peer's sqlite3 table: account a0's goals, like teacher 0's collection."""
    from banqo_tui.api.models import fold

    goals = collection_of(0, goal_count, catalogue_goals())
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(
            "CREATE TABLE goals (id TEXT PRIMARY KEY, account_id TEXT, text TEXT, language TEXT, domain TEXT,"
            " tags TEXT, search TEXT, created_at TEXT, updated_at TEXT, version INTEGER)"
        )
        connection.execute("CREATE INDEX goals_account ON goals (account_id, created_at)")
        connection.executemany(
            "INSERT INTO goals VALUES (?, 'a0', ?, 'fr', ?, ?, ?, ?, ?, 1)",
            [
                (
                    f"g{index:05d}",
                    goal["text"],
                    goal.get("domain"),
                    json.dumps(goal["tags"]),
                    fold(" ".join([goal["text"], *goal["tags"]])),
                    f"2026-11-27T12:{index // 60:02d}:{index % 60:02d}+00:00",
                    f"2026-11-27T12:{index // 60:02d}:{index % 60:02d}+00:00",
                )
                for index, goal in enumerate(goals)
            ],
        )


# --- databases -------------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    def admin(statement: str) -> None:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(statement)

    admin(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
    admin(f"CREATE DATABASE {POSTGRES_DATABASE}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{POSTGRES_DATABASE}"
    finally:
        admin(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")


@contextlib.contextmanager
def sqlite_database(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'banqo-load.sqlite3'}"


# --- the run ---------------------------------------------------------------------------------------


def server_command(workers: int) -> list[str]:
    return [
        str(BIN / "banqo-server"),
        "serve",
        "--port",
        "{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


def peer_command(app: str, workers: int) -> list[str]:
    return [
        str(BIN / "python"),
        "-m",
        "uvicorn",
        "--app-dir",
        str(ROOT / "bench" / "load"),
        f"peers:{app}",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


def measure_banqo(
    processes: Processes, name: str, database_url: str, folder: Path, args: argparse.Namespace
) -> tuple[list[Figure], Figure]:
    data_dir = folder / f"data-{name}"
    started = time.monotonic()
    teachers, words = seed(database_url, data_dir, args.teachers, args.goals)
    print(
        f"{name}: {args.teachers} teachers × {args.goals} goals seeded in {time.monotonic() - started:.0f} s",
        flush=True,
    )
    data = folder / f"data-{name}.lua"
    write_lua_data(data, teachers, words)
    env = {
        **os.environ,
        "BANQO_DATABASE_URL": database_url,
        "BANQO_DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
    }
    figures = []
    with served(processes, server_command(args.workers), env, "/api/v1/health", folder / f"{name}.log") as base:
        run_wrk(base, "mix", data, args, "warm-up", duration=2)
        for route in ROUTES:
            label = f"{name:<10} {args.workers} workers  {ROUTE_LABELS[route]}"
            figures.append(run_wrk(base, route, data, args, label))
            print(figures[-1].row(), flush=True)
    with served(processes, server_command(1), env, "/api/v1/health", folder / f"{name}-1.log") as base:
        run_wrk(base, "search", data, args, "warm-up", duration=2)
        search = run_wrk(base, "search", data, args, f"{name:<10} 1 worker   {ROUTE_LABELS['search']}")
        print(search.row(), flush=True)
    return figures, search


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teachers", type=int, default=50)
    parser.add_argument("--goals", type=int, default=200, help="goals per teacher (default 200)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement (default 10)")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="BanqO server workers for the route table")
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    args = parser.parse_args(argv)
    if not 1 <= args.teachers <= 10_000 or not 1 <= args.goals <= 5_000 or not 1 <= args.duration <= 600:
        parser.error("--teachers 1..10000, --goals 1..5000, --duration 1..600")

    def interrupted(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    processes = Processes()
    header = f"{'':<62} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    with tempfile.TemporaryDirectory(prefix="banqo-load-") as temporary:
        folder = Path(temporary)
        try:
            peer_db = folder / "peer.sqlite3"
            write_peer_database(peer_db, args.goals)
            peer_env = {**os.environ, "BANQO_LOAD_PEER_DB": str(peer_db)}
            table: list[Figure] = []
            print(
                f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s, on {os.cpu_count()} cores", flush=True
            )
            print(header)
            with served(processes, peer_command("ceiling", args.workers), peer_env, "/", folder / "c.log") as base:
                ceiling = run_wrk(base, "plain:/", None, args, f"ceiling: Starlette JSON, {args.workers} workers")
            print(ceiling.row(), flush=True)
            searches: dict[str, Figure] = {}
            for name in args.databases:
                opened = postgres_database() if name == "postgresql" else sqlite_database(folder)
                with opened as url:
                    figures, searches[name] = measure_banqo(processes, name, url, folder, args)
                table += figures
            with served(processes, peer_command("ceiling", 1), peer_env, "/", folder / "c1.log") as base:
                ceiling_one = run_wrk(base, "plain:/", None, args, "ceiling: Starlette JSON, 1 worker")
            peer_data = folder / "peer.lua"
            write_lua_data(peer_data, [], search_words(collection_of(0, args.goals, catalogue_goals())))
            with served(processes, peer_command("bare", 1), peer_env, "/search?q=a", folder / "b.log") as base:
                bare = run_wrk(base, "bare", peer_data, args, "bare FastAPI + one sqlite3 query, 1 worker")
        finally:
            processes.stop_all()

    print()
    print(
        f"BanqO API under load: {args.teachers} teachers × {args.goals} goals, wrk -t{args.threads} "
        f"-c{args.connections}, {args.duration:g} s per line (127.0.0.1, {os.cpu_count()} cores, wrk on the "
        "same machine)"
    )
    print(header)
    print(ceiling.row())
    for figure in table:
        print(figure.row())
    print(ceiling_one.row())
    print(bare.row())
    for name, search in searches.items():
        verdict = "met" if search.rps >= 2000 and search.p99_ms <= 35 else "NOT met"
        print(
            f"goal search, 1 worker, -c{args.connections}, {name}: {search.rps:.0f} req/s, p50 {search.p50_ms:.1f} ms,"
            f" p99 {search.p99_ms:.1f} ms  |  bare FastAPI + sqlite3: {bare.rps:.0f} req/s, p99 {bare.p99_ms:.1f} ms"
            f"  |  target ≥ 2000 req/s, p99 ≤ 35 ms: {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
