"""`banqo-server`: it serves on loopback freely, and never in clear text on the network."""

import pytest

from banqo_server import cli


@pytest.fixture
def uvicorn_calls(monkeypatch, tmp_path):
    """Record uvicorn.run instead of starting a server."""
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    monkeypatch.setenv("BANQO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BANQO_DATABASE_URL", raising=False)
    monkeypatch.delenv("BANQO_FORWARDED_ALLOW_IPS", raising=False)
    return calls


def test_refuses_a_public_address_without_tls_or_proxy(uvicorn_calls, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--host", "0.0.0.0"])
    assert exited.value.code == 2
    assert "TLS" in capsys.readouterr().err
    assert uvicorn_calls == []


def test_refuses_a_certificate_without_its_key(uvicorn_calls):
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--host", "0.0.0.0", "--ssl-certfile", "cert.pem"])
    assert exited.value.code == 2
    assert uvicorn_calls == []


def test_serves_on_loopback_without_trusting_forwarded_headers(uvicorn_calls):
    assert cli.main(["--port", "9123"]) == 0
    [options] = uvicorn_calls
    assert (options["host"], options["port"], options["proxy_headers"]) == ("127.0.0.1", 9123, False)


def test_behind_a_proxy_trusts_the_configured_proxy_addresses(uvicorn_calls, monkeypatch):
    monkeypatch.setenv("BANQO_FORWARDED_ALLOW_IPS", "10.0.0.5")
    assert cli.main(["serve", "--host", "0.0.0.0", "--behind-proxy"]) == 0
    [options] = uvicorn_calls
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "10.0.0.5"


def test_serves_tls_directly_on_a_public_address(uvicorn_calls):
    assert cli.main(["--host", "0.0.0.0", "--ssl-certfile", "c.pem", "--ssl-keyfile", "k.pem"]) == 0
    assert uvicorn_calls[0]["ssl_certfile"] == "c.pem"


def test_loopback_addresses():
    assert cli.is_loopback("127.0.0.1") and cli.is_loopback("::1") and cli.is_loopback("localhost")
    assert not cli.is_loopback("0.0.0.0") and not cli.is_loopback("192.168.1.10")
    assert not cli.is_loopback("example.org")
