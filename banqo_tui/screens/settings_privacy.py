"""« Mes paramètres », tab « Confidentialité »: promotional email, export of all data, the security log, deletion.

Every part says in words what it shows (no state in colour alone): the consent's answer and the date it was
given, the export's progress as « 35 % — 120 ko sur 340 ko », one line per security event.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Footer, Input, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from banqo_tui.api import errors
from banqo_tui.i18n import N_, _, format_date, format_number
from banqo_tui.screens.dialogs import Dialog
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.choice_list import ChoiceList
from banqo_tui.widgets.field import Field
from banqo_tui.widgets.toggles import MarkedCheckbox

if TYPE_CHECKING:
    from banqo_tui.api.client import ProgressCallback
    from banqo_tui.api.models import Activity, Profile
    from banqo_tui.app import BanqoApp


def size_text(count: int) -> str:
    """A number of bytes as people read it: « 120 ko », « 3,4 Mo »."""
    if count < 1_000_000:
        return _("{number} ko").format(number=format_number(math.ceil(count / 1000)))
    return _("{number} Mo").format(number=format_number(round(count / 1_000_000, 1)))


def progress_text(done: int, total: int | None) -> str:
    """« 35 % — 120 ko sur 340 ko », or « 120 ko reçus » when the size is not known."""
    if not total:
        return _("{done} reçus").format(done=size_text(done))
    percent = min(100, done * 100 // total)
    return _("{percent} % — {done} sur {total}").format(
        percent=format_number(percent), done=size_text(done), total=size_text(total)
    )


async def save_with_progress(
    bar: ProgressBar,
    say: Callable[..., None],
    fetch: Callable[[ProgressCallback], Awaitable[int]],
    destination: Path,
) -> bool:
    """Run ``fetch`` (a download into ``destination``), moving ``bar`` and saying the progress in words through
    ``say(text, problem=False)`` at most once per percent; False, said, when the file cannot be written."""
    bar.update(total=None, progress=0)
    bar.add_class("-running")
    last_percent = -1

    def progress(done: int, total: int | None) -> None:
        nonlocal last_percent
        if total:
            bar.update(total=total, progress=done)
            percent = done * 100 // total
            if percent == last_percent:
                return
            last_percent = percent
        say(progress_text(done, total))

    try:
        await fetch(progress)
    except OSError as exc:
        say(
            _("Le fichier n'a pas pu être enregistré dans {folder} : {reason}").format(
                folder=destination.parent, reason=exc.strerror or exc
            ),
            problem=True,
        )
        return False
    finally:
        bar.remove_class("-running")
    return True


def consent_text(profile: Profile) -> str:
    """When the promotional-email choice was made, in words (the box itself says which it is)."""
    changed = profile.promotional_email_changed_at
    if changed is None:
        return _("Jamais accepté") if not profile.promotional_email else _("Accepté")
    return _("Choix fait le {date}").format(date=format_date(changed, "medium"))


def activity_line(entry: Activity) -> str:
    """« 2 nov. 2026, 09 h 00 — Connexion — Terminal de test »: date, what happened, device."""
    from banqo_tui.screens.summary import activity_sentence, moment

    parts = [moment(entry.at), activity_sentence(entry.kind)]
    if entry.device:
        parts.append(entry.device)
    return " — ".join(parts)


class ConsentCheckbox(MarkedCheckbox):
    """A checkbox whose box is empty when off and holds an X when on: the state is not in colour alone."""


class DeleteAccountDialog(Dialog):
    """What deleting the account means, then its password and its email typed again; answers True once done."""

    BINDINGS = [Binding("escape", "cancel", N_("Annuler"), id="delete_account.cancel")]

    def __init__(self) -> None:
        super().__init__(id="delete-account-dialog")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("Supprimer mon compte"), classes="dialog--title")
            yield Static(
                _(
                    "Tout ce qui appartient au compte sera effacé : la collection d'objectifs, les élèves, "
                    "les plans, la photo, les messages au soutien et le journal. Toutes les sessions prendront "
                    "fin, sur tous les appareils. On ne peut pas revenir en arrière : exportez d'abord vos "
                    "données pour les garder. Les factures, elles, sont gardées six ans, telles qu'émises, comme la "
                    "loi fiscale l'exige."
                ),
                classes="dialog--text",
                markup=False,
            )
            yield Static(
                _("Pour confirmer, tapez votre mot de passe et votre adresse courriel."),
                classes="dialog--text",
                markup=False,
            )
            yield Field(_("Mot de passe"), "password", password=True, id="delete-password", max_length=512)
            yield Field(
                _("Votre courriel"),
                "confirmation",
                id="delete-confirmation",
                max_length=320,
                placeholder=_("Tapez votre adresse courriel pour confirmer"),
            )
            with Horizontal(classes="dialog--actions"):
                yield ActionButton(_("Annuler"), id="delete-no")
                yield ActionButton(_("Supprimer définitivement"), id="delete-yes")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#delete-password", Field).focus_input()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter goes from the password to the email, and deletes from the email."""
        event.stop()
        if event.input is self.query_one("#delete-password", Field).input:
            self.query_one("#delete-confirmation", Field).focus_input()
        else:
            self.submit()

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "delete-yes":
            self.submit()
        else:
            self.dismiss(False)

    def submit(self) -> None:
        for field in self.query(Field):
            field.clear_error()
        password = self.query_one("#delete-password", Field).value
        confirmation = self.query_one("#delete-confirmation", Field).value.strip()
        self._delete(password, confirmation)

    @work(group="delete-account", exclusive=True, exit_on_error=False)
    async def _delete(self, password: str, confirmation: str) -> None:
        client = await self.banqo.api()
        await client.me.delete_account(password, confirmation)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class PrivacyPane(VerticalScroll):
    """The « Confidentialité » tab, by keyboard: Tab goes from one part to the next."""

    DEFAULT_CSS = """
    PrivacyPane {
        height: 1fr;
    }
    PrivacyPane .privacy--text {
        margin-bottom: 1;
    }
    PrivacyPane .section-title {
        margin-top: 0;
    }
    PrivacyPane ActionButton {
        margin-bottom: 1;
    }
    PrivacyPane Checkbox {
        width: 100%;
    }
    PrivacyPane .privacy--status {
        margin-bottom: 1;
        color: $text-muted;
    }
    PrivacyPane .privacy--status.-problem {
        color: $text-error;
        text-style: bold;
    }
    PrivacyPane #export-progress {
        display: none;
    }
    PrivacyPane #export-progress.-running {
        display: block;
    }
    PrivacyPane #security-log {
        height: auto;
        max-height: 10;
        margin-bottom: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The promotional-email choice as the server last said it: the box goes back to it on a failure.
        self._consent_saved = False

    @property
    def banqo(self) -> BanqoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(
            _("BanqO garde le moins de renseignements possible, et n'en vend ni n'en donne à personne."),
            classes="privacy--text",
            markup=False,
        )
        yield ActionButton(_("Lire la politique de confidentialité"), id="privacy-read-policy")

        yield Static(_("Courriels promotionnels"), classes="section-title")
        yield ConsentCheckbox(
            _("Recevoir les nouvelles et promotions de BanqO par courriel"),
            False,
            id="promotional-email",
            compact=True,
        )
        yield Static(_("Chargement…"), id="promotional-email-status", classes="privacy--status", markup=False)

        yield Static(_("Exporter mes données"), classes="section-title")
        yield Static(
            _(
                "Tout ce que votre compte contient, dans une archive zip de fichiers JSON, avec un fichier "
                "README qui les décrit."
            ),
            classes="privacy--text",
            markup=False,
        )
        yield ActionButton(_("Exporter mes données…"), id="privacy-export")
        # Screen-reader mode: no moving bar; the line under it says the same in words.
        yield ProgressBar(total=None, show_bar=not self.banqo.accessible, show_eta=False, id="export-progress")
        yield Static("", id="export-status", classes="privacy--status", markup=False)

        yield Static(_("Journal de sécurité"), classes="section-title")
        yield Static(
            _("Les connexions et les changements de sécurité du compte, les plus récents en premier."),
            classes="privacy--text",
            markup=False,
        )
        yield ChoiceList(id="security-log")

        yield Static(_("Supprimer mon compte"), classes="section-title")
        yield Static(
            _("Efface le compte et tout ce qu'il contient. On ne peut pas revenir en arrière."),
            classes="privacy--text",
            markup=False,
        )
        yield ActionButton(_("Supprimer mon compte…"), id="privacy-delete")

    def on_mount(self) -> None:
        self.load()

    # --- loading ---------------------------------------------------------------------------------

    @work(group="privacy-load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        """Fetch the consent and the security log."""
        client = await self.banqo.api()
        self.show_profile(await client.me.profile())
        self.show_activity(await client.me.activity())

    @work(group="privacy-activity", exclusive=True, exit_on_error=False)
    async def reload_activity(self) -> None:
        client = await self.banqo.api()
        self.show_activity(await client.me.activity())

    def show_profile(self, profile: Profile) -> None:
        self._consent_saved = profile.promotional_email
        self._set_consent_box(profile.promotional_email)
        self._consent_status(consent_text(profile))

    def _set_consent_box(self, value: bool) -> None:
        box = self.query_one(ConsentCheckbox)
        with box.prevent(Checkbox.Changed):
            box.value = value

    def show_activity(self, entries: list[Activity]) -> None:
        log = self.query_one("#security-log", ChoiceList)
        highlighted = log.highlighted
        newest_first = sorted(entries, key=lambda entry: entry.at, reverse=True)
        if newest_first:
            log.set_options([Option(Content(activity_line(entry))) for entry in newest_first])
            log.highlighted = min(highlighted or 0, len(newest_first) - 1)
        else:
            log.set_options([Option(Content(_("Aucun événement pour l'instant.")), disabled=True)])

    # --- promotional email -----------------------------------------------------------------------

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._consent_status(_("Enregistrement…"))
        self._save_consent(event.value)

    @work(group="privacy-consent", exclusive=True, exit_on_error=False)
    async def _save_consent(self, wanted: bool) -> None:
        client = await self.banqo.api()
        profile = await client.me.profile()
        self.show_profile(await client.me.update_profile(profile.version, promotional_email=wanted))
        self.reload_activity()

    def _consent_status(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one("#promotional-email-status", Static)
        status.update(text)
        status.set_class(problem, "-problem")

    # --- export ----------------------------------------------------------------------------------

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "privacy-read-policy":
            self.banqo.action_privacy()
        elif event.button.id == "privacy-export":
            self.choose_export_file()
        elif event.button.id == "privacy-delete":
            self.app.push_screen(DeleteAccountDialog(), self._deleted)

    def choose_export_file(self) -> None:
        from banqo_tui.widgets.file_picker import FilePicker

        picker = FilePicker(
            _("Exporter mes données"),
            mode="save",
            suggested_name=f"banqo-export-{date.today().isoformat()}.zip",
            extensions=(".zip",),
        )
        self.app.push_screen(picker, self._export_chosen)

    def _export_chosen(self, path: Path | None) -> None:
        if path is not None:
            self.export(Path(path))

    @work(group="privacy-export", exclusive=True, exit_on_error=False)
    async def export(self, destination: Path) -> None:
        """Save the account's data at ``destination``, showing the bytes received as they arrive."""
        self._export_status(_("Exportation en cours…"))
        client = await self.banqo.api()
        saved = await save_with_progress(
            self.query_one(ProgressBar),
            self._export_status,
            lambda progress: client.me.export(destination, progress),
            destination,
        )
        if not saved:
            return
        done = _("Données enregistrées dans {path}.").format(path=destination)
        self._export_status(done)
        self.app.notify(done, markup=False)
        self.reload_activity()

    def _export_status(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one("#export-status", Static)
        status.update(text)
        status.set_class(problem, "-problem")

    # --- deletion --------------------------------------------------------------------------------

    def _deleted(self, done: bool | None) -> None:
        if done:
            self.banqo.account_deleted()

    # --- failures --------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """This pane's workers report to the user like a screen's (worker messages do not bubble)."""
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        if event.worker.group == "privacy-export":
            self.query_one(ProgressBar).remove_class("-running")
            self._export_status(
                _("L'exportation a échoué : {reason}").format(reason=_reason(error)), problem=True
            )
        elif event.worker.group == "privacy-consent":
            self._set_consent_box(self._consent_saved)
            self._consent_status(
                _("Le choix n'a pas été enregistré : {reason}").format(reason=_reason(error)), problem=True
            )
        elif event.worker.group == "privacy-load":
            self._consent_status(_("Le choix n'a pas pu être lu : {reason}").format(reason=_reason(error)),
                                 problem=True)
        self.banqo.report_error(error, field_target=self.screen)


def _reason(error: BaseException) -> str:
    """What went wrong, in a sentence for the user (never a traceback)."""
    if isinstance(error, errors.ApiError) and error.errors:
        return " ".join(message for messages in error.errors.values() for message in messages)
    if isinstance(error, errors.BanqoError):
        return error.message
    return _("erreur inattendue.")

