"""« Mes paramètres », tab « Factures »: the invoices and credit notes, one invoice in full, its PDF.

A table (one row per invoice, newest first: date, number, total, state in words — « Payée », « Remboursée en
partie », « Remboursée », « Avoir » for a credit note). Enter shows the highlighted invoice in the pane, as text;
Escape (or « Retour à la liste ») comes back. T saves the invoice's PDF, from the list or from the invoice,
through the file picker, with the progress said in words as it downloads.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, ProgressBar, Static
from textual.worker import Worker, WorkerState

from banqo_tui.commands import translate_bindings
from banqo_tui.i18n import N_, _, current_language, format_date, format_number, ngettext
from banqo_tui.screens.settings_enrolment import money
from banqo_tui.screens.settings_payment import card_label
from banqo_tui.screens.settings_privacy import _reason, save_with_progress
from banqo_tui.widgets.action_button import ActionButton

if TYPE_CHECKING:
    from banqo_tui.api.models import Invoice
    from banqo_tui.app import BanqoApp

#: An invoice's state in words, by ``InvoiceStatus`` value.
STATUS_NAMES = {
    "paid": N_("Payée"),
    "partially_refunded": N_("Remboursée en partie"),
    "refunded": N_("Remboursée"),
}


def status_text(invoice: Invoice) -> str:
    """« Payée », « Remboursée en partie », « Remboursée »; « Avoir » for a credit note."""
    if str(invoice.kind) == "credit_note":
        return _("Avoir")
    name = STATUS_NAMES.get(str(invoice.status))
    return _(name) if name else str(invoice.status)


def rate_text(rate: str) -> str:
    """``"0.09975"`` → « 9,975 % »."""
    try:
        percent = (Decimal(rate) * 100).normalize()
    except InvalidOperation:
        return rate
    return _("{number} %").format(number=format_number(percent))


def _one_line(text: str) -> str:
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def invoice_detail(invoice: Invoice) -> str:
    """The whole invoice as lines of text, in the order it is printed."""
    date = format_date(invoice.issued_at, "long")
    credit_note = str(invoice.kind) == "credit_note"
    title = _("Avoir {number} — {date}") if credit_note else _("Facture {number} — {date}")
    lines = [title.format(number=invoice.number, date=date)]
    lines.append(_("État : {status}").format(status=status_text(invoice)))
    if invoice.corrects:
        lines.append(_("Corrige la facture {number}").format(number=invoice.corrects))
    if invoice.credited_by:
        lines.append(_("Avoirs : {numbers}").format(numbers=", ".join(invoice.credited_by)))
    seller = invoice.seller
    lines.append(_("Vendeur : {name}, {address}").format(name=seller.name, address=_one_line(seller.address)))
    lines.append(_("  No TPS : {gst} · No TVQ : {qst}").format(gst=seller.gst_number, qst=seller.qst_number))
    buyer = ", ".join(part for part in (invoice.buyer_name, invoice.buyer_email, _one_line(invoice.buyer_address))
                      if part)
    lines.append(_("Client : {buyer}").format(buyer=buyer))
    if invoice.billing_details:
        lines.append(_("Renseignements de facturation : {details}").format(details=invoice.billing_details))
    lines.append("")
    english = current_language() == "en"
    for line in invoice.lines:
        description = line.description_en if english else line.description_fr
        lines.append(f"• {description}")
        if line.period_start is not None and line.period_end is not None:
            lines.append(
                "  "
                + _("du {start} au {end}").format(
                    start=format_date(line.period_start, "medium"), end=format_date(line.period_end, "medium")
                )
                + " — "
                + money(line.amount)
            )
        else:
            lines.append("  " + money(line.amount))
    lines.append("")
    lines.append(_("Sous-total : {amount}").format(amount=money(invoice.subtotal)))
    lines.append(_("TPS ({rate}) : {amount}").format(rate=rate_text(invoice.gst_rate), amount=money(invoice.gst)))
    lines.append(_("TVQ ({rate}) : {amount}").format(rate=rate_text(invoice.qst_rate), amount=money(invoice.qst)))
    lines.append(_("Total : {amount}").format(amount=money(invoice.total)))
    card = card_label(invoice.card_brand, invoice.card_last4)
    if credit_note:
        lines.append(_("Remboursé le {date} sur la carte {card}").format(
            date=format_date(invoice.paid_at, "medium"), card=card
        ))
    else:
        lines.append(_("Payée le {date} avec la carte {card}").format(
            date=format_date(invoice.paid_at, "medium"), card=card
        ))
    return "\n".join(lines)


class InvoiceTable(DataTable[str | Text]):
    """The invoices, one row each; Enter shows the highlighted one."""

    DEFAULT_CSS = """
    InvoiceTable {
        height: auto;
        max-height: 12;
        border-left: blank;
    }
    InvoiceTable:focus {
        border-left: thick $accent;
        background-tint: initial;
    }
    InvoiceTable > .datatable--cursor, InvoiceTable:focus > .datatable--cursor {
        text-style: bold reverse;
    }
    """


class InvoicesPane(VerticalScroll):
    """The « Factures » tab of « Mes paramètres »."""

    DEFAULT_CSS = """
    InvoicesPane {
        height: 1fr;
    }
    InvoicesPane .invoices--text {
        margin-bottom: 1;
    }
    InvoicesPane #invoice-detail {
        height: auto;
    }
    InvoicesPane #invoice-detail-text {
        padding: 0 1;
        background: $panel;
    }
    InvoicesPane .invoices--actions {
        height: 1;
        margin-top: 1;
    }
    InvoicesPane .invoices--actions ActionButton {
        margin-right: 2;
    }
    InvoicesPane #invoice-progress {
        display: none;
        margin-top: 1;
    }
    InvoicesPane #invoice-progress.-running {
        display: block;
    }
    InvoicesPane .invoices--status {
        height: auto;
        color: $text-muted;
    }
    InvoicesPane .invoices--status.-problem {
        color: $text-error;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("t", "download", N_("Télécharger"), id="invoices.download"),
        Binding("escape", "back_to_list", N_("Retour à la liste"), id="invoices.back"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=False)
        translate_bindings(self)
        self.invoices: list[Invoice] = []
        #: The invoice shown in full (None: the list is shown).
        self.shown: Invoice | None = None

    @property
    def banqo(self) -> BanqoApp:
        return self.app  # type: ignore[return-value]

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(_("Chargement des factures…"), id="invoices-count", classes="invoices--text", markup=False)
        table: InvoiceTable = InvoiceTable(id="invoices-table", cursor_type="row", zebra_stripes=False)
        yield table
        with Vertical(id="invoice-detail"):
            yield Static("", id="invoice-detail-text", markup=False)
            with Horizontal(classes="invoices--actions"):
                yield ActionButton(_("Télécharger (T)"), id="invoice-download")
                yield ActionButton(_("Retour à la liste (Échap)"), id="invoice-back")
        # Screen-reader mode: no moving bar; the line under it says the same in words.
        yield ProgressBar(total=None, show_bar=not self.banqo.accessible, show_eta=False, id="invoice-progress")
        yield Static("", id="invoice-download-status", classes="invoices--status", markup=False)

    def on_mount(self) -> None:
        table = self.table
        table.add_column(_("Date"), key="date")
        table.add_column(_("Numéro"), key="number")
        table.add_column(_("Total"), key="total")
        table.add_column(_("État"), key="status")
        table.display = False
        self.query_one("#invoice-detail").display = False
        self.load()

    @property
    def table(self) -> InvoiceTable:
        return self.query_one("#invoices-table", InvoiceTable)

    # --- the list --------------------------------------------------------------------------------

    @work(group="invoices-load", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        client = await self.banqo.api()
        self.show_invoices(await client.invoices.list())

    def tab_shown(self) -> None:
        """The tab came on screen: a subscription change may have issued an invoice."""
        if self.shown is None:
            self.load()

    def show_invoices(self, invoices: list[Invoice]) -> None:
        table = self.table
        previous = self.highlighted_invoice()
        self.invoices = list(invoices)
        table.clear()
        for invoice in self.invoices:
            table.add_row(
                format_date(invoice.issued_at, "medium"),
                invoice.number,
                Text(money(invoice.total), justify="right"),  # amounts line up on the right
                status_text(invoice),
                key=invoice.id,
            )
        count = self.query_one("#invoices-count", Static)
        if not self.invoices:
            count.update(_("Aucune facture pour l'instant."))
            table.display = False
        else:
            count.update(
                ngettext(
                    "{count} facture. Entrée : la voir; T : la télécharger en PDF.",
                    "{count} factures. Entrée : voir celle choisie; T : la télécharger en PDF.",
                    len(self.invoices),
                ).format(count=len(self.invoices))
            )
            table.display = self.shown is None
            ids = [invoice.id for invoice in self.invoices]
            if previous is not None and previous.id in ids:
                table.move_cursor(row=ids.index(previous.id), animate=False)
        self.refresh_bindings()

    def highlighted_invoice(self) -> Invoice | None:
        table = self.table
        if not self.invoices or table.row_count == 0:
            return None
        row = table.cursor_row
        return self.invoices[row] if 0 <= row < len(self.invoices) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        invoice = next((item for item in self.invoices if item.id == event.row_key.value), None)
        if invoice is not None:
            self.show_invoice(invoice)

    # --- one invoice -----------------------------------------------------------------------------

    def show_invoice(self, invoice: Invoice) -> None:
        """The invoice in full, in place of the list."""
        self.shown = invoice
        self.query_one("#invoice-detail-text", Static).update(invoice_detail(invoice))
        self.table.display = False
        self.query_one("#invoices-count").display = False
        self.query_one("#invoice-detail").display = True
        # The invoice reads from its top: the focused button may sit below the fold at 80×24, and scrolling it into
        # view (Textual does that once the pane is laid out, sooner or later depending on the machine's load) would
        # hide the invoice's number and date. The footer says T and Escape.
        self.query_one("#invoice-download").focus(scroll_visible=False)
        self.scroll_home(animate=False)
        self.refresh_bindings()

    def action_back_to_list(self) -> None:
        self.shown = None
        self.query_one("#invoice-detail").display = False
        self.query_one("#invoices-count").display = True
        self.table.display = bool(self.invoices)
        if self.invoices:
            self.table.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back_to_list":
            # Escape on the list leaves « Mes paramètres » (the screen's own binding).
            return self.shown is not None
        if action == "download":
            return self.shown is not None or bool(self.invoices)
        return True

    def on_action_button_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        if event.button.id == "invoice-download":
            self.action_download()
        elif event.button.id == "invoice-back":
            self.action_back_to_list()

    # --- the PDF ---------------------------------------------------------------------------------

    def action_download(self) -> None:
        invoice = self.shown or self.highlighted_invoice()
        if invoice is None:
            return
        from banqo_tui.widgets.file_picker import FilePicker

        picker = FilePicker(
            _("Télécharger la facture {number}").format(number=invoice.number),
            mode="save",
            suggested_name=f"{invoice.number}.pdf",
            extensions=(".pdf",),
        )

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.download(invoice, Path(path))

        self.app.push_screen(picker, chosen)

    @work(group="invoices-download", exclusive=True, exit_on_error=False)
    async def download(self, invoice: Invoice, destination: Path) -> None:
        """Save ``invoice``'s PDF at ``destination``, saying the bytes received as they arrive."""
        self._download_status(_("Téléchargement de la facture {number}…").format(number=invoice.number))
        client = await self.banqo.api()
        saved = await save_with_progress(
            self.query_one("#invoice-progress", ProgressBar),
            self._download_status,
            lambda progress: client.invoices.download_pdf(invoice.id, destination, progress),
            destination,
        )
        if not saved:
            return
        done = _("Facture enregistrée : {path}").format(path=destination)
        self._download_status(done)
        self.app.notify(done, markup=False)

    def _download_status(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one("#invoice-download-status", Static)
        status.update(text)
        status.set_class(problem, "-problem")

    # --- failures --------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """This pane's workers report here (worker messages do not bubble)."""
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        if event.worker.group == "invoices-download":
            self.query_one("#invoice-progress").remove_class("-running")
            self._download_status(
                _("Le téléchargement a échoué : {reason}").format(reason=_reason(error)), problem=True
            )
        elif event.worker.group == "invoices-load":
            self.query_one("#invoices-count", Static).update(
                _("Les factures n'ont pas pu être chargées : {reason}").format(reason=_reason(error))
            )
        self.banqo.report_error(error, field_target=self.screen)
