"""The outbox: goals typed but not saved yet, kept on disk until the server has them.

A goal is written here *before* it is sent, with an idempotency key (uuid4 hex): a goal typed while the
server is unreachable is never lost, survives a restart of the app, and is created once however often it is
retried (the server answers the goal of the first attempt that reached it). The file is JSON in the app's
data folder, one per server and account (another teacher signing in on this computer never sends mine),
written atomically (a temporary file renamed over it) and readable by its owner only.

No Textual here; the app runs ``deliver_all`` in a worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from banqo_tui.api import errors

if TYPE_CHECKING:
    from banqo_tui.api.client import BanqoClient
    from banqo_tui.api.models import Goal, Learner

log = logging.getLogger(__name__)

FOLDER = "outbox"
FORMAT_VERSION = 1
#: The keyword arguments of ``client.collection.create`` an entry may hold.
GOAL_FIELDS = frozenset(
    {"text", "catalogue_id", "language", "domain", "tags", "condition", "behaviour", "criterion", "measure"}
)
FIRST_DELAY = 1.0
MAX_DELAY = 60.0


@dataclass(frozen=True)
class PendingGoal:
    """A goal waiting to be sent: the fields of the create call, the learners to file it under by name."""

    key: str
    fields: dict[str, Any]
    learner_names: tuple[str, ...] = ()
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: The server's reasons when it refused the goal: kept (never dropped) until the teacher takes it back.
    refused: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return str(self.fields.get("text") or "")

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "fields": self.fields,
            "learner_names": list(self.learner_names),
            "created_at": self.created_at.isoformat(),
            "refused": list(self.refused),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PendingGoal:
        return cls(
            key=str(data["key"]),
            fields={name: value for name, value in dict(data["fields"]).items() if name in GOAL_FIELDS},
            learner_names=tuple(str(name) for name in data.get("learner_names", [])),
            created_at=datetime.fromisoformat(data["created_at"]),
            refused=tuple(str(reason) for reason in data.get("refused", [])),
        )


def outbox_path(data_dir: Path, server: str, email: str) -> Path:
    """The outbox file of one account on one server (named by a hash: no email in a file name)."""
    digest = hashlib.sha256(f"{server}\x00{email.casefold()}".encode()).hexdigest()[:24]
    return data_dir / FOLDER / f"{digest}.json"


class Outbox:
    """The durable queue of one account's unsent goals, oldest first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: Keys being sent right now (memory only): the background sender leaves them alone.
        self.in_flight: set[str] = set()
        #: Held while a goal is sent: one at a time, in order, so that two goals naming the same new learner
        #: do not both create it (the second would become « Léa 2 »).
        self.sending = asyncio.Lock()
        self._entries: list[PendingGoal] = []
        with self._locked():
            self._entries = self._read()

    @classmethod
    def for_account(cls, data_dir: Path, server: str, email: str) -> Outbox:
        return cls(outbox_path(data_dir, server, email))

    # --- reading ----------------------------------------------------------------------------

    def pending(self) -> list[PendingGoal]:
        """The goals still to send, oldest first."""
        return [entry for entry in self._entries if not entry.refused]

    def refused(self) -> list[PendingGoal]:
        """The goals the server refused (their reasons in ``refused``), waiting for the teacher."""
        return [entry for entry in self._entries if entry.refused]

    def __len__(self) -> int:
        return len(self.pending())

    def get(self, key: str) -> PendingGoal | None:
        return next((entry for entry in self._entries if entry.key == key), None)

    # --- changing ---------------------------------------------------------------------------

    def add(
        self, fields: dict[str, Any], learner_names: Sequence[str] = (), *, now: datetime | None = None
    ) -> PendingGoal:
        """Keep a goal to send (on disk before this returns) under a new idempotency key."""
        unknown = set(fields) - GOAL_FIELDS
        if unknown:
            raise ValueError(f"not goal fields: {sorted(unknown)}")
        entry = PendingGoal(
            key=uuid.uuid4().hex,
            fields=dict(fields),
            learner_names=tuple(learner_names),
            created_at=now or datetime.now(UTC),
        )
        self._update(lambda entries: [*entries, entry])
        return entry

    def done(self, key: str) -> None:
        """The server has the goal (or the teacher took it back): forget it."""
        self.in_flight.discard(key)
        self._update(lambda entries: [entry for entry in entries if entry.key != key])

    def refuse(self, key: str, reasons: Sequence[str]) -> None:
        """The server refused the goal: keep it with the reasons, and stop sending it."""
        self.in_flight.discard(key)
        kept = tuple(reasons) or ("?",)

        def change(entries: list[PendingGoal]) -> list[PendingGoal]:
            return [
                PendingGoal(entry.key, entry.fields, entry.learner_names, entry.created_at, kept)
                if entry.key == key
                else entry
                for entry in entries
            ]

        self._update(change)

    # --- the file ---------------------------------------------------------------------------

    def _update(self, change: Callable[[list[PendingGoal]], list[PendingGoal]]) -> None:
        # Read again under the lock: another run of the app on this account may have changed the file.
        with self._locked():
            entries = change(self._read())
            self._write(entries)
            self._entries = entries

    def _read(self) -> list[PendingGoal]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        try:
            data = json.loads(raw)
            return [PendingGoal.from_json(item) for item in data["goals"]]
        except (ValueError, KeyError, TypeError) as exc:
            # Never drop what a teacher typed: the damaged file is set aside for someone to read.
            aside = self.path.with_name(f"{self.path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}")
            log.error("outbox %s cannot be read (%r); kept as %s", self.path, exc, aside)
            with contextlib.suppress(OSError):
                os.replace(self.path, aside)
            return []

    def _write(self, entries: list[PendingGoal]) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            folder.chmod(0o700)
        body = json.dumps(
            {"format_version": FORMAT_VERSION, "goals": [entry.to_json() for entry in entries]},
            ensure_ascii=False,
            indent=1,
        )
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".outbox-", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                os.chmod(temporary, 0o600)
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """An advisory lock between runs of the app (where the system has one)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: one run at a time is assumed
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            self.path.parent.chmod(0o700)
        descriptor = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)


# --- sending ----------------------------------------------------------------------------------

#: Failures after which the same request may succeed later.
TRANSIENT = (errors.ServerUnreachable, errors.ServerError, errors.TooManyRequests)


async def deliver(
    client: BanqoClient, entry: PendingGoal, learners: Sequence[Learner] | None = None
) -> tuple[Goal, list[Learner]]:
    """Send one goal: create the learners it names that do not exist yet, then the goal (once, by its key).

    Returns the goal and the learners created. ``learners`` is what the caller knows; the server's list is
    read again before creating one, so that a learner made by an earlier attempt is not made twice.
    """
    from banqo_tui.quick_entry import find_learner

    created: list[Learner] = []
    learner_ids: list[str] = []
    if entry.learner_names:
        known = list(learners) if learners is not None else await client.learners.list()
        if learners is not None and any(find_learner(name, known) is None for name in entry.learner_names):
            known = await client.learners.list()
        for index, name in enumerate(entry.learner_names):
            learner = find_learner(name, known)
            if learner is None:  # a key made from the entry's: every attempt asks for the same learner
                learner = await client.learners.create(name, f"{entry.key}-learner-{index}")
                known.append(learner)
                created.append(learner)
            learner_ids.append(learner.id)
    goal = await client.collection.create(**entry.fields, learner_ids=learner_ids, idempotency_key=entry.key)
    return goal, created


def refusal_reasons(exc: errors.ApiError) -> list[str]:
    """The server's reasons, one sentence each."""
    reasons = [message for messages in exc.errors.values() for message in messages]
    return reasons or [exc.message]


async def deliver_all(
    outbox: Outbox,
    client: BanqoClient,
    *,
    on_sent: Callable[[PendingGoal, Goal, list[Learner]], None],
    on_refused: Callable[[PendingGoal, list[str]], None],
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    first_delay: float = FIRST_DELAY,
    max_delay: float = MAX_DELAY,
) -> None:
    """Send every pending goal, oldest first; while the server is unreachable, wait and try again, each wait
    twice the last (``first_delay`` … ``max_delay``). Returns when the outbox is empty.

    A goal the server refuses is kept aside with its reasons (``on_refused``); a session that ended raises
    ``NotSignedIn`` (the goals wait for the next sign-in).
    """
    delay = first_delay
    while True:
        entries = [entry for entry in outbox.pending() if entry.key not in outbox.in_flight]
        if not entries:
            if not outbox.in_flight:
                return
            await sleep(min(delay, 1.0))  # another sender has one in hand: see how it went
            continue
        wait: float | None = None
        for entry in entries:
            if entry.key in outbox.in_flight or outbox.get(entry.key) is None:
                continue  # taken, or sent, by the quick-entry line meanwhile
            outbox.in_flight.add(entry.key)
            try:
                async with outbox.sending:
                    goal, created = await deliver(client, entry)
            except TRANSIENT as exc:
                outbox.in_flight.discard(entry.key)
                retry_after = getattr(exc, "retry_after", None)
                wait = max(delay, float(retry_after)) if retry_after else delay
                break
            except errors.NotSignedIn:
                outbox.in_flight.discard(entry.key)
                raise
            except errors.ApiError as exc:
                reasons = refusal_reasons(exc)
                outbox.refuse(entry.key, reasons)
                on_refused(entry, reasons)
                continue
            except BaseException:
                outbox.in_flight.discard(entry.key)
                raise
            outbox.done(entry.key)
            delay = first_delay
            on_sent(entry, goal, created)
        if wait is not None:
            await sleep(wait)
            delay = min(delay * 2, max_delay)
