"""« Mes paramètres »: one tab per area of the account. Each tab says what it will hold, no fake controls."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static, TabbedContent, TabPane

from banqo_tui.i18n import N_, _
from banqo_tui.screens.base import BanqoScreen, ScreenTitle

#: (tab id, tab label, what the tab will hold), in the order of the seed guide.
SETTINGS_TABS = (
    (
        "profile",
        N_("Profil"),
        N_(
            "Ici, vous pourrez consulter et changer la photo de votre profil et vos coordonnées "
            "(nom, courriel, téléphone, adresse postale)."
        ),
    ),
    (
        "security",
        N_("Sécurité"),
        N_(
            "Ici, vous pourrez changer votre mot de passe, voir les appareils connectés à votre compte et "
            "en fermer la session, et activer la connexion en deux étapes."
        ),
    ),
    (
        "enrolment",
        N_("Inscription"),
        N_(
            "Ici, vous pourrez consulter et changer votre inscription : offre, essai gratuit, "
            "facturation mensuelle ou annuelle, annulation."
        ),
    ),
    (
        "payment",
        N_("Méthode de paiement"),
        N_(
            "Ici, vous pourrez consulter la carte enregistrée (marque, quatre derniers chiffres, expiration) "
            "et la remplacer. Le numéro de la carte ne passe jamais par BanqO."
        ),
    ),
    (
        "invoices",
        N_("Factures"),
        N_("Ici, vous pourrez consulter vos factures et en télécharger une copie en PDF."),
    ),
    (
        "privacy",
        N_("Confidentialité"),
        N_(
            "Ici, vous pourrez choisir de recevoir ou non nos courriels promotionnels, exporter toutes vos "
            "données et supprimer votre compte."
        ),
    ),
    (
        "preferences",
        N_("Préférences"),
        N_("Ici, vous pourrez choisir la langue, le thème et le mode adapté aux lecteurs d'écran."),
    ),
)


class SettingsScreen(BanqoScreen):
    """« Mes paramètres »; Escape goes back to « Votre résumé »."""

    BINDINGS = [
        Binding("escape", "back", N_("Retour"), id="settings.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="settings-screen")

    def compose(self) -> ComposeResult:
        yield ScreenTitle(_("Mes paramètres"))
        with TabbedContent(id="settings-tabs"):
            for tab_id, label, text in SETTINGS_TABS:
                with TabPane(_(label), id=f"settings-{tab_id}"):
                    yield Static(_(text), classes="settings-text", markup=False)
                    yield Static(
                        _("Cette section arrive dans une prochaine version de BanqO."),
                        classes="settings-coming",
                        markup=False,
                    )
        yield Footer(compact=True, show_command_palette=False)

    def action_back(self) -> None:
        self.app.pop_screen()
