"""``Field``: a label, an input and the line under it where the field's error is written."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from banqo_tui.i18n import _

ERROR_MARK = "✗ "


class Field(Vertical):
    """One form field. ``name`` is the request field the server's errors name (``email``, ``password``…).

    An error is written as text under the input (« Erreur : … »), marked in the label and put in the
    input's tooltip, so it never depends on colour alone.
    """

    DEFAULT_CSS = """
    Field {
        layout: grid;
        grid-size: 2;
        grid-columns: 18 1fr;
        grid-rows: 1 auto;
        height: auto;
        padding: 0 1 0 0;
        border-left: blank;
    }
    Field:focus-within {
        border-left: thick $accent;
    }
    Field:focus-within .field--label {
        text-style: bold underline;
    }
    Field .field--label {
        width: 18;
        height: 1;
        color: $text;
    }
    Field Input, Field Input.-textual-compact {
        width: 1fr;
        background: $panel;
    }
    Field Input:focus, Field Input.-textual-compact:focus {
        background: $panel-lighten-2;
    }
    Field .field--error {
        column-span: 2;
        height: auto;
        min-height: 1;
        padding-left: 18;
        color: $text-error;
        text-style: bold;
    }
    Field.-invalid .field--label {
        color: $text-error;
        text-style: bold;
    }
    Field.-invalid Input, Field.-invalid Input.-textual-compact {
        background: $error 20%;
    }
    """

    def __init__(
        self,
        label: str,
        name: str,
        *,
        value: str = "",
        password: bool = False,
        required: bool = True,
        placeholder: str = "",
        input_type: str = "text",
        max_length: int = 0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, name=name)
        self.label_text = label
        self.required = required
        self.input = Input(
            value=value,
            placeholder=placeholder,
            password=password,
            compact=True,
            max_length=max_length,
            select_on_focus=False,
            id=f"{id}-input" if id else None,
        )
        self._label = Label(label, classes="field--label")
        self._error = Static("", classes="field--error", markup=False)
        self.errors: list[str] = []
        #: What the error line says now (empty when the field is fine).
        self.error_text = ""

    def compose(self) -> ComposeResult:
        yield self._label
        yield self.input
        yield self._error

    def on_mount(self) -> None:
        if getattr(self.app, "accessible", False):
            self.input.cursor_blink = False

    @property
    def value(self) -> str:
        return self.input.value

    @value.setter
    def value(self, text: str) -> None:
        self.input.value = text

    def set_error(self, messages: Iterable[str]) -> None:
        """Show ``messages`` under the input, and say in the label and the tooltip that it is wrong."""
        self.errors = [message for message in messages if message]
        if not self.errors:
            self.clear_error()
            return
        text = " ".join(self.errors)
        self.error_text = _("Erreur : {message}").format(message=text)
        self._error.update(self.error_text)
        self._label.update(ERROR_MARK + self.label_text)
        self.input.tooltip = _("{label} — erreur : {message}").format(label=self.label_text, message=text)
        self.add_class("-invalid")
        from banqo_tui.widgets.status_line import announce_field_error

        announce_field_error(self, self.label_text, text)

    def set_hint(self, text: str) -> None:
        """Write ``text`` under the input as plain guidance (not an error: no mark, no « Erreur : »)."""
        self.clear_error()
        self.error_text = text
        self._error.update(text)

    def clear_error(self) -> None:
        self.errors = []
        self.error_text = ""
        self._error.update("")
        self._label.update(self.label_text)
        self.input.tooltip = None
        self.remove_class("-invalid")

    def focus_input(self) -> None:
        """Focus the input now (not after pending keys: typed-ahead text goes to this field)."""
        self.screen.set_focus(self.input)


def next_or_submit(fields: Sequence[Field], owner: object, submit: Callable[[], object]) -> bool:
    """Enter in a form: the field after ``owner``, or ``submit()`` from the last one. False when ``owner`` is not
    one of ``fields`` (the key is someone else's)."""
    if owner not in fields:
        return False
    index = list(fields).index(owner)  # type: ignore[arg-type]
    if index + 1 < len(fields):
        fields[index + 1].focus_input()
    else:
        submit()
    return True
