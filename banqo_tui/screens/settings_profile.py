"""« Mes paramètres », tab « Profil »: the contact details and the profile photo.

The fields are named after the request's fields (``first_name``, ``address.postal_code``…), so the server's
messages land under them. Saving sends only what changed, with the version that was loaded: when the
profile changed elsewhere meanwhile (412), nothing typed is lost and the teacher chooses to reload or to
save again over it. A photo the server refuses is explained under the photo, and the previous one stays.
"""

from __future__ import annotations

import asyncio
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Select, Static
from textual.worker import Worker, WorkerState

from banqo_tui.api import errors
from banqo_tui.commands import translate_bindings
from banqo_tui.i18n import N_, _, format_date
from banqo_tui.widgets.action_button import ActionButton
from banqo_tui.widgets.field import Field
from banqo_tui.widgets.picture import Picture

if TYPE_CHECKING:
    from banqo_tui.api.models import PhotoInfo, Profile
    from banqo_tui.app import BanqoApp

#: Canada's provinces and territories: code and French name (the English one comes from the catalogue).
PROVINCES = (
    ("AB", N_("Alberta")),
    ("BC", N_("Colombie-Britannique")),
    ("PE", N_("Île-du-Prince-Édouard")),
    ("MB", N_("Manitoba")),
    ("NB", N_("Nouveau-Brunswick")),
    ("NS", N_("Nouvelle-Écosse")),
    ("NU", N_("Nunavut")),
    ("ON", N_("Ontario")),
    ("QC", N_("Québec")),
    ("SK", N_("Saskatchewan")),
    ("NL", N_("Terre-Neuve-et-Labrador")),
    ("NT", N_("Territoires du Nord-Ouest")),
    ("YT", N_("Yukon")),
)
NO_PROVINCE = "—"
#: The photo files offered (the server checks the content itself).
PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
#: The contact fields, by request field name.
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address.street",
    "address.city",
    "address.province",
    "address.postal_code",
)
ADDRESS_PARTS = ("street", "city", "province", "postal_code")


def _sort_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def province_options() -> list[tuple[str, str]]:
    """(label, code) for the province list: « — » first, then the names in the interface's language, sorted."""
    named = sorted(((_(name), code) for code, name in PROVINCES), key=lambda item: _sort_key(item[0]))
    return [(NO_PROVINCE, ""), *named]


def contact_values(profile: Profile) -> dict[str, str]:
    """The profile's contact details by request field name (``address.city``…)."""
    address = profile.address
    return {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "email": profile.email,
        "phone": profile.phone,
        "address.street": address.street,
        "address.city": address.city,
        "address.province": address.province,
        "address.postal_code": address.postal_code,
    }


def photo_alternative(photo: PhotoInfo | None) -> str:
    """« Photo de profil : 512 × 512 pixels, changée le 2 nov. 2026 », or « Aucune photo de profil. »."""
    if photo is None:
        return _("Aucune photo de profil.")
    return _("Photo de profil : {width} × {height} pixels, changée le {date}").format(
        width=photo.width, height=photo.height, date=format_date(photo.updated_at)
    )


class ProvinceField(Field):
    """« Province »: a list instead of an input, with the same label and error line as the other fields."""

    DEFAULT_CSS = """
    ProvinceField Select {
        width: 1fr;
    }
    ProvinceField.-invalid SelectCurrent {
        background: $error 20%;
    }
    """

    def __init__(self, label: str, name: str, *, value: str = "", id: str | None = None) -> None:
        super().__init__(label, name, required=False, id=id)
        self.input = Select(  # type: ignore[assignment]
            province_options(),
            value=value,
            allow_blank=False,
            compact=True,
            id=f"{id}-select" if id else None,
        )

    @property
    def select(self) -> Select[str]:
        return self.input  # type: ignore[return-value]

    @property
    def value(self) -> str:
        chosen = self.select.value
        return chosen if isinstance(chosen, str) else ""

    @value.setter
    def value(self, code: str) -> None:
        known = {code for _label, code in province_options()}
        self.select.value = code if code in known else ""


class ProfilePane(VerticalScroll, can_focus=False):
    """The contact details form and the photo; Ctrl+S saves, P chooses a photo."""

    DEFAULT_CSS = """
    ProfilePane {
        height: 1fr;
    }
    ProfilePane .profile--heading {
        text-style: bold;
        margin-top: 1;
    }
    ProfilePane .profile--heading.-first {
        margin-top: 0;
    }
    /* « Mot de passe actuel » needs a wider label column than the other forms. */
    ProfilePane Field {
        grid-columns: 21 1fr;
    }
    ProfilePane Field .field--label {
        width: 21;
    }
    ProfilePane Field .field--error {
        padding-left: 21;
    }
    ProfilePane .profile--note {
        padding-left: 22;
        color: $text-muted;
    }
    ProfilePane #profile-status {
        height: auto;
    }
    ProfilePane #profile-status.-conflict {
        color: $text-warning;
        text-style: bold;
    }
    ProfilePane .profile--actions {
        height: 1;
        margin-top: 1;
    }
    ProfilePane .profile--actions ActionButton {
        margin-right: 2;
    }
    ProfilePane #profile-photo {
        margin-top: 1;
    }
    ProfilePane #photo-problem {
        height: auto;
        color: $text-error;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Enregistrer"), id="profile.save"),
        Binding("ctrl+r", "reload", N_("Recharger"), id="profile.reload"),
        # Shown on its button (« Choisir une photo… (P) »): the 80-column footer keeps room for the global keys.
        Binding("p", "choose_photo", N_("Choisir une photo"), show=False, id="profile.photo"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        #: The profile as last read from the server (None until loaded).
        self.profile: Profile | None = None
        #: The server's version when a save found the profile changed elsewhere (412).
        self.elsewhere: Profile | None = None
        self._photo_folder: Path | None = None

    @property
    def banqo(self) -> BanqoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        from banqo_tui.api.models import (
            CITY_MAX_LENGTH,
            NAME_MAX_LENGTH,
            PASSWORD_MAX_LENGTH,
            PHONE_MAX_LENGTH,
            STREET_MAX_LENGTH,
        )

        yield Static(_("Coordonnées"), classes="profile--heading -first")
        yield Static(_("Chargement du profil…"), id="profile-status", markup=False)
        yield Field(_("Prénom"), "first_name", id="profile-first-name", max_length=NAME_MAX_LENGTH)
        yield Field(_("Nom"), "last_name", id="profile-last-name", max_length=NAME_MAX_LENGTH)
        yield Field(_("Courriel"), "email", id="profile-email", max_length=320)
        yield Field(
            _("Mot de passe actuel"),
            "current_password",
            id="profile-current-password",
            password=True,
            required=False,
            max_length=PASSWORD_MAX_LENGTH * 4,
        )
        yield Static(_("Requis seulement pour changer de courriel."), classes="profile--note", markup=False)
        yield Field(_("Téléphone"), "phone", id="profile-phone", required=False, max_length=PHONE_MAX_LENGTH)
        yield Field(
            _("Adresse"), "address.street", id="profile-street", required=False, max_length=STREET_MAX_LENGTH
        )
        yield Field(_("Ville"), "address.city", id="profile-city", required=False, max_length=CITY_MAX_LENGTH)
        yield ProvinceField(_("Province"), "address.province", id="profile-province")
        yield Field(
            _("Code postal"),
            "address.postal_code",
            id="profile-postal-code",
            required=False,
            placeholder="H3W 2W8",
            max_length=10,
        )
        with Horizontal(classes="profile--actions"):
            yield ActionButton(_("Enregistrer (Ctrl+S)"), id="profile-save")
            yield ActionButton(_("Recharger (Ctrl+R)"), id="profile-reload")
        yield Static(_("Photo de profil"), classes="profile--heading")
        yield Picture(id="profile-photo")
        yield Static("", id="photo-problem", markup=False)
        with Horizontal(classes="profile--actions"):
            yield ActionButton(_("Choisir une photo… (P)"), id="photo-choose")
            yield ActionButton(_("Retirer la photo"), id="photo-remove")

    def on_mount(self) -> None:
        self.query_one("#profile-reload").display = False
        self.query_one("#photo-remove").display = False
        self.query_one("#photo-problem").display = False
        self._load()

    # --- fields ---------------------------------------------------------------------------------------

    def field(self, name: str) -> Field:
        """The field for the request field ``name``."""
        for found in self.query(Field):
            if found.name == name:
                return found
        raise LookupError(name)

    def _typed(self) -> dict[str, str]:
        return {name: self.field(name).value for name in CONTACT_FIELDS}

    def _fill(self, profile: Profile, *, force: bool) -> None:
        """Show ``profile``'s values; without ``force``, a field the teacher already changed keeps its text."""
        before = contact_values(self.profile) if self.profile is not None else None
        for name, value in contact_values(profile).items():
            field = self.field(name)
            if force or before is None and not field.value or before is not None and field.value == before[name]:
                field.value = value

    def _status(self, text: str, *, conflict: bool = False) -> None:
        status = self.query_one("#profile-status", Static)
        status.update(text)
        status.display = bool(text)
        status.set_class(conflict, "-conflict")
        self.query_one("#profile-reload").display = conflict
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reload":
            return self.elsewhere is not None
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter goes to the next field; from the last one, it saves."""
        event.stop()
        if event.input is self.field("address.postal_code").input:
            self.action_save()
        else:
            self.screen.focus_next()

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        actions = {
            "profile-save": self.action_save,
            "profile-reload": self.action_reload,
            "photo-choose": self.action_choose_photo,
            "photo-remove": self.action_remove_photo,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()

    # --- loading --------------------------------------------------------------------------------------

    @work(group="profile-load", exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        client = await self.banqo.api()
        try:
            profile = await client.me.profile()
        except errors.BanqoError as exc:
            self._status(_("Le profil n'a pas pu être chargé : {reason}").format(reason=exc.message))
            raise
        self._fill(profile, force=False)
        self.profile = profile
        self._status("")
        await self._show_photo(profile)

    async def _show_photo(self, profile: Profile) -> None:
        self.query_one("#photo-remove").display = profile.photo is not None
        picture = self.query_one(Picture)
        if profile.photo is None:
            picture.update_image(None, photo_alternative(None))
            return
        client = await self.banqo.api()
        data = await client.me.photo()
        picture.update_image(data, photo_alternative(profile.photo if data is not None else None))

    def _adopt(self, profile: Profile) -> None:
        """Take ``profile`` (answered by a photo change) as the one loaded, unless its contact details changed
        elsewhere: then the old version stays, so that saving still says so instead of overwriting them."""
        if self.profile is None or contact_values(self.profile) == contact_values(profile):
            self.profile = profile

    # --- saving ---------------------------------------------------------------------------------------

    def changes(self) -> dict[str, Any]:
        """What the teacher changed since loading, as ``update_profile`` takes it (the whole address when a part
        changed). After a change made elsewhere, the fields the teacher did not touch keep the other version."""
        if self.profile is None:
            return {}
        loaded = contact_values(self.profile)
        typed = self._typed()
        changed: dict[str, Any] = {}
        for name in ("first_name", "last_name", "email", "phone"):
            if typed[name] != loaded[name]:
                changed[name] = typed[name]
        if any(typed[f"address.{part}"] != loaded[f"address.{part}"] for part in ADDRESS_PARTS):
            changed["address"] = {part: typed[f"address.{part}"] for part in ADDRESS_PARTS}
        if "email" in changed:
            changed["current_password"] = self.field("current_password").value
        return changed

    def action_save(self) -> None:
        if self.profile is None:
            self.app.notify(_("Le profil n'est pas encore chargé."), severity="warning")
            return
        changed = self.changes()
        if not changed:
            self.app.notify(_("Aucun changement à enregistrer."))
            return
        for field in self.query(Field):
            field.clear_error()
        base = self.elsewhere or self.profile
        self._save(changed, base.version)

    @work(group="profile-save", exclusive=True, exit_on_error=False)
    async def _save(self, changed: dict[str, Any], version: int) -> None:
        client = await self.banqo.api()
        try:
            profile = await client.me.update_profile(version, **changed)
        except errors.Conflict as exc:
            if exc.status != 412 and exc.current_version is None:
                raise
            await self._changed_elsewhere()
            return
        self.profile = profile
        self.elsewhere = None
        self._fill(profile, force=True)
        self.field("current_password").value = ""
        self._status("")
        self.app.notify(_("Coordonnées enregistrées."))

    async def _changed_elsewhere(self) -> None:
        """412: say so, keep what was typed, offer to reload; saving again would replace the other version."""
        client = await self.banqo.api()
        current = await client.me.profile()
        self.elsewhere = current
        labels = {field.name: field.label_text for field in self.query(Field)}
        before = contact_values(self.profile) if self.profile is not None else {}
        differing = [
            labels.get(name, name) for name, value in contact_values(current).items() if before.get(name) != value
        ]
        text = _(
            "Votre profil a été modifié ailleurs (un autre appareil, une autre fenêtre) depuis son chargement : "
            "rien n'a été enregistré, et ce que vous avez tapé est toujours là."
        )
        if differing:
            text += " " + _("Modifié ailleurs : {fields}.").format(fields=", ".join(differing))
        text += " " + _(
            "Ctrl+R : recharger la version enregistrée ailleurs (vos changements seront perdus); Ctrl+S : "
            "enregistrer quand même vos changements (ils remplaceront ceux faits ailleurs dans les mêmes champs)."
        )
        self._status(text, conflict=True)
        self.app.notify(_("Profil modifié ailleurs : rien n'a été enregistré."), severity="warning")

    def action_reload(self) -> None:
        if self.elsewhere is None:
            return
        current = self.elsewhere
        self.elsewhere = None
        self.profile = current
        self._fill(current, force=True)
        for field in self.query(Field):
            field.clear_error()
        self._status("")
        self.run_worker(self._show_photo(current), group="profile-photo", exclusive=True, exit_on_error=False)
        if self.screen.focused is None:
            self.field("first_name").focus_input()

    # --- the photo ------------------------------------------------------------------------------------

    def _photo_problem(self, text: str) -> None:
        problem = self.query_one("#photo-problem", Static)
        problem.update(text)
        problem.display = bool(text)

    def action_choose_photo(self) -> None:
        self._choose_photo()

    @work(group="profile-photo", exclusive=True, exit_on_error=False)
    async def _choose_photo(self) -> None:
        from banqo_tui.widgets.file_picker import FilePicker

        path = await self.app.push_screen_wait(
            FilePicker(
                _("Choisir une photo de profil"),
                mode="open",
                start=self._photo_folder,
                extensions=PHOTO_EXTENSIONS,
            )
        )
        self.query_one("#photo-choose").focus()
        if path is None:
            return
        self._photo_folder = path.parent
        from banqo_tui.api.models import PHOTO_MAX_BYTES

        def read_at_most() -> bytes:  # never more than the limit in memory, whatever the file's size
            with path.open("rb") as file:
                return file.read(PHOTO_MAX_BYTES + 1)

        try:
            data = await asyncio.to_thread(read_at_most)
        except OSError as exc:
            self._photo_problem(
                _("Erreur : ce fichier ne peut pas être lu ({reason}).").format(reason=exc.strerror or exc)
            )
            return
        if len(data) > PHOTO_MAX_BYTES:
            self._photo_problem(
                _("Erreur : cette image dépasse la taille permise ({size} Mo). Choisissez-en une plus petite.").format(
                    size=PHOTO_MAX_BYTES // (1024 * 1024)
                )
            )
            return
        content_type = PHOTO_TYPES.get(path.suffix.lower(), "application/octet-stream")
        client = await self.banqo.api()
        try:
            profile = await client.me.set_photo(data, content_type)
        except errors.ApiError as exc:
            if exc.status in (503, 507):  # the server could not store it (disk full, database busy): said here
                kept = _("Erreur : la photo n'a pas pu être enregistrée — {reason} La photo précédente est gardée.")
                self._photo_problem(kept.format(reason=exc.message))
                return
            if exc.status not in (400, 413, 415, 422):
                raise
            reasons = " ".join(message for messages in exc.errors.values() for message in messages)
            self._photo_problem(
                _("Erreur : photo refusée — {reason} La photo précédente est gardée.").format(
                    reason=reasons or exc.message
                )
            )
            return
        self._photo_problem("")
        self._adopt(profile)
        await self._show_photo(profile)
        self.app.notify(_("Photo de profil changée."))

    def action_remove_photo(self) -> None:
        if self.profile is None or self.profile.photo is None:
            self.app.notify(_("Il n'y a pas de photo de profil à retirer."))
            return
        from banqo_tui.screens.dialogs import ConfirmDialog

        def answered(remove: bool | None) -> None:
            if remove:
                self._remove_photo()
            else:
                self.query_one("#photo-remove").focus()

        self.app.push_screen(
            ConfirmDialog(
                _("Retirer la photo de profil?"),
                _("La photo sera effacée du serveur BanqO."),
                _("Retirer la photo"),
            ),
            answered,
        )

    @work(group="profile-photo", exclusive=True, exit_on_error=False)
    async def _remove_photo(self) -> None:
        client = await self.banqo.api()
        await client.me.remove_photo()
        profile = await client.me.profile()
        self._photo_problem("")
        self._adopt(profile)
        await self._show_photo(profile)
        self.query_one("#photo-choose").focus()
        self.app.notify(_("Photo de profil retirée."))

    # --- failures -------------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A pane's workers report to the pane (their messages do not bubble): hand failures to the app."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.banqo.report_error(event.worker.error, field_target=self.screen)

