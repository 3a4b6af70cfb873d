"""« Mes paramètres »: one tab per area of the account, in the seed guide's order.

Each tab's content is a pane from its own module (``settings_profile``, ``settings_security``…); this screen
only arranges them, and tells the billing panes what the others did (a card added, a subscription changed).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Tab, TabbedContent, TabPane, Tabs
from textual.widgets._tabbed_content import ContentTab

from banqo_tui.i18n import N_, _
from banqo_tui.screens.base import BanqoScreen, ScreenTitle

#: (tab id, tab label), in the order of the seed guide, then ours.
SETTINGS_TABS = (
    ("profile", N_("Profil")),
    ("security", N_("Sécurité")),
    ("enrolment", N_("Inscription")),
    ("payment", N_("Méthode de paiement")),
    ("invoices", N_("Factures")),
    ("privacy", N_("Confidentialité")),
    ("preferences", N_("Préférences")),
)


class SettingsScreen(BanqoScreen):
    """« Mes paramètres »; Escape goes back to « Votre résumé »."""

    BINDINGS = [
        Binding("escape", "back", N_("Retour"), id="settings.back"),
        # From anywhere in the screen, a field included (where ← → move the text cursor).
        Binding("f7", "previous_tab", N_("Onglet précédent"), show=False, priority=True, id="settings.previous_tab"),
        Binding("f8", "next_tab", N_("Onglet suivant"), show=False, priority=True, id="settings.next_tab"),
    ]

    def __init__(self, tab: str = "profile") -> None:
        super().__init__(id="settings-screen")
        self.initial_tab = tab

    def compose(self) -> ComposeResult:
        from banqo_tui.screens.settings_enrolment import EnrolmentPane
        from banqo_tui.screens.settings_invoices import InvoicesPane
        from banqo_tui.screens.settings_payment import PaymentPane
        from banqo_tui.screens.settings_preferences import PreferencesPane
        from banqo_tui.screens.settings_privacy import PrivacyPane
        from banqo_tui.screens.settings_profile import ProfilePane
        from banqo_tui.screens.settings_security import SecurityPane

        panes = {
            "profile": ProfilePane,
            "security": SecurityPane,
            "enrolment": EnrolmentPane,
            "payment": PaymentPane,
            "invoices": InvoicesPane,
            "privacy": PrivacyPane,
            "preferences": PreferencesPane,
        }
        yield ScreenTitle(_("Mes paramètres"))
        with TabbedContent(id="settings-tabs", initial=f"settings-{self.initial_tab}"):
            for tab_id, label in SETTINGS_TABS:
                with TabPane(_(label), id=f"settings-{tab_id}"):
                    yield panes[tab_id](id=f"{tab_id}-pane")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # The tab bar first: ← → choose a tab, Tab goes into it.
        self.tab_bar.focus()

    @property
    def tab_bar(self) -> Tabs:
        return self.query_one("#settings-tabs", TabbedContent).query_one(Tabs)

    def show_tab(self, tab_id: str) -> None:
        """Bring the tab ``tab_id`` (``payment``…) on screen, the focus on its tab bar."""
        self.query_one("#settings-tabs", TabbedContent).active = f"settings-{tab_id}"
        self.tab_bar.focus()

    def _mark_active_tab(self) -> None:
        """« ▸ » before the tab on screen: the tab bar's underline alone is colour (and NO_COLOR drops it)."""
        from banqo_tui.focus_cursor import FOCUS_MARK

        active = self.query_one("#settings-tabs", TabbedContent).active
        labels = {f"settings-{tab_id}": _(label) for tab_id, label in SETTINGS_TABS}
        for tab in self.tab_bar.query(Tab):
            pane_id = ContentTab.sans_prefix(tab.id or "")
            if pane_id in labels:
                tab.label = (FOCUS_MARK if pane_id == active else "") + labels[pane_id]

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A billing tab shown again reads its data again: another tab may have changed it."""
        self._mark_active_tab()
        for pane in event.pane.children:
            shown = getattr(pane, "tab_shown", None)
            if shown is not None:
                shown()

    def on_payment_pane_card_changed(self, _event: Message) -> None:
        """A new card may have paid a subscription in arrears: « Inscription » says so at once."""
        from banqo_tui.screens.settings_enrolment import EnrolmentPane

        for pane in self.query(EnrolmentPane):
            pane.card_changed()

    def on_enrolment_pane_changed(self, _event: Message) -> None:
        """A subscription change may have issued an invoice: « Factures » lists it at once."""
        from banqo_tui.screens.settings_invoices import InvoicesPane

        for pane in self.query(InvoicesPane):
            pane.load()

    def action_previous_tab(self) -> None:
        self.tab_bar.focus()
        self.tab_bar.action_previous_tab()

    def action_next_tab(self) -> None:
        self.tab_bar.focus()
        self.tab_bar.action_next_tab()

    def _field_is_active(self, field: object) -> bool:
        """Only the fields of the tab on screen receive the server's messages."""
        tabs = self.query_one("#settings-tabs", TabbedContent)
        active = tabs.active
        node = getattr(field, "parent", None)
        while node is not None:
            if getattr(node, "id", None) == active:
                return True
            node = getattr(node, "parent", None)
        return False

    def action_back(self) -> None:
        self.app.pop_screen()
