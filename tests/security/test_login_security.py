"""Sign-in security: passwords must pass the validators, and wrong passwords are throttled per
account and per client address, with one answer whether or not the account exists."""

import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from becoming.workspaces.actions import add_member

pytestmark = pytest.mark.django_db
LOCKED = "Too many failed sign-ins. Please wait 15 minutes and try again."


@pytest.fixture
def validators(settings):
    """The production validators (tests/conftest.py turns them off for the "pw" fixtures)."""
    from importlib import import_module

    settings.AUTH_PASSWORD_VALIDATORS = import_module("becoming.settings").AUTH_PASSWORD_VALIDATORS
    return settings.AUTH_PASSWORD_VALIDATORS


def sign_in(email, password, address="203.0.113.7", client=None, **headers):
    """POST the login form; returns (signed in?, the error shown)."""
    response = (client or Client()).post(reverse("login"), {"username": email, "password": password},
                                         REMOTE_ADDR=address, **headers)
    if response.status_code == 302:
        return True, ""
    error = re.search(r'<div class="error" role="alert">(.*?)</div>', response.content.decode())
    return False, error.group(1) if error else ""


def fail_times(n, email, address="203.0.113.7", **headers):
    for _ in range(n):
        ok, error = sign_in(email, "wrong", address, **headers)
        assert not ok and error != LOCKED


# -- password validators -----------------------------------------------------------------------

def test_a_weak_password_is_refused_with_the_validators_reasons(validators, workspace):
    with pytest.raises(ValidationError) as refused:
        add_member(workspace, "new@acme.test", "member", password="a")
    assert any("password: This password is too short" in m for m in refused.value.messages)
    for weak in ("password1234", "123456789012", "new@acme.test1"):
        with pytest.raises(ValidationError):
            add_member(workspace, "new@acme.test", "member", password=weak)
    from django.contrib.auth.models import User

    assert not User.objects.filter(email="new@acme.test").exists()  # nothing half-written
    user = add_member(workspace, "new@acme.test", "member", password="plum-orbit-cactus-42").user
    assert user.check_password("plum-orbit-cactus-42")


def test_an_existing_users_new_password_is_checked_too(workspace, member, validators):
    with pytest.raises(ValidationError):
        add_member(workspace, member.email, "member", password="short")
    member.refresh_from_db()
    assert member.check_password("pw")


def test_the_cli_refuses_a_weak_password(becoming):
    slug = becoming("workspace", "create", "Weak Co").stdout.strip()
    refused = becoming("user", "create", "lead@weak.test", "--workspace", slug, "--role", "admin",
                       "--password-stdin", stdin="a\n", ok=False)
    assert refused.returncode == 1
    assert "error: password: This password is too short." in refused.stderr


# -- throttling --------------------------------------------------------------------------------

def test_five_failures_lock_the_account_even_for_the_right_password(owner):
    fail_times(5, owner.email)
    assert sign_in(owner.email, "pw") == (False, LOCKED)
    assert sign_in(owner.email, "pw", address="198.51.100.9") == (False, LOCKED)  # any address
    assert sign_in("admin@acme.test", "wrong")[1] != LOCKED  # other accounts are not locked


def test_an_unknown_account_locks_with_the_same_answer(owner):
    fail_times(5, "nobody@acme.test")
    assert sign_in("nobody@acme.test", "pw") == (False, LOCKED)
    fail_times(5, owner.email, address="198.51.100.9")
    assert sign_in(owner.email, "pw") == (False, LOCKED)


def test_the_account_is_keyed_as_the_backend_reads_it(owner):
    fail_times(5, "  Owner@ACME.test ")
    assert sign_in(owner.email, "pw") == (False, LOCKED)


def test_twenty_failures_lock_the_address(owner):
    for i in range(20):
        fail_times(1, f"guess{i}@acme.test")
    assert sign_in(owner.email, "pw") == (False, LOCKED)
    assert sign_in(owner.email, "pw", address="198.51.100.9") == (True, "")


def test_a_right_password_forgives_the_accounts_typos(owner):
    fail_times(4, owner.email)
    assert sign_in(owner.email, "pw")[0]
    fail_times(4, owner.email)
    assert sign_in(owner.email, "pw")[0]


def test_the_lock_ends(settings, owner):
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "lockout": 1}
    fail_times(5, owner.email)
    assert sign_in(owner.email, "pw")[1].startswith("Too many failed sign-ins")
    time.sleep(1.2)
    assert sign_in(owner.email, "pw") == (True, "")


def test_behind_a_proxy_clients_are_told_apart_by_the_named_header(settings, owner):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "10.0.0.1"
    for i in range(20):
        # The client may send its own X-Forwarded-For; only the proxy's last entry counts.
        fail_times(1, f"guess{i}@acme.test", proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.7")
    locked = sign_in(owner.email, "pw", proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert locked == (False, LOCKED)
    assert sign_in(owner.email, "pw", proxy, HTTP_X_FORWARDED_FOR="198.51.100.9") == (True, "")
