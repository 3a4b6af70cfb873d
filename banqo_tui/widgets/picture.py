"""``Picture``: an image drawn in the terminal with half blocks, and its text alternative on the line below.

Each cell shows two pixels, one above the other: « ▀ » in the upper pixel's colour on the lower pixel's
colour. Cells are about twice as tall as wide, so the pixels come out square and the image keeps its
proportions. Decoding (Pillow) happens in a thread. In the mode for screen readers only the text is shown.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from banqo_tui.i18n import _

log = logging.getLogger(__name__)

UPPER_HALF = "▀"
#: The largest drawing, in cells (24 columns × 12 lines: 24 × 24 pixels).
DEFAULT_CELLS = (24, 12)

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class HalfBlocks:
    """An image ready to draw: ``rows[y][x]`` is the (upper, lower) pixel pair of a cell."""

    width: int
    height: int
    rows: list[list[tuple[RGB, RGB | None]]]

    @property
    def columns(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def decode_half_blocks(data: bytes, cells: tuple[int, int] = DEFAULT_CELLS, background: RGB = (0, 0, 0)) -> HalfBlocks:
    """Decode ``data`` and scale it to fit ``cells`` (columns, lines) keeping its proportions.

    Slow (Pillow): call it in a thread. Transparent parts take ``background``. Raises ``ValueError`` when
    ``data`` is not an image Pillow can read.
    """
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    columns, lines = cells
    try:
        with Image.open(BytesIO(data)) as image:
            width, height = image.size
            if width <= 0 or height <= 0:
                raise ValueError("empty image")
            scale = min(columns / width, lines * 2 / height)
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image.draft("RGB", size)  # JPEG: decode at a reduced size directly
            rgba = image.convert("RGBA")
            flat = Image.new("RGBA", rgba.size, (*background, 255))
            flat.alpha_composite(rgba)
            small = flat.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError(str(exc)) from exc
    raw = small.tobytes()  # RGB, row after row
    pixels: list[RGB] = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    pixel_width, pixel_height = small.size
    rows: list[list[tuple[RGB, RGB | None]]] = []
    for top in range(0, pixel_height, 2):
        upper = pixels[top * pixel_width : (top + 1) * pixel_width]
        if top + 1 < pixel_height:
            lower: list[RGB | None] = list(pixels[(top + 1) * pixel_width : (top + 2) * pixel_width])
        else:
            lower = [None] * pixel_width
        rows.append(list(zip(upper, lower, strict=True)))
    return HalfBlocks(width=width, height=height, rows=rows)


class PictureCells(Widget):
    """The drawing itself: one strip of half blocks per line."""

    DEFAULT_CSS = """
    PictureCells {
        width: auto;
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._strips: list[Strip] = []

    def show(self, blocks: HalfBlocks | None) -> None:
        self._strips = [] if blocks is None else [self._strip(row) for row in blocks.rows]
        self.styles.width = blocks.columns if blocks is not None else 0
        self.styles.height = len(self._strips)
        self.refresh(layout=True)

    @staticmethod
    def _strip(row: list[tuple[RGB, RGB | None]]) -> Strip:
        segments = []
        for upper, lower in row:
            style = Style(
                color=RichColor.from_rgb(*upper),
                bgcolor=RichColor.from_rgb(*lower) if lower is not None else None,
            )
            segments.append(Segment(UPPER_HALF, style))
        return Strip(segments, len(segments))

    @property
    def lines(self) -> list[str]:
        """The drawing's characters, line by line (what a test can see)."""
        return [strip.text for strip in self._strips]

    def render_line(self, y: int) -> Strip:
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width)


class Picture(Vertical):
    """An image and its one-line text alternative; ``update_image(data, alternative)`` changes both."""

    DEFAULT_CSS = """
    Picture {
        width: 100%;
        height: auto;
    }
    Picture .picture--alternative {
        width: 100%;
        height: auto;
    }
    """

    def __init__(
        self,
        *,
        empty_text: str | None = None,
        cells: tuple[int, int] = DEFAULT_CELLS,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.empty_text = empty_text if empty_text is not None else _("Aucune photo de profil.")
        self.cells_size = cells
        self.cells = PictureCells()
        self.alternative_line = Static(self.empty_text, classes="picture--alternative", markup=False)
        #: The text alternative on screen now.
        self.alternative = self.empty_text
        #: The image on screen (None: no image, or one that cannot be drawn).
        self.blocks: HalfBlocks | None = None

    def compose(self) -> ComposeResult:
        yield self.cells
        yield self.alternative_line

    def on_mount(self) -> None:
        self.apply_accessible()

    @property
    def drawn(self) -> bool:
        """Whether an image is drawn (not only described)."""
        return self.blocks is not None and self.cells.display

    def apply_accessible(self) -> None:
        """Draw the image, or only its text in the mode for screen readers (called again when it changes)."""
        self.cells.display = self.blocks is not None and not getattr(self.app, "accessible", False)

    def update_image(self, data: bytes | None, alternative: str) -> None:
        """Show ``data`` (an image file's bytes; None: no image) with ``alternative`` as its text."""
        if data is None:
            self.workers.cancel_group(self, "picture")
            self._show(None, alternative or self.empty_text)
            return
        background = self._background()
        self.run_worker(
            self._decode(data, alternative, background), group="picture", exclusive=True, exit_on_error=False
        )

    def _background(self) -> RGB:
        """The colour that transparent parts take: the theme's surface (black for the terminal's own colours)."""
        theme = self.app.current_theme
        try:
            red, green, blue = Color.parse(theme.surface or theme.background or "#000000").rgb
        except Exception:  # noqa: BLE001 - "ansi_default" and the like have no RGB value
            return (0, 0, 0)
        return (red, green, blue)

    async def _decode(self, data: bytes, alternative: str, background: RGB) -> None:
        try:
            blocks = await asyncio.to_thread(decode_half_blocks, data, self.cells_size, background)
        except ValueError as exc:
            log.info("an image cannot be drawn: %s", exc)
            self._show(None, f"{alternative} {_('(Cette image ne peut pas être dessinée ici.)')}".strip())
            return
        self._show(blocks, alternative)

    def _show(self, blocks: HalfBlocks | None, alternative: str) -> None:
        self.blocks = blocks
        self.cells.show(blocks)
        self.alternative = alternative
        self.alternative_line.update(alternative)
        self.apply_accessible()
