"""Deployment hardening: TLS settings from the environment, security headers, private files."""

import os
import runpy
import stat
import subprocess

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from support import BECOMING

import becoming.settings

SETTINGS = becoming.settings.__file__
HARDENING = ("BECOMING_TLS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "BECOMING_PROXY_SSL_HEADER",
             "BECOMING_CSP", "BECOMING_CLIENT_ADDRESS_HEADER")


@pytest.fixture
def load(monkeypatch, tmp_path):
    """Run settings.py afresh under these environment variables; returns its names."""
    def run(**env):
        monkeypatch.setenv("BECOMING_HOME", str(tmp_path / "home"))
        for name in HARDENING:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(SETTINGS)

    return run


def test_defaults_serve_plain_http_with_a_policy(load):
    s = load()
    assert not (s["SESSION_COOKIE_SECURE"] or s["CSRF_COOKIE_SECURE"] or s["SECURE_SSL_REDIRECT"])
    assert s["SECURE_HSTS_SECONDS"] == 0 and s["SECURE_PROXY_SSL_HEADER"] is None
    assert s["CONTENT_SECURITY_POLICY"].startswith("default-src 'self';")


def test_one_switch_for_tls(load):
    s = load(BECOMING_TLS="true", BECOMING_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_SSL_REDIRECT"]
    assert s["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    s = load(BECOMING_TLS="yes", SECURE_HSTS_SECONDS="300", SECURE_SSL_REDIRECT="off")
    assert s["SECURE_HSTS_SECONDS"] == 300 and not s["SECURE_SSL_REDIRECT"]


def test_the_policy_can_be_replaced_or_turned_off(load):
    assert load(BECOMING_CSP="off")["CONTENT_SECURITY_POLICY"] == ""
    custom = load(BECOMING_CSP="default-src 'self' ;  img-src  'self' https://img.example;")
    assert custom["CONTENT_SECURITY_POLICY"] == "default-src 'self'; img-src 'self' https://img.example"


@pytest.mark.parametrize("name, value", [
    ("BECOMING_TLS", "maybe"),
    ("SECURE_SSL_REDIRECT", "2"),
    ("SECURE_HSTS_SECONDS", "a year"),
    ("SECURE_HSTS_SECONDS", "-1"),
    ("BECOMING_PROXY_SSL_HEADER", "X-Forwarded-Proto: https"),
    ("BECOMING_CLIENT_ADDRESS_HEADER", "X Forwarded For"),
    ("BECOMING_CSP", "default-src 'self'\r\nX-Injected: 1"),
    ("BECOMING_CSP", "<script>"),
])
def test_a_bad_value_stops_start_up_naming_the_variable(load, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        load(**{name: value})


# -- headers -----------------------------------------------------------------------------------

@pytest.fixture
def tls(settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


@pytest.mark.django_db
def test_behind_tls_plain_http_is_redirected_and_cookies_are_secure(tls, owner):
    client = Client()  # after the settings: SecurityMiddleware reads them when first used
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    page = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == "max-age=31536000"
    assert page.cookies["csrftoken"]["secure"]
    signed_in = client.post("/login/", {"username": owner.email, "password": "pw"},
                            HTTP_X_FORWARDED_PROTO="https")
    assert signed_in.status_code == 302 and signed_in.cookies["sessionid"]["secure"]


@pytest.mark.django_db
def test_every_response_has_the_policy_and_no_hsts_without_tls(client):
    for path in ("/login/", "/api/v1/customers", "/static/becoming/becoming.css"):
        response = client.get(path)
        assert response["Content-Security-Policy"] == becoming.settings.DEFAULT_CSP, path
        assert "Strict-Transport-Security" not in response
    page = client.get("/login/")
    assert page["X-Content-Type-Options"] == "nosniff" and page["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_policy_can_be_off(settings, client):
    settings.CONTENT_SECURITY_POLICY = ""
    assert "Content-Security-Policy" not in client.get("/login/")


# -- files -------------------------------------------------------------------------------------

def test_the_data_directory_and_database_are_private(tmp_path):
    home = tmp_path / "new" / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["BECOMING_HOME"] = str(home)
    subprocess.run([BECOMING, "workspace", "create", "Private"], env=env, check=True,
                   capture_output=True, timeout=300)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    files = [p for p in home.iterdir() if p.is_file()]
    assert {"becoming.sqlite3", "queue.sqlite3", "secret_key"} <= {p.name for p in files}
    for path in files:  # -wal and -shm too, when SQLite left them
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
