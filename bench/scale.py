"""BanqO at scale: 10,000 teachers on PostgreSQL, and the latency of the résumé and the search at the API.

Seeds a database of its own (``banqo_scale`` on 127.0.0.1:5432, created when absent, migrated to the head) with
set-based SQL (``INSERT … SELECT generate_series``): per teacher 500 goals (varied French sentences composed from
word lists, so that a search reads realistic texts), 30 learners each filed under a few goals, plans for a few
learners with objectives and progress entries, sign-in sessions whose bearer tokens are known to this script, an
activity log, a subscription and invoices. A database already seeded with the same counts is reused; ``--drop``
starts again. Then runs the real server (``banqo-server serve`` on 127.0.0.1) and measures, one request at a time
(or ``--concurrency`` at once), ``GET /api/v1/me/summary`` and ``GET /api/v1/collection/goals?q=…`` for random
teachers, and prints p50 / p99 / max per route and the requests per second. The bar: both under 50 ms at p99.

    .venv/bin/python bench/scale.py                       # seed (or reuse) 10,000 teachers, then measure
    .venv/bin/python bench/scale.py --teachers 200 --drop # a small one, from scratch
    .venv/bin/python bench/scale.py --explain             # also print the plans of the résumé's and search's SQL
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from banqo_server.migrations import upgrade  # noqa: E402
from banqo_tui.api.models import fold  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/banqo_scale"
BAR_MS = 50.0
PASSWORD = "Echelle-2026-banqo"  # every seeded teacher's password (the bench signs in with tokens instead)
TOKEN_DEVICE = "Banc d'essai (scale)"


def _items(joined: str) -> list[str]:
    return joined.split("; ")


# Goal texts: a verb, an object, a context and a criterion; 30 × 40 × 25 × 20 = 600,000 different sentences.
VERBS = _items(
    "Lire; Écrire; Nommer; Identifier; Compter; Reconnaître; Résumer; Décrire; Comparer; Classer; Additionner; "
    "Soustraire; Demander; Exprimer; Attendre; Suivre; Ranger; Planifier; Vérifier; Repérer; Décoder; Prononcer; "
    "Copier; Utiliser; Choisir; Expliquer; Respecter; Partager; Terminer; Corriger"
)
OBJECTS = _items(
    "un texte de niveau 2; les sons complexes; des mots fréquents; une phrase complète; les nombres jusqu'à 100; "
    "les consignes écrites; son tour de parole; les émotions ressenties; une routine du matin; le matériel de "
    "classe; une question ouverte; les fractions simples; l'heure sur une horloge; un problème à deux étapes; les"
    " lettres de l'alphabet; la ponctuation; un court récit; les jours de la semaine; ses besoins; les règles du "
    "jeu; un plan de travail; les syllabes d'un mot; les accords du nom; la monnaie canadienne; un tableau de "
    "données; les mots-étiquettes; une carte géographique; les étapes d'une tâche; son nom complet; les formes "
    "géométriques; la date du jour; les verbes usuels; un pictogramme; les mesures de longueur; son agenda; un "
    "courriel simple; les familles de mots; un calendrier; une recette; les pièces de monnaie"
)
CONTEXTS = _items(
    "en classe; à voix haute; avec un pair; en petit groupe; lors de la récréation; avec un support visuel; sans "
    "aide; avec une aide verbale; pendant les transitions; au dîner; en sortie éducative; à l'ordinateur; avec un"
    " minuteur; en atelier; dans le corridor; à la bibliothèque; au gymnase; avec l'orthopédagogue; lors des "
    "travaux d'équipe; en début de journée; en fin de journée; à la maison; au service de garde; avec la "
    "technicienne; en autonomie"
)
CRITERIA = _items(
    "dans 4 essais sur 5; avec 80 % de réussite; en moins de 2 minutes; trois jours consécutifs; sans erreur; "
    "avec au plus 2 erreurs; dans 90 % des occasions; à chaque période; deux fois par semaine; pendant 10 "
    "minutes; d'ici la fin de l'étape; selon la grille d'observation; sur 3 observations; avec un rappel; avant "
    "juin; chaque matin; pendant 5 minutes; dans 3 situations sur 4; d'ici Noël; avec constance"
)
COMBINATIONS = len(VERBS) * len(OBJECTS) * len(CONTEXTS) * len(CRITERIA)
# Goal i of a teacher is sentence (teacher × A + i × STRIDE) mod COMBINATIONS: STRIDE is prime to COMBINATIONS,
# so a teacher's goals are all different sentences (the collection refuses the same text twice).
STRIDE = 7919
TAGS = ["lecture", "écriture", "autonomie", "comportement", "mathématiques", "communication", "routine"]
DOMAINS = ["lecture", "ecriture", "mathematiques", "communication", "autonomie"]
FIRST_NAMES = _items(
    "Léa; Noah; Emma; Liam; Chloé; William; Alice; Thomas; Florence; Jacob; Rosalie; Nathan; Béatrice; Félix; "
    "Juliette; Éloïse; Samuel; Charlie; Olivier; Mia; Zoé; Édouard; Maëlle; Loïc; Anaïs; Mathis; Océane; Raphaël;"
    " Justine; Hugo; Clémence; Arnaud; Inès; Gabriel; Lily; Jérémie; Camille; Benjamin; Ève; Antoine"
)
LAST_NAMES = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné"]
# Search queries as typed: beginnings of words, one to three of them (case and accents ignored).
QUERIES = _items(
    "lire; lir tex; ecri phrase; compt nombres; routine; emot; aide verbale; minut; group; mots frequents; "
    "classe; heure horl; fractions; pair; recit; monnaie; consignes ecrites; reussite; autonomie; ponctuation; "
    "son agenda; jeu; calend; decoder sons; trois jours"
)


SEEDED_TABLES = (
    "accounts", "subscriptions", "sessions", "activity", "goals", "learners", "learner_goals", "plans",
    "plan_goals", "progress_entries", "invoices",
)  # fmt: skip


@dataclass(frozen=True)
class Shape:
    """How much to seed, per teacher."""

    teachers: int = 10_000
    goals: int = 500
    learners: int = 30
    goals_per_learner: int = 5
    plans: int = 5  # learners with a plan (the first ones)
    objectives: int = 4  # per plan
    entries: int = 3  # progress entries per objective
    sessions: int = 3  # the bench's own (current), one earlier (the « previous sign-in »), one ended
    activity: int = 12
    invoices: int = 2

    def expected(self) -> dict[str, int]:
        return {
            "accounts": self.teachers,
            "goals": self.teachers * self.goals,
            "learners": self.teachers * self.learners,
            "learner_goals": self.teachers * self.learners * self.goals_per_learner,
            "plans": self.teachers * self.plans,
            "progress_entries": self.teachers * self.plans * self.objectives * self.entries,
        }


def token_of(teacher: int) -> str:
    """The bearer token of teacher ``teacher``'s current session (known only to benchmarks)."""
    return f"banqo-scale-{teacher}"


def _folded(words: list[str]) -> list[str]:
    return [fold(word) for word in words]


# --- Database ---------------------------------------------------------------------------------------------------


def ensure_database(url: str, *, drop: bool) -> None:
    """Create the database of ``url`` when absent (dropped first with ``drop``)."""
    parsed = make_url(url)
    name = parsed.database or ""
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if drop:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0 for table in Shape().expected()}


def _names_of(parameters: dict[str, Any], kind: type) -> re.Pattern[str]:
    """A pattern of the ``:name`` placeholders whose values are of ``kind``."""
    names = "|".join(name for name, value in parameters.items() if isinstance(value, kind))
    return re.compile(r"(?<![:\w]):(" + names + r")\b")


def _chunk(connection: Any, shape: Shape, first: int, last: int, password_hash: str) -> None:
    """Seed teachers ``first``..``last`` (numbers, inclusive): every table, set-based."""
    p: dict[str, Any] = {
        "t0": first,
        "t1": last,
        "goals": shape.goals,
        "learners": shape.learners,
        "per": shape.goals_per_learner,
        "plans": shape.plans,
        "objectives": shape.objectives,
        "entries": shape.entries,
        "stride": STRIDE,
        "combinations": COMBINATIONS,
        "nv": len(VERBS),
        "no": len(OBJECTS),
        "nx": len(CONTEXTS),
        "nk": len(CRITERIA),
        "verbs": VERBS,
        "objects": OBJECTS,
        "contexts": CONTEXTS,
        "criteria": CRITERIA,
        "fverbs": _folded(VERBS),
        "fobjects": _folded(OBJECTS),
        "fcontexts": _folded(CONTEXTS),
        "fcriteria": _folded(CRITERIA),
        "tags": TAGS,
        "ftags": _folded(TAGS),
        "domains": DOMAINS,
        "names": FIRST_NAMES,
        "fnames": _folded(FIRST_NAMES),
        "last_names": LAST_NAMES,
        "hash": password_hash,
        "device": TOKEN_DEVICE,
        "activity": shape.activity,
        "invoices": shape.invoices,
    }
    integers = _names_of(p, int)
    arrays = _names_of(p, list)

    def run(query: str) -> None:
        # Parameters typed: psycopg sends small numbers as smallint (generate_series refuses) and lists untyped.
        query = arrays.sub(r"CAST(:\1 AS text[])", integers.sub(r"CAST(:\1 AS integer)", query))
        connection.execute(text(query), p)

    run("""
        INSERT INTO accounts (id, email, password_hash, first_name, last_name, language, created_at, version)
        SELECT md5('a' || t), 'enseignant' || t || '@echelle.banqo.test', :hash,
               (:names)[1 + t % cardinality(:names)], (:last_names)[1 + t % cardinality(:last_names)],
               'fr-CA', timestamptz '2025-08-15 12:00+00' + t * interval '1 minute', 1
        FROM generate_series(:t0, :t1) t""")
    run("""
        INSERT INTO subscriptions (id, account_id, offer, state, started_at, trial_end, current_period_start,
                                   current_period_end, anchor, period_paid, cancel_at_period_end, failure_count,
                                   version)
        SELECT md5('sub' || t), md5('a' || t), 'monthly', 'active', timestamptz '2025-08-15 12:00+00',
               timestamptz '2025-09-15 12:00+00', now() - interval '10 days', now() + interval '20 days',
               timestamptz '2025-09-15 12:00+00', 1299, false, 0, 1
        FROM generate_series(:t0, :t1) t""")
    run("""
        INSERT INTO sessions (id, account_id, token_hash, device, created_at, last_used_at, expires_at, ended_at)
        SELECT md5('s' || t || '-' || j), md5('a' || t),
               CASE WHEN j = 0 THEN encode(sha256(convert_to('banqo-scale-' || t, 'UTF8')), 'hex')
                    ELSE encode(sha256(convert_to('old-' || t || '-' || j, 'UTF8')), 'hex') END,
               CASE WHEN j = 0 THEN :device ELSE 'Terminal (Linux)' END,
               now() - j * interval '3 days', now() - j * interval '3 days', now() + interval '80 days',
               CASE WHEN j >= 2 THEN now() - interval '5 days' END
        FROM generate_series(:t0, :t1) t, generate_series(0, 2) j""")
    run("""
        INSERT INTO activity (id, account_id, at, kind, device)
        SELECT md5('act' || t || '-' || j), md5('a' || t), now() - j * interval '7 hours',
               (ARRAY['signed_in', 'signed_out', 'password_changed', 'signed_in_new_device'])[1 + j % 4],
               'Terminal (Linux)'
        FROM generate_series(:t0, :t1) t, generate_series(1, :activity) j""")
    # Goals: the folded text is composed from the folded words, exactly as fold() of the whole sentence.
    run("""
        INSERT INTO goals (id, account_id, text, language, domain, tags, source_kind, search, same_key, version,
                           created_at, updated_at)
        SELECT md5('g' || t || '-' || i), md5('a' || t),
               s.sentence, 'fr', s.domain,
               CASE WHEN s.tag IS NULL THEN '[]'::json ELSE json_build_array((:tags)[s.tag]) END,
               'own',
               s.folded || CASE WHEN s.tag IS NULL THEN '' ELSE ' ' || (:ftags)[s.tag] END,
               encode(sha256(convert_to(s.folded, 'UTF8') || '\\x00'::bytea
                             || convert_to(coalesce(s.domain, ''), 'UTF8')), 'hex'),
               1, s.created_at, s.created_at
        FROM generate_series(:t0, :t1) t, generate_series(0, :goals - 1) i,
        LATERAL (SELECT (t::bigint * 104729 + i::bigint * :stride) % :combinations AS c) k,
        LATERAL (SELECT
            (:verbs)[1 + k.c % :nv] || ' ' || (:objects)[1 + (k.c / :nv) % :no] || ' '
                || (:contexts)[1 + (k.c / (:nv * :no)) % :nx] || ' '
                || (:criteria)[1 + (k.c / (:nv * :no * :nx)) % :nk] || '.' AS sentence,
            (:fverbs)[1 + k.c % :nv] || ' ' || (:fobjects)[1 + (k.c / :nv) % :no] || ' '
                || (:fcontexts)[1 + (k.c / (:nv * :no)) % :nx] || ' '
                || (:fcriteria)[1 + (k.c / (:nv * :no * :nx)) % :nk] AS folded,
            CASE WHEN i % 4 = 0 THEN NULL ELSE (:domains)[1 + (t + i) % cardinality(:domains)] END AS domain,
            CASE WHEN i % 3 = 0 THEN NULL ELSE 1 + (t * 3 + i) % cardinality(:tags) END AS tag,
            timestamptz '2025-09-01 12:00+00' + t * interval '1 second' + i * interval '3 hours' AS created_at
        ) s""")
    run("""
        INSERT INTO learners (id, account_id, first_name, name_key, version, created_at)
        SELECT md5('l' || t || '-' || j), md5('a' || t),
               (:names)[1 + (t + j) % cardinality(:names)]
                   || CASE WHEN j >= cardinality(:names) THEN ' ' || (j / cardinality(:names) + 1) ELSE '' END,
               (:fnames)[1 + (t + j) % cardinality(:names)]
                   || CASE WHEN j >= cardinality(:names) THEN ' ' || (j / cardinality(:names) + 1) ELSE '' END,
               1, timestamptz '2025-09-02 12:00+00' + t * interval '1 second' + j * interval '1 minute'
        FROM generate_series(:t0, :t1) t, generate_series(0, :learners - 1) j""")
    run("""
        INSERT INTO learner_goals (learner_id, goal_id, filed_at)
        SELECT md5('l' || t || '-' || j), md5('g' || t || '-' || ((j * 17 + k * 101) % :goals)),
               timestamptz '2025-09-03 12:00+00' + j * interval '1 hour' + k * interval '1 minute'
        FROM generate_series(:t0, :t1) t, generate_series(0, :learners - 1) j, generate_series(0, :per - 1) k""")
    # Plans for the first learners: review dates from a month overdue to three months ahead.
    run("""
        INSERT INTO plans (id, account_id, learner_id, kind, state, opened_on, review_due_on, participants,
                           strengths, needs, adaptations, modifications, version, created_at, updated_at)
        SELECT md5('p' || t || '-' || j), md5('a' || t), md5('l' || t || '-' || j),
               CASE WHEN j % 4 = 3 THEN 'transition' ELSE 'intervention' END,
               CASE WHEN j % 5 = 4 THEN 'closed' ELSE 'active' END,
               current_date - 60, current_date + ((t * 7 + j * 13) % 120 - 30),
               '[]', '[]', '[]', '[]', '[]', 1, now() - interval '60 days', now() - interval '60 days'
        FROM generate_series(:t0, :t1) t, generate_series(0, :plans - 1) j""")
    run("""
        INSERT INTO plan_goals (id, plan_id, account_id, lineage_id, goal_id, position, text, means,
                                responsible_roles, evaluation, criterion, unit, target, direction, status,
                                version, created_at, updated_at)
        SELECT md5('pg' || t || '-' || j || '-' || k), md5('p' || t || '-' || j), md5('a' || t),
               md5('lin' || t || '-' || j || '-' || k), md5('g' || t || '-' || ((j * 17 + k * 101) % :goals)),
               k, 'Objectif ' || (k + 1) || ' du plan', '[]', '[]', '', '', 'percent', 80, 'at_least', 'active',
               1, now() - interval '60 days', now() - interval '60 days'
        FROM generate_series(:t0, :t1) t, generate_series(0, :plans - 1) j,
             generate_series(0, :objectives - 1) k""")
    run("""
        INSERT INTO progress_entries (id, plan_goal_id, account_id, lineage_id, measured_on, value, note,
                                      created_at)
        SELECT md5('pe' || t || '-' || j || '-' || k || '-' || e), md5('pg' || t || '-' || j || '-' || k),
               md5('a' || t), md5('lin' || t || '-' || j || '-' || k), current_date - 50 + e * 14,
               40 + 10 * e, '', now() - interval '50 days' + e * interval '14 days'
        FROM generate_series(:t0, :t1) t, generate_series(0, :plans - 1) j,
             generate_series(0, :objectives - 1) k, generate_series(0, :entries - 1) e""")
    run("""
        INSERT INTO invoices (id, number, year, sequence, kind, account_id, issued_at, currency, seller_name,
                              seller_address, gst_number, qst_number, buyer_name, buyer_email, buyer_address,
                              billing_details, lines, subtotal, gst, qst, total, gst_rate, qst_rate, card_brand,
                              card_last4, processor_charge_id, paid_at)
        SELECT md5('inv' || t || '-' || n), 'BQ-2026-' || lpad((t * :invoices + n)::text, 7, '0'), 2026,
               t * :invoices + n, 'invoice', md5('a' || t), now() - (n + 1) * interval '30 days', 'CAD',
               'BanqO', '1 rue Principale, Québec', '', '', 'Enseignant ' || t,
               'enseignant' || t || '@echelle.banqo.test',
               '', '', '[]', 1299, 65, 130, 1494, '0.05', '0.09975', 'visa', '4242', 'ch-' || t || '-' || n,
               now() - (n + 1) * interval '30 days'
        FROM generate_series(:t0, :t1) t, generate_series(0, :invoices - 1) n""")


def seed(
    engine: Engine,
    shape: Shape,
    *,
    chunk: int = 200,
    log: Callable[[str], None] = print,
    argon2: tuple[int, int, int] | None = None,
) -> float:
    """Bring the database of ``engine`` to ``shape``: migrate, reuse when the counts match, else seed (the
    tables must then be empty). ``argon2``: the password hash's costs (time, memory, parallelism), the
    server's defaults unless given. Returns the seconds spent seeding (0 when reused)."""
    upgrade(engine)
    found = counts(engine)
    if found == shape.expected():
        log(f"reusing the seeded database: {found}")
        refresh_sessions(engine)
        return 0.0
    if any(found.values()):
        raise SystemExit(f"the database holds another seed ({found}); run again with --drop")
    from banqo_server.services.passwords import Passwords
    from banqo_server.settings import Settings

    if argon2 is None:
        defaults = Settings.from_env({})
        argon2 = (defaults.argon2_time_cost, defaults.argon2_memory_cost, defaults.argon2_parallelism)
    password_hash = Passwords(*argon2).hash(PASSWORD)
    started = time.perf_counter()
    for first in range(0, shape.teachers, chunk):
        last = min(first + chunk, shape.teachers) - 1
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL synchronous_commit = off"))
            _chunk(connection, shape, first, last, password_hash)
        elapsed = time.perf_counter() - started
        done = last + 1
        estimate = elapsed / done * shape.teachers
        log(f"  {done:>6} / {shape.teachers} teachers  {elapsed:7.1f} s  (about {estimate:.0f} s in all)")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM ANALYZE {', '.join(SEEDED_TABLES)}"))
    return time.perf_counter() - started


def refresh_sessions(engine: Engine) -> None:
    """The bench's sessions stay signed in however long ago the database was seeded."""
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE sessions SET last_used_at = now(), expires_at = now() + interval '80 days' WHERE device = :d"),
            {"d": TOKEN_DEVICE},
        )


def database_size(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))")) or "?"


# --- The queries' plans -----------------------------------------------------------------------------------------


@contextmanager
def captured_sql() -> Iterator[list[tuple[str, Any]]]:
    """Every statement any engine of this process sends while inside (DB-API form, with its parameters)."""
    seen: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", before)


def plan_of(engine: Engine, statement: str, parameters: Any, *, analyze: bool = False) -> dict[str, Any]:
    """PostgreSQL's plan of one captured statement (EXPLAIN … FORMAT JSON)."""
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    with engine.connect() as connection:
        row = connection.exec_driver_sql(f"EXPLAIN ({options}) {statement}", parameters).scalar()
        connection.rollback()
    return row[0]["Plan"]  # type: ignore[index,no-any-return]


def scans(plan: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(node type, table, index) of every scan node of a plan (a bitmap index scan names no table)."""
    if "Relation Name" in plan or "Index Name" in plan:
        yield plan["Node Type"], plan.get("Relation Name", ""), plan.get("Index Name", "")
    for child in plan.get("Plans", []):
        yield from scans(child)


def route_queries(app: Any, engine: Engine, teacher: int, path: str) -> list[tuple[str, Any]]:
    """The SELECT statements that answering ``path`` for ``teacher`` sends (through the in-process app)."""
    from fastapi.testclient import TestClient

    with TestClient(app) as client, captured_sql() as seen:
        response = client.get(path, headers={"Authorization": f"Bearer {token_of(teacher)}"})
        response.raise_for_status()
    return [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith("SELECT")]


# --- Measuring at the API ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def running_server(database_url: str, *, timeout: float = 60.0) -> Iterator[tuple[str, int]]:
    """``banqo-server serve`` on 127.0.0.1 against ``database_url``; yields its base URL and process id."""
    port = free_port()
    executable = Path(sys.executable).with_name("banqo-server")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "banqo_server.cli"]
    with tempfile.TemporaryDirectory(prefix="banqo-scale-") as data_dir:
        env = {**os.environ, "BANQO_DATABASE_URL": database_url, "BANQO_DATA_DIR": data_dir}
        process = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"banqo-server stopped: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("banqo-server did not answer in time")
                time.sleep(0.2)
            yield base, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@dataclass
class Figures:
    route: str
    latencies_ms: list[float]
    seconds: float
    errors: int
    server_cpu_ms: float = float("nan")  # the server process's CPU time per counted request

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p99(self) -> float:
        return self.quantile(0.99)

    @property
    def max(self) -> float:
        return max(self.latencies_ms, default=float("nan"))

    def line(self) -> str:
        rate = len(self.latencies_ms) / self.seconds if self.seconds else 0.0
        return (
            f"{self.route:<28} {len(self.latencies_ms):>6} requests  p50 {self.p50:6.1f} ms  p99 {self.p99:6.1f} ms"
            f"  max {self.max:7.1f} ms  {rate:6.1f} req/s  server CPU {self.server_cpu_ms:5.1f} ms/req"
            f"  errors {self.errors}"
        )


def measure(
    base: str,
    route: str,
    path_for: Callable[[random.Random], tuple[int, str]],
    *,
    requests: int,
    seconds: float,
    concurrency: int = 1,
    warmup: int = 20,
    seed_value: int = 8,
    pid: int | None = None,
) -> Figures:
    """``requests`` GETs (at most ``seconds``), ``concurrency`` at a time; the first ``warmup`` not counted.
    ``pid``: the server's process, whose CPU time per request is reported."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    budget = iter(range(requests))

    def worker(number: int) -> None:
        nonlocal errors
        chooser = random.Random(seed_value * 1000 + number)
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(warmup // concurrency + 1):
                teacher, path = path_for(chooser)
                client.get(path, headers={"Authorization": f"Bearer {token_of(teacher)}"})
            barrier.wait(timeout=120)
            stop = time.monotonic() + seconds
            while time.monotonic() < stop:
                with lock:
                    if next(budget, None) is None:
                        return
                teacher, path = path_for(chooser)
                started = time.perf_counter()
                response = client.get(path, headers={"Authorization": f"Bearer {token_of(teacher)}"})
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        errors += 1

    barrier = threading.Barrier(concurrency + 1)
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    cpu_before = cpu_seconds(pid) if pid else 0.0
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - started
    answered = len(latencies) + errors
    cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / answered if pid and answered else float("nan")
    return Figures(route, latencies, elapsed, errors, cpu_ms)


def summary_path(teachers: int) -> Callable[[random.Random], tuple[int, str]]:
    return lambda chooser: (chooser.randrange(teachers), "/api/v1/me/summary")


def search_path(teachers: int) -> Callable[[random.Random], tuple[int, str]]:
    def choose(chooser: random.Random) -> tuple[int, str]:
        return chooser.randrange(teachers), f"/api/v1/collection/goals?{httpx.QueryParams(q=chooser.choice(QUERIES))}"

    return choose


def measure_routes(
    database_url: str, teachers: int, *, requests: int, seconds: float, concurrency: int = 1
) -> list[Figures]:
    with running_server(database_url) as (base, pid):
        return [
            measure(base, route, path_for, requests=requests, seconds=seconds, concurrency=concurrency, pid=pid)
            for route, path_for in (
                ("GET /me/summary", summary_path(teachers)),
                ("GET /collection/goals?q=", search_path(teachers)),
            )
        ]


def explain(database_url: str, engine: Engine, teacher: int) -> None:
    """Print EXPLAIN ANALYZE of every SELECT of the résumé and of one search, for one teacher."""
    from banqo_server.app import create_app
    from banqo_server.settings import Settings

    with tempfile.TemporaryDirectory(prefix="banqo-scale-") as data_dir:
        environment = {"BANQO_DATABASE_URL": database_url, "BANQO_DATA_DIR": data_dir}
        # No billing run in this process: only the requests' statements are captured.
        settings = Settings.from_env({**environment, "BANQO_BILLING_INTERVAL_MINUTES": "0"})
        app = create_app(settings)
        for path in ("/api/v1/me/summary", "/api/v1/collection/goals?q=lir+tex"):
            print(f"\n== {path} (teacher {teacher})")
            for sql, params in route_queries(app, engine, teacher, path):
                plan = plan_of(engine, sql, params, analyze=True)
                used = ", ".join(
                    " ".join(part for part in (kind, table and f"on {table}", index and f"using {index}") if part)
                    for kind, table, index in scans(plan)
                )
                print(f"{plan['Actual Total Time']:8.3f} ms  {' '.join(sql.split())[:110]}\n             {used}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=os.environ.get("BANQO_SCALE_URL", DEFAULT_URL), help="the database")
    parser.add_argument("--teachers", type=int, default=Shape.teachers)
    parser.add_argument("--goals", type=int, default=Shape.goals, help="per teacher")
    parser.add_argument("--learners", type=int, default=Shape.learners, help="per teacher")
    parser.add_argument("--drop", action="store_true", help="drop the database and seed again")
    parser.add_argument("--seed-only", action="store_true", help="seed (or reuse), do not measure")
    parser.add_argument("--requests", type=int, default=2000, help="per route (default 2000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="at most, per route (default 60)")
    parser.add_argument("--concurrency", type=int, default=1, help="requests at a time (default 1)")
    parser.add_argument("--explain", action="store_true", help="print the plans of the résumé's and search's SQL")
    args = parser.parse_args(argv)
    shape = Shape(teachers=args.teachers, goals=args.goals, learners=args.learners)
    ensure_database(args.url, drop=args.drop)
    engine = create_engine(args.url)
    try:
        took = seed(engine, shape)
        if took:
            print(f"seeded {shape.expected()} in {took:.0f} s")
        print(f"database size: {database_size(engine)}")
        if args.explain:
            explain(args.url, engine, random.Random(1).randrange(shape.teachers))
        if args.seed_only:
            return 0
        refresh_sessions(engine)
    finally:
        engine.dispose()
    figures = measure_routes(
        args.url, shape.teachers, requests=args.requests, seconds=args.seconds, concurrency=args.concurrency
    )
    print(
        f"{shape.teachers} teachers × {shape.goals} goals, concurrency {args.concurrency}; bar: p99 < {BAR_MS:.0f} ms"
    )
    for figure in figures:
        print(figure.line())
    return 0 if all(figure.p99 < BAR_MS for figure in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
