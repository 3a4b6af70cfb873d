"""« Confidentialité »: everything of an account in one zip (Law 25's portability), and deleting the account.

Every query here names the account in its WHERE clause: nothing of another account can slip into an export
or be touched by a deletion.
"""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from banqo_server.i18n import _
from banqo_server.models import (
    Account,
    AccountSession,
    Goal,
    Learner,
    LearnerGoal,
    SignInThrottle,
    SupportMessage,
)
from banqo_server.services import activity, auth, exchange, photos, plans, security
from banqo_server.services.errors import InvalidInput, NotFound
from banqo_server.services.passwords import Passwords, normalise_email
from banqo_server.settings import Settings
from banqo_tui.api.models import ActivityKind

log = logging.getLogger("banqo_server.privacy")

#: An export stays in memory up to this size, then spills to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024
SESSIONS_PAGE = 200
PHOTO_FILE = "photo.jpg"

# Bilingual by design (French, then English): one file for whoever opens the archive, whatever the language
# the export was asked in. So it is not translated through gettext.
README = """\
# Vos données BanqO

Cette archive contient toutes les données de votre compte BanqO, telles qu'elles étaient au moment de
l'exportation. Les fichiers .json sont en JSON (UTF-8), lisibles par tout éditeur de texte et par les
tableurs et outils de programmation. Toutes les dates sont en temps universel (UTC), au format ISO 8601
(par exemple 2026-11-02T14:00:00+00:00).

- `profile.json` : votre profil — nom, courriel, téléphone, adresse postale, langue, consentement aux
  courriels promotionnels et sa date, date de création du compte, validation en deux étapes (activée ou
  non) et renseignements sur la photo de profil. Votre mot de passe, vos secrets de connexion en deux
  étapes et vos codes de récupération n'y sont jamais : BanqO ne conserve que des empreintes qui ne
  servent à rien hors du serveur.
- `collection.json` : votre collection d'objectifs, dans le format d'échange ouvert de BanqO
  (« banqo-goals », version 1). Ce fichier peut être importé tel quel dans BanqO. Pour chaque objectif,
  « learners » donne les prénoms des élèves sous lesquels il est classé.
- `learners.json` : vos élèves — identifiant, prénom, date d'ajout et identifiants de leurs objectifs.
- `plans.json` : vos plans d'intervention et vos annexes de transition, chacun tel qu'il est
  maintenant : participants, forces, besoins, adaptations et modifications, objectifs (moyens,
  responsables, échéance, évaluation, critère) avec leurs mesures de progrès, et révisions avec leurs
  décisions. « lineage_id » suit un objectif d'une révision et d'une année à l'autre.
- `plan-snapshots.json` : chaque révision avec le plan tel qu'il était au moment de la révision (ces
  instantanés ne changent jamais).
- `subscription.json` : votre abonnement (offre, état, période en cours, prochain prélèvement) et la carte
  enregistrée telle que le processeur de paiement l'a décrite (marque, quatre derniers chiffres,
  expiration) : BanqO n'a jamais le numéro de la carte.
- `invoices.json` : vos factures et avoirs, tels qu'émis, montants en cents (CAD).
- `activity.json` : le journal d'activité de votre compte (connexions, changements de sécurité…), du
  plus récent au plus ancien. Il ne contient jamais le texte de vos objectifs.
- `sessions.json` : les appareils connectés à votre compte : nom de l'appareil, date de connexion,
  dernière utilisation et date d'expiration.
- `support_messages.json` : les messages que vous avez écrits au soutien, et s'ils ont été envoyés.
- `photo.jpg` : votre photo de profil, s'il y en a une (JPEG, sans métadonnées).

# Your BanqO data

This archive holds all the data of your BanqO account, as it stood when it was exported. The .json files
are JSON (UTF-8), readable with any text editor and by spreadsheets and programming tools. Every date is
in Coordinated Universal Time (UTC), in ISO 8601 form (for example 2026-11-02T14:00:00+00:00).

- `profile.json`: your profile — name, email, phone, postal address, language, consent to promotional
  email and when it was given or withdrawn, when the account was created, two-factor sign-in (on or off)
  and facts about the profile photo. Your password, two-factor secrets and recovery codes are never in
  it: BanqO keeps only digests of them, useless outside the server.
- `collection.json`: your collection of goals, in BanqO's open exchange format ("banqo-goals",
  version 1). The file can be imported into BanqO as it is. For each goal, "learners" lists the first
  names of the learners it is filed under.
- `learners.json`: your learners — id, first name, when they were added, and the ids of their goals.
- `plans.json`: your intervention plans and transition annexes, each as it stands now: participants,
  strengths, needs, adaptations and modifications, objectives (means, who is responsible, deadline,
  evaluation, criterion) with their progress entries, and reviews with their decisions. "lineage_id"
  follows an objective from one review and one year to the next.
- `plan-snapshots.json`: every review with the plan as it stood when the review was held (these
  snapshots never change).
- `subscription.json`: your subscription (offer, state, current period, next charge) and the card on file
  as the payment processor described it (brand, last four digits, expiry): BanqO never has the card number.
- `invoices.json`: your invoices and credit notes, as issued, amounts in cents (CAD).
- `activity.json`: your account's activity log (sign-ins, security changes…), newest first. It never
  holds the text of your goals.
- `sessions.json`: the devices signed in to your account: device name, when it signed in, when it was
  last used and when the session expires.
- `support_messages.json`: the messages you wrote to support, and whether they were sent.
- `photo.jpg`: your profile photo, when there is one (JPEG, without metadata).
"""


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _json(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def _profile(account: Account) -> dict[str, Any]:
    photo = None
    if account.photo_name:
        photo = {
            "file": PHOTO_FILE,
            "content_type": "image/jpeg",
            "width": account.photo_width,
            "height": account.photo_height,
            "size": account.photo_size,
            "updated_at": _when(account.photo_updated_at),
        }
    # Chosen field by field: the password hash, TOTP secrets and recovery codes never leave the server.
    return {
        "id": account.id,
        "email": account.email,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "phone": account.phone,
        "address": {
            "street": account.address_street,
            "city": account.address_city,
            "province": account.address_province,
            "postal_code": account.address_postal_code,
        },
        "language": account.language,
        "promotional_email": account.promotional_email,
        "promotional_email_changed_at": _when(account.promotional_email_changed_at),
        "created_at": _when(account.created_at),
        "two_factor": account.totp_secret is not None,
        "photo": photo,
    }


def _learners(db: Session, account_id: str) -> list[dict[str, Any]]:
    rows = list(
        db.scalars(select(Learner).where(Learner.account_id == account_id).order_by(Learner.created_at, Learner.id))
    )
    goal_ids: dict[str, list[str]] = {row.id: [] for row in rows}
    links = (
        select(LearnerGoal.learner_id, LearnerGoal.goal_id)
        .join(Learner, Learner.id == LearnerGoal.learner_id)
        .join(Goal, Goal.id == LearnerGoal.goal_id)
        .where(Learner.account_id == account_id, Goal.account_id == account_id, Goal.deleted_at.is_(None))
        .order_by(LearnerGoal.filed_at, LearnerGoal.goal_id)
    )
    for learner_id, goal_id in db.execute(links):
        goal_ids[learner_id].append(goal_id)
    return [
        {"id": row.id, "first_name": row.first_name, "created_at": _when(row.created_at), "goal_ids": goal_ids[row.id]}
        for row in rows
    ]


def _sessions(db: Session, settings: Settings, account_id: str) -> list[dict[str, Any]]:
    found: list[AccountSession] = []
    cursor: str | None = None
    while True:
        rows, cursor = auth.active_sessions(db, settings, account_id, limit=SESSIONS_PAGE, cursor=cursor)
        found += rows
        if cursor is None:
            break
    return [
        {
            "device": row.device,
            "created_at": _when(row.created_at),
            "last_used_at": _when(row.last_used_at),
            "expires_at": _when(row.expires_at),
        }
        for row in found
    ]


def _messages_of(account: Account) -> Any:
    """The account's support messages: written signed in, or from its email address."""
    return or_(SupportMessage.account_id == account.id, SupportMessage.from_email == account.email)


def _support_messages(db: Session, account: Account) -> list[dict[str, Any]]:
    rows = db.scalars(
        select(SupportMessage).where(_messages_of(account)).order_by(SupportMessage.created_at, SupportMessage.id)
    )
    return [
        {
            "id": row.id,
            "from": row.from_email,
            "subject": row.subject,
            "message": row.message,
            "language": row.language,
            "created_at": _when(row.created_at),
            "sent_at": _when(row.sent_at),
        }
        for row in rows
    ]


def _subscription(db: Session, settings: Settings, account_id: str) -> dict[str, Any]:
    from banqo_server.services import billing
    from banqo_server.services.billing_views import card_view, subscription_view

    subscription = subscription_view(settings, billing.subscription_of(db, settings, account_id))
    card = card_view(settings, billing.card_of(db, account_id))
    return {
        "subscription": subscription.model_dump(mode="json"),
        "card": card.model_dump(mode="json") if card else None,
    }


def _invoices(db: Session, account_id: str) -> list[dict[str, Any]]:
    from banqo_server.models import Invoice
    from banqo_server.services.billing_views import invoice_view

    statement = select(Invoice).where(Invoice.account_id == account_id)
    rows = db.scalars(statement.order_by(Invoice.issued_at, Invoice.number))
    return [invoice_view(db, row).model_dump(mode="json") for row in rows]


@dataclass
class Export:
    """A finished archive: ``file`` is positioned at its start and holds ``size`` bytes; close it when sent."""

    file: IO[bytes]
    size: int
    filename: str


def export(db: Session, settings: Settings, session: AccountSession) -> Export:
    """Build the account's archive (files listed in ``README``), then record DATA_EXPORTED; commits."""
    now = settings.now()
    account = session.account
    stamp = (now.year, now.month, now.day, now.hour, now.minute, now.second)
    plan_documents, plan_snapshots = plans.export_all(db, account.id, now)
    files: list[tuple[str, bytes]] = [
        ("README.md", README.encode()),
        ("profile.json", _json(_profile(account))),
        ("collection.json", exchange.export_json(db, account.id, now)),
        ("learners.json", _json(_learners(db, account.id))),
        ("plans.json", _json(plan_documents)),
        ("plan-snapshots.json", _json(plan_snapshots)),
        ("subscription.json", _json(_subscription(db, settings, account.id))),
        ("invoices.json", _json(_invoices(db, account.id))),
        (
            "activity.json",
            _json(
                [
                    {"at": _when(entry.at), "kind": entry.kind, "device": entry.device}
                    for entry in activity.every_entry(db, account.id)
                ]
            ),
        ),
        ("sessions.json", _json(_sessions(db, settings, account.id))),
        ("support_messages.json", _json(_support_messages(db, account))),
    ]
    if account.photo_name:
        try:
            files.append((PHOTO_FILE, photos.read(settings, account.photo_name)))
        except NotFound:
            log.warning("the photo file of an account is missing from %s", settings.photos_dir)

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in files:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o600 << 16
                archive.writestr(info, content)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    activity.record(db, account.id, ActivityKind.DATA_EXPORTED, now, session.device)
    db.commit()
    return Export(file=spool, size=size, filename=f"banqo-export-{now:%Y-%m-%d}.zip")


def _confirmation_matches(confirmation: str, email: str) -> bool:
    return normalise_email(confirmation) == normalise_email(email)


def delete_account(
    db: Session, settings: Settings, passwords: Passwords, session: AccountSession, *, password: str, confirmation: str
) -> None:
    """Delete the account and everything of it, once its password and its email typed again are right.

    A wrong password counts as a failed sign-in of the account's email (so it is throttled like one).
    Commits; then removes the photo file.
    """
    account = session.account
    errors: dict[str, list[str]] = {}
    right = security.password_is_right(
        db, settings, passwords, account, password, field="password", device=session.device
    )
    if not right:
        errors["password"] = [security.wrong_password_message()]
    if not _confirmation_matches(confirmation, account.email):
        errors["confirmation"] = [_("Tapez votre adresse courriel exactement pour confirmer.")]
    if errors:
        raise InvalidInput(errors)

    account_id, email, photo_name = account.id, account.email, account.photo_name
    db.execute(delete(SupportMessage).where(_messages_of(account)))
    plans.delete_all(db, account_id)
    # Rate-limit counters keyed by the email or the account id (« email:… », « support-from:… »…).
    db.execute(
        delete(SignInThrottle).where(
            or_(
                SignInThrottle.key.endswith(f":{email}", autoescape=True),
                SignInThrottle.key.endswith(f":{account_id}", autoescape=True),
            )
        )
    )
    # Invoices and charge attempts stay (ON DELETE SET NULL): tax law requires the seller to keep its invoices,
    # as issued, for six years (the privacy page says so). ON DELETE CASCADE in the schema removes sessions,
    # activity, goals, learners and their links, recovery codes, password resets, the subscription and the
    # card on file with the account row (the plans went above, explicitly).
    db.execute(delete(Account).where(Account.id == account_id).execution_options(synchronize_session=False))
    db.commit()
    db.expunge_all()

    photos.remove_file(settings, photo_name)
    log.info("an account was deleted")
