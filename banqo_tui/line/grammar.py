"""The commands of line mode, declared on an argparse parser: ``banqo`` itself, and ``banqo shell`` (the same
grammar without the leading ``banqo``).

Imported while the main parser is built, before the first screen: nothing here but argparse and gettext.
"""

from __future__ import annotations

import argparse
from typing import Any

from banqo_tui.i18n import _

#: ``plans list --state``: the API's states (the help says them in words).
PLAN_STATES = ("draft", "active", "review", "closed")
#: ``plans new --kind``: the API's kinds of plan.
PLAN_KINDS = ("intervention", "transition")
#: ``profile set``: the contact details « Profil » edits, by the name typed.
PROFILE_FIELDS = ("first_name", "last_name", "email", "phone", "street", "city", "province", "postal_code")


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("écrire du JSON plutôt que des lignes"))


def _actions(parser: argparse.ArgumentParser) -> Any:
    return parser.add_subparsers(dest="action", required=True, metavar=_("ACTION"))


def add_line_commands(subparsers: Any, *, in_shell: bool = False) -> None:
    """Every command of line mode on ``subparsers``; ``banqo shell`` itself only outside the shell."""
    _summary(subparsers)
    _goals(subparsers)
    _learners(subparsers)
    _plans(subparsers)
    _invoices(subparsers)
    _subscription(subparsers)
    _profile(subparsers)
    _support(subparsers)
    _session(subparsers)
    if not in_shell:
        subparsers.add_parser(
            "shell", help=_("lire les commandes ligne par ligne (historique, Tab pour compléter), en une session")
        )


def _summary(subparsers: Any) -> None:
    summary = subparsers.add_parser(
        "summary", help=_("« Votre résumé » : les nombres, l'abonnement, les plans à réviser")
    )
    _json_option(summary)


def _goal_id_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "goal_id", metavar=_("ID"), help=_("l'identifiant de l'objectif (ses premiers caractères suffisent)")
    )


def _plan_id_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan_id", metavar=_("ID"), help=_("l'identifiant du plan (ses premiers caractères suffisent)"))


def _goals(subparsers: Any) -> None:
    goals = subparsers.add_parser("goals", help=_("objectifs de « Ma collection », en mode ligne"))
    actions = _actions(goals)
    add = actions.add_parser(
        "add",
        help=_("ajouter un objectif (#étiquette, @domaine et +Prénom comme dans la saisie rapide)"),
    )
    add.add_argument("text", metavar=_("TEXTE"), nargs="*", help=_("l'objectif"))
    add.add_argument(
        "--catalogue", metavar=_("ID"), help=_("ajouter plutôt cet objectif de la banque (voir search --catalogue)")
    )
    listing = actions.add_parser("list", help=_("lister les objectifs de la collection"))
    listing.add_argument("--domain", metavar=_("DOMAINE"), help=_("seulement ce domaine"))
    listing.add_argument("--tag", metavar=_("ÉTIQUETTE"), help=_("seulement cette étiquette"))
    search = actions.add_parser("search", help=_("chercher dans la collection (ou la banque)"))
    search.add_argument("query", metavar=_("MOTS"), nargs="+", help=_("le début de chaque mot cherché"))
    search.add_argument("--catalogue", action="store_true", help=_("chercher dans la banque d'objectifs"))
    edit = actions.add_parser("edit", help=_("modifier un objectif : son texte, son domaine, ses étiquettes"))
    _goal_id_argument(edit)
    edit.add_argument("text", metavar=_("TEXTE"), nargs="*", help=_("le nouveau texte"))
    edit.add_argument("--domain", metavar=_("DOMAINE"), help=_("le nouveau domaine (\"\" : aucun)"))
    edit.add_argument(
        "--tag", metavar=_("ÉTIQUETTE"), action="append",
        help=_("une étiquette; répétée, elles remplacent toutes les autres (\"\" : aucune)"),
    )
    remove = actions.add_parser("rm", help=_("supprimer un objectif (restore l'annule pendant 10 minutes)"))
    _goal_id_argument(remove)
    restore = actions.add_parser("restore", help=_("rétablir un objectif supprimé il y a moins de 10 minutes"))
    restore.add_argument("goal_id", metavar=_("ID"), help=_("l'identifiant complet, donné par rm"))
    export = actions.add_parser("export", help=_("exporter la collection (format d'échange JSON ou CSV)"))
    export.add_argument("--format", choices=["json", "csv"], default="json", help=_("format du fichier"))
    export.add_argument("-o", "--output", metavar=_("FICHIER"), required=True, help=_("fichier à écrire"))
    imported = actions.add_parser(
        "import", help=_("importer un fichier au format d'échange (rien n'est importé si une ligne est refusée)")
    )
    imported.add_argument("file", metavar=_("FICHIER"), help=_("fichier JSON ou CSV"))
    imported.add_argument("--dry-run", action="store_true", help=_("vérifier et compter sans importer"))
    for parser in (add, listing, search, edit, restore, imported):
        _json_option(parser)


def _learner_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("learner", metavar=_("ÉLÈVE"), nargs="+", help=_("le prénom de l'élève, ou son identifiant"))


def _learners(subparsers: Any) -> None:
    learners = subparsers.add_parser("learners", help=_("élèves et leur dossier d'objectifs"))
    actions = _actions(learners)
    listing = actions.add_parser("list", help=_("lister les élèves"))
    add = actions.add_parser("add", help=_("ajouter un élève (prénom seulement)"))
    add.add_argument("first_name", metavar=_("PRÉNOM"), nargs="+", help=_("le prénom"))
    rename = actions.add_parser("rename", help=_("renommer un élève"))
    rename.add_argument("learner", metavar=_("ÉLÈVE"), help=_("le prénom de l'élève, ou son identifiant"))
    rename.add_argument("first_name", metavar=_("PRÉNOM"), nargs="+", help=_("le nouveau prénom"))
    remove = actions.add_parser("rm", help=_("supprimer un élève, son dossier et ses plans"))
    _learner_argument(remove)
    remove.add_argument("--yes", action="store_true", help=_("ne pas demander de confirmation"))
    show = actions.add_parser("show", help=_("les objectifs du dossier d'un élève, et ses plans"))
    _learner_argument(show)
    for parser in (listing, add, rename, show):
        _json_option(parser)


def _plans(subparsers: Any) -> None:
    plans = subparsers.add_parser("plans", help=_("plans d'intervention et plans de transition, en mode ligne"))
    actions = _actions(plans)
    listing = actions.add_parser("list", help=_("lister les plans, les plus récents d'abord"))
    listing.add_argument("--learner", metavar=_("ÉLÈVE"), help=_("seulement les plans de cet élève"))
    listing.add_argument(
        "--state", choices=PLAN_STATES,
        help=_("seulement cet état : draft (brouillon), active (en cours), review (en révision), closed (fermé)"),
    )
    new = actions.add_parser("new", help=_("un nouveau plan pour un élève, avec les objectifs de son dossier"))
    _learner_argument(new)
    new.add_argument(
        "--kind", choices=PLAN_KINDS, default=PLAN_KINDS[0],
        help=_("intervention (par défaut) ou transition (l'annexe de son plan d'intervention ouvert)"),
    )
    new.add_argument(
        "--goal", metavar=_("ID"), action="append",
        help=_("seulement cet objectif de son dossier (ses premiers caractères suffisent); répétée, dans cet ordre"),
    )
    show = actions.add_parser("show", help=_("le plan en entier, section par section"))
    _plan_id_argument(show)
    show.add_argument(
        "--review", metavar=_("RÉVISION"), help=_("l'instantané de cette révision plutôt que le plan actuel")
    )
    export = actions.add_parser(
        "export", help=_("exporter un plan pour la rencontre (PDF ou DOCX à signer, ou Markdown)")
    )
    _plan_id_argument(export)
    export.add_argument("--format", choices=["pdf", "docx", "md"], default="pdf", help=_("format du fichier"))
    export.add_argument("-o", "--output", metavar=_("FICHIER"), required=True, help=_("fichier à écrire"))
    export.add_argument(
        "--review", metavar=_("RÉVISION"), help=_("exporter l'instantané de cette révision plutôt que le plan actuel")
    )
    progress = actions.add_parser("progress", help=_("noter une mesure d'un objectif du plan, dans son unité"))
    _plan_id_argument(progress)
    progress.add_argument(
        "objective", metavar=_("OBJECTIF"),
        help=_("le numéro de l'objectif, comme plans show les numérote, ou le début de son identifiant"),
    )
    progress.add_argument(
        "value", metavar=_("VALEUR"), nargs="+",
        help=_("la mesure dans l'unité de l'objectif : 80, 2,5, 3 sur 4 (ou 3/4)"),
    )
    progress.add_argument("--date", metavar=_("DATE"), help=_("AAAA-MM-JJ ou JJ/MM/AAAA (par défaut : aujourd'hui)"))
    progress.add_argument("--note", metavar=_("TEXTE"), help=_("une note sur cette mesure"))
    for parser in (listing, new, show, progress):
        _json_option(parser)


def _invoices(subparsers: Any) -> None:
    invoices = subparsers.add_parser("invoices", help=_("factures et avoirs"))
    actions = _actions(invoices)
    listing = actions.add_parser("list", help=_("lister les factures, les plus récentes d'abord"))
    show = actions.add_parser("show", help=_("une facture en entier"))
    download = actions.add_parser("download", help=_("enregistrer le PDF d'une facture"))
    for parser in (show, download):
        parser.add_argument("invoice_id", metavar=_("ID"), help=_("l'identifiant de la facture, ou son numéro"))
    download.add_argument("-o", "--output", metavar=_("FICHIER"), required=True, help=_("fichier à écrire"))
    for parser in (listing, show):
        _json_option(parser)


def _subscription(subparsers: Any) -> None:
    subscription = subparsers.add_parser("subscription", help=_("l'abonnement, les offres et la carte"))
    actions = _actions(subscription)
    _json_option(actions.add_parser("show", help=_("l'état de l'abonnement, les offres, les règles et la carte")))


def _profile(subparsers: Any) -> None:
    profile = subparsers.add_parser("profile", help=_("vos coordonnées"))
    actions = _actions(profile)
    _json_option(actions.add_parser("show", help=_("vos coordonnées")))
    change = actions.add_parser("set", help=_("changer une coordonnée"))
    change.add_argument("field", choices=PROFILE_FIELDS, metavar=_("CHAMP"),
                        help=_("un de : {fields}").format(fields=", ".join(PROFILE_FIELDS)))
    change.add_argument("value", metavar=_("VALEUR"), nargs="+", help=_("la nouvelle valeur (\"\" : l'effacer)"))
    change.add_argument(
        "--password-stdin", action="store_true",
        help=_("lire le mot de passe actuel (demandé pour changer de courriel) sur l'entrée standard"),
    )


def _support(subparsers: Any) -> None:
    support = subparsers.add_parser("support", help=_("écrire à l'équipe de BanqO"))
    actions = _actions(support)
    send = actions.add_parser("send", help=_("envoyer un message (connecté ou non)"))
    send.add_argument("--subject", metavar=_("OBJET"), required=True, help=_("l'objet du message"))
    send.add_argument(
        "--message", metavar=_("MESSAGE"), required=True, help=_("le message (- : le lire sur l'entrée standard)")
    )
    send.add_argument("--from", dest="sender", metavar=_("COURRIEL"),
                      help=_("votre courriel (par défaut, celui du compte connecté)"))


def _session(subparsers: Any) -> None:
    login = subparsers.add_parser("login", help=_("se connecter (le mot de passe est demandé, jamais en argument)"))
    login.add_argument("--email", metavar=_("COURRIEL"), help=_("le courriel du compte"))
    login.add_argument(
        "--password-stdin", action="store_true", help=_("lire le mot de passe sur l'entrée standard (scripts)")
    )
    login.add_argument("--totp", metavar=_("CODE"), help=_("le code de validation en deux étapes, s'il est demandé"))
    subparsers.add_parser("logout", help=_("se déconnecter : la session prend fin et son jeton est oublié"))
