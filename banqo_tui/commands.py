"""The app's actions declared once, as data: they feed the key bindings, the command palette and the help.

Descriptions are French source strings marked with ``N_``; they are translated when an app or a screen is
built (``translate_bindings``), so that the language chosen at start-up (or in a test) is the one shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.binding import Binding, BindingsMap
from textual.command import DiscoveryHit, Hit, Hits, Provider

from banqo_tui.i18n import N_, _

if TYPE_CHECKING:
    from textual.dom import DOMNode


@dataclass(frozen=True)
class AppAction:
    """One global action: its binding id, default key, footer description and palette text."""

    id: str
    key: str
    action: str
    description: str
    palette: str
    palette_help: str
    #: Only offered while a teacher is signed in.
    signed_in_only: bool = False
    #: Listed in the command palette (the palette's own key is not).
    in_palette: bool = True
    #: Shown in the footer (80 columns hold five or six keys; F1 lists them all).
    show: bool = True


ACTIONS: tuple[AppAction, ...] = (
    AppAction(
        "banqo.help",
        "f1",
        "help",
        N_("Aide"),
        N_("Aide"),
        N_("Les touches de cet écran et les touches globales"),
    ),
    AppAction(
        "banqo.summary",
        "f2",
        "summary",
        N_("Votre résumé"),
        N_("Aller à Votre résumé"),
        N_("L'activité de votre compte en un coup d'œil"),
        signed_in_only=True,
    ),
    AppAction(
        "banqo.settings",
        "f3",
        "settings",
        N_("Mes paramètres"),
        N_("Ouvrir Mes paramètres"),
        N_("Profil, sécurité, inscription, paiement, factures, confidentialité, préférences"),
        signed_in_only=True,
    ),
    AppAction(
        "banqo.collection",
        "f5",
        "collection",
        N_("Ma collection"),
        N_("Aller à Ma collection"),
        N_("Vos objectifs et la banque : chercher, saisir, modifier"),
        signed_in_only=True,
    ),
    AppAction(
        "banqo.learners",
        "f6",
        "learners",
        N_("Élèves"),
        N_("Aller à Élèves"),
        N_("Vos élèves (prénom seulement) et leurs objectifs"),
        signed_in_only=True,
    ),
    AppAction(
        "banqo.plans",
        "f7",
        "plans",
        N_("Plans"),
        N_("Aller à Plans"),
        N_("Les plans d'intervention et de transition de vos élèves"),
        signed_in_only=True,
    ),
    AppAction(
        "banqo.messages",
        "f4",
        "messages",
        N_("Messages"),
        N_("Voir les messages"),
        N_("Les avis et les erreurs de cette séance"),
        show=False,
    ),
    AppAction(
        "banqo.support",
        "f9",
        "support",
        N_("Nous joindre"),
        N_("Des questions? Contactez-nous!"),
        N_("Écrire à l'équipe de BanqO : question, problème, suggestion"),
        show=False,
    ),
    AppAction(
        "banqo.privacy",
        "f10",
        "privacy",
        N_("Politique de confidentialité"),
        N_("Politique de confidentialité"),
        N_("Ce que BanqO garde, pourquoi, combien de temps, et vos droits"),
        show=False,
    ),
    AppAction(
        "banqo.sign_out",
        "ctrl+o",
        "sign_out",
        N_("Se déconnecter"),
        N_("Se déconnecter"),
        N_("Fermer la session sur ce serveur et oublier le jeton"),
        signed_in_only=True,
    ),
    AppAction(
        "banqo.palette",
        "ctrl+p",
        "command_palette",
        N_("Commandes"),
        N_("Commandes"),
        N_("Chercher une commande par son nom"),
        in_palette=False,
        show=False,
    ),
    AppAction("banqo.quit", "ctrl+q", "quit", N_("Quitter"), N_("Quitter BanqO"), N_("Fermer l'application")),
)

ACTIONS_BY_NAME: dict[str, AppAction] = {action.action: action for action in ACTIONS}


def app_bindings() -> list[Binding]:
    """The global bindings, from the action table (descriptions untranslated: see ``translate_bindings``)."""
    return [
        Binding(
            action.key,
            action.action,
            action.description,
            show=action.show,
            id=action.id,
            priority=True,
            key_display=action.key.upper() if action.key.startswith("f") else None,
        )
        for action in ACTIONS
    ]


_KEY_NAMES = {
    "escape": N_("Échap"),
    "enter": N_("Entrée"),
    "tab": N_("Tab"),
    "space": N_("Espace"),
    "delete": N_("Suppr"),
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}


def key_label(key: str) -> str:
    """A key as people read it: ``ctrl+o`` → « Ctrl+O », ``f1`` → « F1 », ``escape`` → « Échap »."""
    parts = key.split(",")[0].split("+")
    named: list[str] = []
    for part in parts:
        if part == "ctrl":
            named.append("Ctrl")
        elif part == "shift":
            named.append(_("Maj"))
        elif part == "alt":
            named.append("Alt")
        elif part in _KEY_NAMES:
            named.append(_(_KEY_NAMES[part]))
        elif len(part) <= 3:
            named.append(part.upper())
        else:
            named.append(part.capitalize())
    return "+".join(named)


def translate_bindings(node: DOMNode, order: list[str] | None = None) -> None:
    """Translate the descriptions of ``node``'s bindings now, in the current language.

    ``order`` lists keys to put first (the footer shows bindings in this order).

    Textual reads ``BINDINGS`` at class creation; translating per instance lets one process switch language
    (tests) and keeps the French source strings in the class for extraction.
    """
    translated: dict[str, list[Binding]] = {}
    for key, bindings in node._bindings.key_to_bindings.items():
        translated[key] = [
            replace(
                binding,
                description=_(binding.description) if binding.description else "",
                tooltip=_(binding.tooltip) if binding.tooltip else "",
            )
            for binding in bindings
        ]
    if order:
        rank = {key: index for index, key in enumerate(order)}
        translated = dict(sorted(translated.items(), key=lambda item: rank.get(item[0], len(rank))))
    node._bindings = BindingsMap.from_keys(translated)


def screen_keys(node: DOMNode) -> list[tuple[str, str]]:
    """(key, description) of the bindings BanqO's own classes declare for ``node``, in the current language.

    Textual's built-in bindings (focus next, copy…) are left out: the help lists them in its own words.
    """
    keys: list[tuple[str, str]] = []
    seen: set[str] = set()
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("banqo_tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if (
                not isinstance(binding, Binding)
                or not binding.description
                or binding.action in ACTIONS_BY_NAME
            ):
                continue
            if binding.key in seen:
                continue
            seen.add(binding.key)
            keys.append((binding.key_display or key_label(binding.key), _(binding.description)))
    return keys


def global_keys(app: object) -> list[tuple[str, str, str]]:
    """(key, description, palette help) of every global action, with the keys the app really uses.

    Signed out, the actions that need a session are left out (their keys may mean something else then:
    F5 and F6 switch the sign-in screen's forms).
    """
    bindings_by_id = {}
    node_bindings = getattr(app, "_bindings", None)
    if node_bindings is not None:
        for key, bindings in node_bindings.key_to_bindings.items():
            for binding in bindings:
                if binding.id:
                    bindings_by_id[binding.id] = key
    signed_in = getattr(app, "signed_in", True)
    return [
        (key_label(bindings_by_id.get(action.id, action.key)), _(action.description), _(action.palette_help))
        for action in ACTIONS
        if signed_in or not action.signed_in_only
    ]


class _ListedCommands(Provider):
    """A palette provider over a list of (text, help, callback) made by ``_commands``."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for text, help_text, callback in self._commands():
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, callback in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)


class BanqoCommands(_ListedCommands):
    """The command palette's entries for the actions of the table, in the interface's language."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        commands = []
        for action in ACTIONS:
            if not action.in_palette:
                continue
            if not self.app.check_action(action.action, ()):
                continue
            help_text = f"{_(action.palette_help)} ({key_label(action.key)})"
            commands.append((_(action.palette), help_text, partial(self.app.run_action, action.action)))
        return commands



#: Keys whose action only makes sense where the focus is: not offered in the palette.
_CONTEXT_KEYS = frozenset({"tab", "shift+tab", "escape", "enter", "up", "down", "left", "right", "delete"})


class ScreenCommands(_ListedCommands):
    """The palette's entries for the keys of the screen it was opened from (« Nouvel objectif (N) »), those the
    screen allows now; a screen lists it in its ``COMMANDS``."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        screen = self.screen
        commands: list[tuple[str, str, Callable[[], Any]]] = []
        seen: set[str] = set()
        for cls in type(screen).__mro__:
            if not cls.__module__.startswith("banqo_tui."):
                continue
            for binding in cls.__dict__.get("BINDINGS", []):
                if (
                    not isinstance(binding, Binding)
                    or not binding.description
                    or binding.key in _CONTEXT_KEYS
                    or binding.action in seen
                ):
                    continue
                seen.add(binding.action)
                name, _separator, arguments = binding.action.partition("(")
                parameters = tuple(
                    part.strip().strip("'\"") for part in arguments.rstrip(")").split(",") if part.strip()
                )
                if screen.check_action(name, parameters) is False:
                    continue
                key = binding.key_display or key_label(binding.key)
                commands.append(
                    (_(binding.description), _("Touche : {key}").format(key=key),
                     partial(screen.run_action, binding.action))
                )
        return commands
