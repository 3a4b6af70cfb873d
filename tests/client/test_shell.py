"""``banqo shell`` and the commands of every area, line after line in one session, on the real API in-process
(cheap Argon2, the test's clock): what each line prints, on which stream, with which exit code."""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import keyring
import pytest
from keyring.backends import fail

from banqo_server.services import totp
from banqo_tui import i18n
from banqo_tui.api.client import BanqoClient
from banqo_tui.config import Config
from banqo_tui.connection import Connection
from banqo_tui.credentials import CredentialStore
from banqo_tui.line.session import LineSession
from banqo_tui.line.shell import Shell, split_words
from tests.server.billing_helpers import ACCEPTED, SELLER

PASSWORD = "une phrase de passe"


@pytest.fixture
def app(cheap_settings):
    from banqo_server.app import create_app

    return create_app(cheap_settings(**SELLER))


def api(app: Any) -> BanqoClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    return BanqoClient("http://banqo.test", transport=transport)


def on_server(app: Any, work: Any, token: str | None = None) -> Any:
    """Run ``work(client)`` with a client of its own (the teacher's other device)."""

    async def run() -> Any:
        async with api(app) as client:
            client.token = token
            return await work(client)

    return asyncio.run(run())


def sign_up(app: Any, email: str = "lea@example.org") -> str:
    async def work(client: BanqoClient) -> str:
        answer = await client.accounts.sign_up(email=email, password=PASSWORD, first_name="Léa", last_name="Roy")
        return answer.token

    return on_server(app, work)


class Line:
    """A ``banqo shell`` fed one line at a time; ``stdin`` is what a command reads (a password, a message)."""

    def __init__(self, app: Any, tmp_path: Any) -> None:
        async def client() -> BanqoClient:
            return api(app)

        config = Config(language="fr", data_dir=tmp_path / "data")
        self.stdin, self.out, self.err = io.StringIO(), io.StringIO(), io.StringIO()
        self.session = LineSession(
            config,
            connection=Connection(config, client_factory=client),
            credentials=CredentialStore(tmp_path / "accounts.json"),
            stdin=self.stdin, out=self.out, err=self.err, in_shell=True,
        )
        self.shell = Shell(self.session, interactive=False)
        self.carry_on = True

    def __call__(self, line: str, stdin: str = "") -> tuple[int, str, str]:
        for stream in (self.stdin, self.out, self.err):
            stream.seek(0)
            stream.truncate()
        self.stdin.write(stdin)
        self.stdin.seek(0)
        self.carry_on = self.shell.handle(line)
        return self.shell.last_code, self.out.getvalue(), self.err.getvalue()

    def login(self, email: str = "lea@example.org") -> None:
        code, out, err = self(f"login --email {email} --password-stdin", stdin=PASSWORD + "\n")
        assert (code, err) == (0, ""), err


@pytest.fixture
def line(app, tmp_path, memory_keyring) -> Iterator[Line]:
    i18n.setup("fr")
    shell = Line(app, tmp_path)
    with shell.shell:
        yield shell


@pytest.fixture
def no_keyring(line) -> Iterator[None]:
    """No usable keyring (as over SSH), in place of ``line``'s memory one."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_a_login_without_keyring_lasts_the_shell_run_and_logout_ends_it(app, line, no_keyring):
    sign_up(app)
    code, out, err = line("summary")
    assert (code, out) == (3, "")
    assert err == "Vous n'êtes pas connecté (serveur : local). Connectez-vous d'abord : login.\n"
    code, out, err = line("login --email lea@example.org --password-stdin", stdin="pas la bonne\n")
    assert (code, err) == (2, "Mot de passe : Courriel ou mot de passe incorrect.\n")
    code, out, err = line("login --email lea@example.org --password-stdin", stdin=PASSWORD + "\n")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Connecté : Léa Roy (lea@example.org), serveur : BanqO sur cet ordinateur.",
        "Aucun trousseau de clés utilisable sur cet ordinateur : cette session durera jusqu'à la fermeture du shell.",
    ]
    code, out, err = line("summary")
    assert code == 0 and out.startswith("Bonjour, Léa Roy\n")
    assert "Connexion depuis un nouvel appareil (Mode ligne sur " in out
    assert line("logout")[:2] == (0, "Vous êtes déconnecté.\n")
    assert line("summary")[0] == 3


def test_a_session_ended_elsewhere_is_said_and_forgotten(app, line, memory_keyring):
    sign_up(app)
    line.login()
    token = memory_keyring.entries[("banqo", "lea@example.org@local")]
    on_server(app, lambda client: client.sessions.sign_out(), token)
    code, out, err = line("goals list")
    assert (code, err) == (3, "Votre session a pris fin. Connectez-vous de nouveau : login.\n")
    assert memory_keyring.entries == {}


def test_two_step_sign_in_asks_for_the_code_on_the_next_line(app, line, clock):
    token = sign_up(app)

    async def enable(client: BanqoClient) -> str:
        setup = await client.me.totp_setup()
        await client.me.totp_enable(totp.code_at(setup.secret, totp.step_at(clock.now)))
        return setup.secret

    secret = on_server(app, enable, token)
    clock.advance(seconds=60)
    code_now = totp.code_at(secret, totp.step_at(clock.now))
    code, out, err = line("login --email lea@example.org --password-stdin", stdin=f"{PASSWORD}\n{code_now}\n")
    assert code == 0 and out.startswith("Connecté : Léa Roy")
    assert err.startswith("Entrez le code à 6 chiffres de votre application d'authentification")
    code, out, err = line("login --email lea@example.org --password-stdin --totp 000000", stdin=PASSWORD + "\n")
    assert code == 2 and err.startswith("Code de validation : Ce code n'est pas valide")


def test_learners_add_rename_show_and_rm(app, line):
    sign_up(app)
    line.login()
    assert line("learners add Léa")[:2] == (0, "Léa fait maintenant partie de vos élèves.\n")
    code, out, _ = line("learners add Léa")
    assert out == "Ce prénom était déjà pris : BanqO a ajouté un chiffre, « Léa 2 ».\n"
    assert line("learners rename Léa2 Zoé")[1] == "Renommé : Zoé.\n"
    line("goals add Lire 20 mots {prénom} #lecture +Zoé")
    code, out, err = line("learners list")
    assert [row.split("  ", 1)[1] for row in out.splitlines()] == ["Léa — 0 objectif", "Zoé — 1 objectif"]
    zoe_id = out.splitlines()[1][:8]
    code, out, err = line(f"learners show {zoe_id[:5]}")
    assert code == 0
    assert out.splitlines()[0:2] == ["Objectifs de Zoé : 1 objectif", out.splitlines()[1][:8] + "  Lire 20 mots Zoé"]
    assert out.splitlines()[2:] == ["", "Plans de Zoé : 0 plan"]
    code, out, err = line("learners show Jules")
    assert (code, err) == (5, "Aucun élève « Jules » dans ce compte.\n")

    code, out, err = line("learners rm Zoé")
    assert code == 2 and "ajoutez --yes" in err
    assert line("learners rm zoe --yes")[1] == "Zoé est supprimé; ses objectifs restent dans « Ma collection ».\n"
    assert [row.split("  ", 1)[1] for row in line("learners list")[1].splitlines()] == ["Léa — 0 objectif"]


def test_an_id_beginning_that_fits_several_goals_lists_them(app, line):
    token = sign_up(app)

    async def seventeen(client: BanqoClient) -> None:  # 17 ids: two share their first character at least
        for number in range(17):
            await client.collection.create(f"Objectif numéro {number}")

    on_server(app, seventeen, token)
    line.login()
    ids = [row[:8] for row in line("goals list")[1].splitlines()]
    shared = next(first for first in "0123456789abcdef" if sum(goal_id.startswith(first) for goal_id in ids) > 1)
    code, out, err = line(f"goals rm {shared}")
    assert (code, out) == (5, "")
    lines = err.splitlines()
    assert lines[0] == f"L'identifiant « {shared} » en désigne plusieurs; donnez-en plus de caractères :"
    assert all(re.fullmatch(rf"{shared}[0-9a-f]{{31}}  Objectif numéro \d+", row) for row in lines[1:])
    assert len(lines) == 1 + sum(goal_id.startswith(shared) for goal_id in ids)


def test_summary_subscription_and_invoices_in_words(app, line, tmp_path):
    token = sign_up(app)

    async def subscribe(client: BanqoClient) -> None:
        setup = await client.payment_method.setup()
        card = await client.sandbox.confirm(setup.id, number=ACCEPTED, exp_month=12, exp_year=2030, cvc="123")
        method = await client.payment_method.get()
        await client.payment_method.replace(method.version, card.token)
        current = await client.subscription.get()
        await client.subscription.change(current.version, "monthly")

    on_server(app, subscribe, token)
    line.login()
    code, out, err = line("summary")
    assert "\nAbonnement\nAbonnement actif — offre mensuelle.\n" in out
    code, out, err = line("subscription show")
    lines = out.splitlines()
    assert lines[0] == "Actif — offre mensuelle"
    assert "Offres" in lines and "Les règles" in lines and "Méthode de paiement" in lines
    assert any(row.startswith("• Mensuel — ") and row.endswith("(actuelle)") for row in lines)
    assert lines[-1] == "Visa •••• 4242 — expire en 12/2030"
    assert json.loads(line("subscription show --json")[1])["subscription"]["state"] == "active"

    code, out, err = line("invoices list")
    (row,) = out.splitlines()
    invoice_id, rest = row.split("  ", 1)
    number = rest.split(" — ")[1]
    assert rest.endswith(" — Payée")
    code, out, err = line(f"invoices show {number}")
    assert code == 0 and out.startswith(f"Facture {number} — ") and "Vendeur : Services pédagogiques" in out
    target = tmp_path / "facture.pdf"
    code, out, err = line(f'invoices download {invoice_id} -o "{target}"')
    assert (code, out) == (0, f"Facture enregistrée : {target}\n")
    assert target.read_bytes().startswith(b"%PDF")
    assert line("invoices show F-0000")[0] == 5


def test_profile_show_and_set_with_the_server_s_field_messages(app, line):
    sign_up(app)
    line.login()
    code, out, err = line("profile show")
    assert out.splitlines()[:3] == ["Prénom : Léa", "Nom : Roy", "Courriel : lea@example.org"]
    assert out.splitlines()[-1] == "Aucune photo de profil."
    code, out, err = line("profile set postal_code h3w2w8")
    assert code == 0 and "Code postal : H3W 2W8" in out.splitlines()
    code, out, err = line("profile set province quebec")
    assert "Province : Québec (QC)" in out.splitlines()
    code, out, err = line('profile set street "2580, boulevard Laurier"')
    assert "Adresse : 2580, boulevard Laurier" in out.splitlines() and "Code postal : H3W 2W8" in out.splitlines()
    code, out, err = line("profile set postal_code 12345")
    assert (code, out) == (2, "") and err.startswith("Code postal : ")
    code, out, err = line("profile set email lea.roy@example.org --password-stdin", stdin=PASSWORD + "\n")
    assert code == 0 and "Courriel : lea.roy@example.org" in out.splitlines()


def test_support_messages_signed_out_from_stdin(app, line):
    code, out, err = line("support send --subject Question --message -", stdin="Bonjour,\nune question.\n")
    assert code == 2 and err.startswith("Votre courriel : ")
    code, out, err = line("support send --from lea@example.org --subject Question --message -",
                          stdin="Bonjour,\nune question.\n")
    assert (code, out, err) == (0, "Message envoyé. Nous vous répondrons sous peu.\n", "")


def test_a_bad_line_says_why_and_the_shell_goes_on(app, line):
    code, out, err = line("goals bogus")
    assert code == 2 and line.carry_on
    assert "usage: banqo goals" in err and "bogus" in err
    code, out, err = line('goals add "Lire')
    assert (code, err) == (2, "Guillemet non fermé : la ligne n'est pas lue.\n")
    code, out, err = line("help")
    assert code == 0 and "summary" in out and "learners" in out and "quit" in out
    assert "usage: banqo plans show" in line("help plans show")[1]
    assert line("banqo goals list")[0] == 3  # a line copied from the user guide, with its « banqo »
    line("quit")
    assert not line.carry_on


def test_words_apostrophes_and_quotes():
    assert split_words("goals add L'élève lit 20 mots #fluidité @lect +Léa") == [
        "goals", "add", "L'élève", "lit", "20", "mots", "#fluidité", "@lect", "+Léa"
    ]
    assert split_words('learners rename Léa "Léa Marie"') == ["learners", "rename", "Léa", "Léa Marie"]


def test_tab_completes_commands_actions_options_and_first_names(app, line):
    complete = line.shell.candidates
    assert complete("go") == ["goals"]
    assert complete("goals se") == ["search"]
    assert complete("goals search --c") == ["--catalogue"]
    assert complete("goals ") == ["add", "edit", "export", "import", "list", "restore", "rm", "search"]
    assert complete("plans list --state ") == ["active", "closed", "draft", "review"]
    assert complete("profile set po") == ["postal_code"]
    assert complete("help pl") == ["plans"]
    assert complete("banqo su") == ["subscription", "summary", "support"]
    assert complete("learners show ") == []  # signed out: no names to offer
    sign_up(app)
    line.login()
    line("learners add Léa")
    line("learners add Léa")
    assert complete("learners show L") == ["Léa", "Léa2"]
    assert complete("plans list --learner ") == ["Léa", "Léa2"]


def test_a_script_on_standard_input_runs_until_quit(app, tmp_path, memory_keyring):
    sign_up(app)
    shell = Line(app, tmp_path)
    shell.stdin.write(f"login --email lea@example.org --password-stdin\n{PASSWORD}\ngoals add Lire\n"
                      "goals rm zzzz\nquit\ngoals add Jamais lu\n")
    shell.stdin.seek(0)
    assert shell.shell.run() == 5
    out = shell.out.getvalue().splitlines()
    assert out[0].startswith("Connecté : ") and out[1].endswith("  Lire") and len(out) == 2
    assert shell.err.getvalue() == "Aucun objectif « zzzz » dans ma collection.\n"
