"""A subscription taken in a real terminal: the real `banqo` in tmux at 80×24, over HTTP to `banqo-server` under
uvicorn with the sandbox processor. The teacher sees « Inscription », adds a test card, subscribes, and saves
the invoice's PDF, whose text is then read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import BIN, _wait
from .test_e2e_first_run import sign_up

pytestmark = pytest.mark.e2e

CARD = "4242424242424242"


def plain(text: str) -> str:
    """French money holds non-breaking spaces (« 9,00 $ »): made ordinary to compare."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_a_teacher_subscribes_with_a_sandbox_card_and_saves_the_invoice(
    api_server, base_env, terminal_factory, home: Path, tmp_path: Path
):
    env = dict(base_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    terminal = terminal_factory(env)
    terminal.run(f"{BIN / 'banqo'} --server {api_server}")
    sign_up(terminal)
    terminal.wait_for("Essai gratuit jusqu'au")  # the résumé says when the trial ends

    terminal.send("F3")  # « Mes paramètres », the cursor on the tab bar
    terminal.wait_for("Mes paramètres")
    terminal.send("F8", "F8")  # Profil → Sécurité → Inscription
    screen = terminal.wait_for("aucune carte requise")
    assert "Inscription" in screen and "Mensuel — 9,00 $ par mois" in plain(screen)

    terminal.send("F8")  # « Méthode de paiement »
    terminal.wait_for("Aucune carte enregistrée.")
    terminal.send("Tab")  # « Ajouter une carte »
    terminal.send("Enter")
    terminal.wait_for("Processeur de test")
    terminal.type(CARD)
    terminal.send("Tab")
    terminal.type("12/30")
    terminal.send("Tab")
    terminal.type("123")
    terminal.send("Enter")
    screen = terminal.wait_for("Visa •••• 4242 — expire en 12/2030")
    assert CARD not in screen  # the number is gone from the screen once the card is saved

    terminal.send("F7")  # back to « Inscription »
    terminal.wait_for("Offres")
    terminal.send("Tab")  # into the offers, « Mensuel » highlighted
    terminal.send("s")
    terminal.wait_for("taxes comprises seront")
    terminal.send("Tab", "Enter")  # « Confirmer »
    terminal.wait_for("Actif — offre mensuelle")

    terminal.send("F8", "F8")  # « Factures »
    terminal.wait_for("-000001")  # BQ-<year of issue>-000001
    terminal.send("Tab")  # into the list
    terminal.send("t")  # « Télécharger »
    terminal.wait_for("Télécharger la facture BQ-")
    _wait(  # the suggested path is in the field (which has the cursor) before ours replaces it
        lambda: any("Chemin" in line and "/" in line for line in terminal.screen().splitlines()),
        30,
        "the suggested path",
    )
    target = tmp_path / "factures" / "ma-facture.pdf"
    target.parent.mkdir()
    terminal.send("C-u")  # the suggested path goes; ours comes
    # Ctrl+U is a binding: Textual runs it once the key has bubbled up to the app, by which time keys typed right
    # after are already in the field — and would go with it. A person sees the field empty before typing.
    _wait(
        lambda: any(line.split("Chemin", 1)[1].strip(" █") == "" for line in terminal.screen().splitlines()
                    if "Chemin" in line),
        30,
        "the emptied path",
    )
    terminal.type(str(target))
    terminal.wait_for("ma-facture.pdf")  # typed in full before Enter, even on a loaded machine
    terminal.send("Enter")
    screen = terminal.wait_for("Facture enregistrée :")
    assert "Traceback" not in screen

    text = plain("\n".join(page.extract_text() for page in PdfReader(target).pages))
    number = next(line for line in text.splitlines() if line.startswith("BQ-"))
    assert number.startswith("BQ-") and number.endswith("-000001")
    assert "Camille Tremblay" in text
    assert "TPS / GST (5 %) 0,45 $" in text and "TVQ / QST (9,975 %) 0,90 $" in text
    assert "Total 10,35 $" in text
    assert "Visa •••• 4242" in text
