"""The account in line mode: ``summary``, ``subscription``, ``invoices``, ``profile``, ``support``, ``login`` and
``logout`` — the words of « Votre résumé », « Mes paramètres » and « Des questions? Contactez-nous! »."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from banqo_tui import server_calendar
from banqo_tui.api import errors
from banqo_tui.i18n import _, format_date, format_number
from banqo_tui.line.session import (
    EXIT_INVALID,
    EXIT_NOT_SIGNED_IN,
    EXIT_OK,
    LineModeError,
    LineSession,
    field_error_lines,
    labelled,
    resolve,
    short_id,
    write_error,
)

if TYPE_CHECKING:
    from banqo_tui.api.client import BanqoClient
    from banqo_tui.api.models import Invoice, Profile

#: How many times a two-step code is asked before giving up.
TOTP_ATTEMPTS = 3


# --- « Votre résumé » ------------------------------------------------------------------------------


async def summary(session: LineSession, args: argparse.Namespace) -> int:
    """The greeting, the counts, the plans to review, the subscription, the last sign-in, the recent activity."""
    from banqo_tui.screens.summary import (
        COUNT_LABELS,
        activity_sentence,
        moment,
        plan_due_line,
        subscription_sentences,
    )

    client = await session.signed_in()
    found = await client.me.summary()
    if args.json:
        session.print_json(found.model_dump(mode="json"))
        return EXIT_OK
    name = f"{found.first_name} {found.last_name}".strip()
    lines = [_("Bonjour, {name}").format(name=name)]
    lines += [labelled(_(label), format_number(getattr(found.counts, attr))) for attr, label in COUNT_LABELS]
    if found.plans_to_review:
        lines += ["", _("Plans à réviser")]
        today = server_calendar.today(client.time_zone)
        lines += [f"{short_id(plan.id)}  {plan_due_line(plan, today)}" for plan in found.plans_to_review]
    sentences = subscription_sentences(found)
    if sentences:
        lines += ["", _("Abonnement"), *sentences]
    last = found.last_sign_in
    lines.append("")
    if last is None:
        lines.append(_("Dernière connexion : Première connexion"))
    else:
        lines.append(_("Dernière connexion : {date}, {device}").format(date=moment(last.at), device=last.device))
    lines += ["", _("Activité récente")]
    lines += [
        "• {date} — {what}{device}".format(
            date=moment(entry.at),
            what=activity_sentence(entry.kind),
            device=f" ({entry.device})" if entry.device else "",
        )
        for entry in found.recent_activity
    ] or [_("Aucune activité récente.")]
    session.say(*lines)
    return EXIT_OK


# --- « Inscription », « Méthode de paiement » ---------------------------------------------------------


async def subscription(session: LineSession, args: argparse.Namespace) -> int:
    """The state in words, the offers, the rules, the billing details and the card, as « Inscription » says them."""
    from banqo_tui.screens.settings_enrolment import offer_line, rules, state_text, subscription_lines
    from banqo_tui.screens.settings_payment import card_text, card_warning

    client = await session.signed_in()
    current = await client.subscription.get()
    offers = await client.subscription.offers()
    payment = await client.payment_method.get()
    if args.json:
        session.print_json({
            "subscription": current.model_dump(mode="json"),
            "offers": offers.model_dump(mode="json"),
            "payment_method": payment.model_dump(mode="json"),
        })
        return EXIT_OK
    state = str(current.state)
    lines = [state_text(current, offers)]
    if state == "not_billed":
        session.say(*lines)
        return EXIT_OK
    lines += subscription_lines(current, offers)
    if state == "past_due":
        lines.append(_("Remplacez la carte dans « Méthode de paiement » : BanqO réessaiera le paiement tout de suite."))
    lines += ["", _("Offres")]
    for offer in offers.items:
        if str(offer.interval) == "trial":
            continue
        line = "• " + offer_line(offer)
        if offer.id == current.offer and state != "trial":
            line += " " + _("(actuelle)")
        elif offer.id == current.pending_offer:
            line += " " + _("(prévue)")
        lines.append(line)
    lines += ["", _("Les règles"), *(f"• {rule}" for rule in rules(offers))]
    if current.billing_details:
        lines += ["", _("Renseignements de facturation : {details}").format(details=current.billing_details)]
    lines += ["", _("Méthode de paiement"), card_text(payment.card)]
    warning = card_warning(payment.card)
    if warning:
        lines.append(warning)
    session.say(*lines)
    return EXIT_OK


# --- « Factures » ---------------------------------------------------------------------------------


def invoice_line(invoice: Invoice) -> str:
    """« 3f2a9c1b  2 nov. 2026 — F-2026-0001 — 10,35 $ — Payée »."""
    from banqo_tui.screens.settings_enrolment import money
    from banqo_tui.screens.settings_invoices import status_text

    parts = (format_date(invoice.issued_at, "medium"), invoice.number, money(invoice.total), status_text(invoice))
    return f"{short_id(invoice.id)}  " + " — ".join(parts)


async def _find_invoice(client: BanqoClient, wanted: str) -> Invoice:
    """The invoice with this number, or whose id begins with ``wanted`` (exit code 5 otherwise)."""
    invoices = await client.invoices.list()
    for invoice in invoices:
        if invoice.number.casefold() == wanted.strip().casefold():
            return invoice
    unknown = _("Aucune facture « {id} » dans ce compte.").format(id=wanted)
    return resolve(wanted, invoices, lambda invoice: invoice.id, lambda invoice: invoice.number, unknown)


async def invoices(session: LineSession, args: argparse.Namespace) -> int:
    from banqo_tui.screens.settings_invoices import invoice_detail

    client = await session.signed_in()
    if args.action == "list":
        found = await client.invoices.list()
        if args.json:
            session.print_models(found)
        else:
            session.say(*(invoice_line(invoice) for invoice in found))
        return EXIT_OK
    invoice = await _find_invoice(client, args.invoice_id)
    if args.action == "show":
        if args.json:
            session.print_json(invoice.model_dump(mode="json"))
        else:
            session.say(*invoice_detail(invoice).splitlines())
        return EXIT_OK
    target = Path(args.output)
    try:
        await client.invoices.download_pdf(invoice.id, target)
    except OSError as exc:
        raise write_error(target, exc) from None
    session.say(_("Facture enregistrée : {path}").format(path=target))
    return EXIT_OK


# --- « Profil » -----------------------------------------------------------------------------------

#: ``profile set`` field → the ``ProfilePatch`` field, or the part of ``address``.
ADDRESS_FIELDS = ("street", "city", "province", "postal_code")


def _province_name(code: str) -> str:
    from banqo_tui.screens.settings_profile import PROVINCES

    names = dict(PROVINCES)
    return f"{_(names[code])} ({code})" if code in names else code


def _province_code(typed: str) -> str:
    """« QC », « qc », « Québec » or « quebec » → ``QC``; anything else as typed (the server says why)."""
    from banqo_tui.api.models import fold
    from banqo_tui.screens.settings_profile import PROVINCES

    for code, name in PROVINCES:
        if fold(typed) in {fold(code), fold(name), fold(_(name))}:
            return code
    return typed


def profile_lines(profile: Profile) -> list[str]:
    """The contact details in « Profil »'s order, then the photo in words."""
    from banqo_tui.screens.settings_profile import photo_alternative

    address = profile.address
    return [
        labelled(_("Prénom"), profile.first_name),
        labelled(_("Nom"), profile.last_name),
        labelled(_("Courriel"), profile.email),
        labelled(_("Téléphone"), profile.phone),
        labelled(_("Adresse"), address.street),
        labelled(_("Ville"), address.city),
        labelled(_("Province"), _province_name(address.province)),
        labelled(_("Code postal"), address.postal_code),
        photo_alternative(profile.photo),
    ]


async def profile(session: LineSession, args: argparse.Namespace) -> int:
    client = await session.signed_in()
    current = await client.me.profile()
    if args.action == "show":
        if args.json:
            session.print_json(current.model_dump(mode="json"))
        else:
            session.say(*profile_lines(current))
        return EXIT_OK
    value = " ".join(args.value).strip()
    changes: dict[str, Any] = {}
    if args.field in ADDRESS_FIELDS:
        address = current.address.model_dump()
        address[args.field] = _province_code(value) if args.field == "province" else value
        changes["address"] = address
    else:
        changes[args.field] = value
    if args.field == "email":
        # Changing the email asks for the password, as « Profil » does.
        changes["current_password"] = (
            session.read_line() if args.password_stdin else session.ask_secret(_("Mot de passe actuel"))
        )
    changed = await client.me.update_profile(current.version, **changes)
    session.say(_("Coordonnées enregistrées."), *profile_lines(changed))
    return EXIT_OK


# --- « Des questions? Contactez-nous! » -------------------------------------------------------------


async def support(session: LineSession, args: argparse.Namespace) -> int:
    """Sent signed in or not; from the signed-in account's email unless ``--from`` says another (signed out, the
    server asks for one)."""
    message = session.stdin.read() if args.message == "-" else args.message
    if args.sender is None:
        # Signed in, an empty sender is the account's email (the server fills it in).
        with contextlib.suppress(LineModeError):
            await session.signed_in()
    client = await session.client()
    from banqo_tui.api.client import new_idempotency_key

    await client.support.send(
        from_=(args.sender or "").strip(),
        subject=args.subject.strip(),
        message=message,
        idempotency_key=new_idempotency_key(),  # the client may send it again when the connection drops
    )
    session.say(_("Message envoyé. Nous vous répondrons sous peu."))
    return EXIT_OK


# --- signing in and out ---------------------------------------------------------------------------


def _no_keyring() -> LineModeError:
    return LineModeError(
        _(
            "Aucun trousseau de clés utilisable sur cet ordinateur : une session ne peut pas y être gardée d'une "
            "commande à l'autre. Ouvrez « banqo shell » et connectez-vous dans le shell (login) : la session y "
            "dure jusqu'à sa fermeture."
        ),
        EXIT_NOT_SIGNED_IN,
    )


def _required(field: str) -> LineModeError:
    return LineModeError("\n".join(field_error_lines({field: [_("Ce champ est obligatoire.")]})), EXIT_INVALID)


async def login(session: LineSession, args: argparse.Namespace) -> int:
    """Email, password (never an argument: asked without echo, or read from stdin), and the two-step code when
    the account asks for it. The token goes to the keyring; in the shell, to its memory when there is none."""
    from banqo_tui.screens.login import server_description

    store, server = session.credentials, session.server
    email = (args.email or session.ask_field(_("Courriel"), store.last_email(server))).strip()
    if not email:
        raise _required("email")
    if not session.in_shell:
        await store.load(email, server)  # tries the keyring once: no password is asked for nothing
        if store.available is False:
            raise _no_keyring()
    password = session.read_line() if args.password_stdin else session.ask_secret(_("Mot de passe"))
    if not password:
        raise _required("password")
    client = await session.client()
    totp = args.totp
    for attempt in range(1, TOTP_ATTEMPTS + 1):
        try:
            answer = await client.sessions.sign_in(email=email, password=password, device=session.device, totp=totp)
            break
        except errors.InvalidCredentials as exc:
            if "totp" not in exc.errors or args.totp or attempt == TOTP_ATTEMPTS:
                raise
            session.warn(" ".join(exc.errors["totp"]))
            totp = session.ask_field(_("Code de validation")) or None
    email = answer.account.email
    saved = await store.save(email, server, answer.token)
    store.remember_email(server, email)
    if not saved and not session.in_shell:
        # Nothing can keep the token past this command: the session is ended rather than left open unused.
        await store.delete(email, server)
        await client.sessions.sign_out()
        raise _no_keyring()
    session.email = email
    name = f"{answer.account.first_name} {answer.account.last_name}".strip()
    session.say(_("Connecté : {name} ({email}), serveur : {server}.").format(
        name=name, email=email, server=server_description(server)
    ))
    if not saved:
        session.say(_("Aucun trousseau de clés utilisable sur cet ordinateur : cette session durera jusqu'à la "
                      "fermeture du shell."))
    return EXIT_OK


async def logout(session: LineSession, args: argparse.Namespace) -> int:
    """The session ends on the server and its token is forgotten here (said even when there was none)."""
    store, server = session.credentials, session.server
    email = session.email or store.last_email(server)
    client = await session.client()
    if not client.token and email:
        client.token = await store.load(email, server)
    if client.token:
        try:
            await client.sessions.sign_out()
        except errors.NotSignedIn:
            pass  # already ended on the server
        except errors.BanqoError as exc:
            session.warn(_("Le serveur n'a pas confirmé la fin de la session : {reason}").format(reason=exc.message))
    if email:
        await store.delete(email, server)
    session.email = None
    session.say(_("Vous êtes déconnecté."))
    return EXIT_OK
