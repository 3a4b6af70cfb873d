"""``EntryLine``: the quick-entry line — a label, an input, and the line under it for hints and errors.

Enter hands the line to ``on_submit`` and *waits* for it (up to ``SUBMIT_WAIT`` seconds) before the next keys
are read: keys typed ahead after Enter land in the emptied line, in order, never at the end of the goal just
sent. A save slower than that goes on in the background; the line is emptied anyway. For this, the screen binds
Enter as a priority key calling ``EntryInput.submit_now``: a priority binding runs when the app reads the key,
before it hands out the next ones (an ordinary binding would run after the input has taken them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from banqo_tui.widgets.field import ERROR_MARK

if TYPE_CHECKING:
    from banqo_tui.api.models import Area

#: How long Enter waits for the server before the line is emptied anyway (the goal is in the outbox).
SUBMIT_WAIT = 1.5

#: Given the line, saves it; True when the line may be emptied (saved, or safe in the outbox).
SubmitHandler = Callable[[str], Awaitable[bool]]


class DomainSuggester(Suggester):
    """Completes a partial ``@dom`` at the end of the line (→ accepts it, as in any Textual input)."""

    def __init__(self, areas: Callable[[], Sequence[Area]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._areas = areas

    async def get_suggestion(self, value: str) -> str | None:
        from banqo_tui.quick_entry import inline_completion

        areas = self._areas()
        return inline_completion(value, areas) if areas else None


async def settled(widget: Widget) -> None:
    """Wait until ``widget`` has handled the events already sent to it (keys typed ahead in a burst)."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def finish() -> None:
        if not done.done():
            done.set_result(None)

    if widget.call_later(finish):
        await done


class EntryInput(Input):
    """The input of an ``EntryLine``: Enter waits for the save (see the module's docstring)."""

    def __init__(self, *, on_submit: SubmitHandler, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.on_submit_line = on_submit
        self.busy = False

    async def _on_key(self, event: events.Key) -> None:
        # Enter is handled here, in the input's own queue, not as a binding: bindings run in the app once
        # the key has bubbled up, by which time the keys typed after Enter are already in the line.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        await super()._on_key(event)

    async def action_submit(self) -> None:
        await self.submit_now()

    async def submit_now(self) -> None:
        """Save the line, then empty it — run from a priority binding, before the next keys are handed out.

        The keys typed before Enter may still wait in this input's queue: they are handled first.
        """
        if self.busy:
            return
        self.busy = True
        try:
            await settled(self)
            line = self.value
            if not line.strip():
                return
            task = asyncio.ensure_future(self.on_submit_line(line))
            done, _pending = await asyncio.wait({task}, timeout=SUBMIT_WAIT)
            clear = task.result() if done else True
        finally:
            self.busy = False
        if not done:
            task.add_done_callback(lambda finished: self._late_answer(finished, line))
        if clear and self.value == line:
            self.value = ""

    def _late_answer(self, task: asyncio.Future[bool], line: str) -> None:
        """The line was emptied while its save went on; if it could not be saved, it comes back (if free)."""
        if task.cancelled() or task.exception() is not None or task.result():
            return
        if not self.value:
            self.value = line
            self.cursor_position = len(line)


class EntryLine(Vertical):
    """« Nouvel objectif : [……] » and, under it, what to type or what went wrong (in words, marked ✗)."""

    DEFAULT_CSS = """
    EntryLine {
        height: auto;
        border-left: blank;
    }
    EntryLine:focus-within {
        border-left: thick $accent;
    }
    EntryLine > Horizontal {
        height: 1;
    }
    EntryLine .entry-line--label {
        width: auto;
        padding-right: 1;
        text-style: bold;
    }
    EntryLine:focus-within .entry-line--label {
        text-style: bold underline;
    }
    EntryLine Input, EntryLine Input.-textual-compact {
        width: 1fr;
        background: $panel;
    }
    EntryLine Input:focus, EntryLine Input.-textual-compact:focus {
        background: $panel-lighten-2;
    }
    EntryLine .entry-line--hint {
        height: auto;
        min-height: 1;
        max-height: 3;
        color: $text-muted;
    }
    EntryLine.-invalid .entry-line--hint {
        color: $text-error;
        text-style: bold;
    }
    """

    def __init__(
        self,
        label: str,
        *,
        on_submit: SubmitHandler,
        hint: str = "",
        placeholder: str = "",
        suggester: Suggester | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.default_hint = hint
        self.input = EntryInput(
            on_submit=on_submit,
            placeholder=placeholder,
            compact=True,
            suggester=suggester,
            select_on_focus=False,
            max_length=4000,
            id=f"{id}-input" if id else None,
        )
        self._label = Label(label, classes="entry-line--label")
        self._hint = Static(hint, classes="entry-line--hint", markup=False)
        #: What the line under the input says now.
        self.hint_text = hint
        self.error_text = ""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield self._label
            yield self.input
        yield self._hint

    def on_mount(self) -> None:
        if getattr(self.app, "accessible", False):
            self.input.cursor_blink = False

    def on_descendant_blur(self) -> None:
        # « Enregistré : … » speaks of the last Enter: once the teacher leaves the line, the usual hint again.
        self.show_hint(None)

    @property
    def value(self) -> str:
        return self.input.value

    @value.setter
    def value(self, text: str) -> None:
        self.input.value = text
        self.input.cursor_position = len(text)

    def set_error(self, messages: Sequence[str]) -> None:
        """Say under the line why it was not saved (the text stays in the line)."""
        text = " ".join(message for message in messages if message)
        if not text:
            self.clear_error()
            return
        from banqo_tui.i18n import _

        self.error_text = ERROR_MARK + _("Erreur : {message}").format(message=text)
        self._show(self.error_text)
        self.input.tooltip = self.error_text
        self.add_class("-invalid")
        from banqo_tui.widgets.status_line import announce_field_error

        announce_field_error(self, "", text)

    def clear_error(self) -> None:
        if self.error_text:
            self.error_text = ""
            self.input.tooltip = None
            self.remove_class("-invalid")
        self._show(self.default_hint)

    def show_hint(self, text: str | None) -> None:
        """A hint in place of the default one (None: the default); an error shown stays."""
        if not self.error_text:
            self._show(text if text is not None else self.default_hint)

    def _show(self, text: str) -> None:
        if text != self.hint_text:
            self.hint_text = text
            self._hint.update(text)

    def focus_input(self) -> None:
        self.screen.set_focus(self.input)
