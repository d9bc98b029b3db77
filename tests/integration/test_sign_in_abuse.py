"""Brute force against a staff account is slowed down, and cannot be turned against the person it targets:
whoever knows an owner's e-mail can only lock themselves out (OWASP authentication guidance: per account and
source, known devices let through)."""

from __future__ import annotations

from tests.conftest import PASSWORD


def _from(new_client, ip: str):
    browser = new_client()
    browser.environ_base["REMOTE_ADDR"] = ip
    return browser


def test_a_stranger_guessing_from_elsewhere_locks_only_themselves_out(new_client, studio):
    attacker = _from(new_client, "203.0.113.9")
    for _ in range(4):
        assert attacker.login(studio.owner_email, "wrong-password-1").status_code == 401
    assert attacker.login(studio.owner_email, "wrong-password-1").status_code == 429
    assert attacker.login(studio.owner_email, PASSWORD).status_code == 429  # even the right password, from there

    owner = _from(new_client, "198.51.100.7")
    assert owner.login(studio.owner_email).status_code == 302  # the person, from their own place


def test_the_persons_own_browser_gets_in_even_from_the_attackers_address(new_client, studio):
    shared_office = "203.0.113.50"
    owner = _from(new_client, shared_office)
    assert owner.login(studio.owner_email).status_code == 302  # signs in once: the browser is known from now on
    owner.post("/logout", data={"csrf_token": owner.csrf_token()})

    attacker = _from(new_client, shared_office)  # the same address, another browser
    for _ in range(6):
        attacker.login(studio.owner_email, "wrong-password-1")
    assert attacker.login(studio.owner_email, PASSWORD).status_code == 429
    assert owner.login(studio.owner_email).status_code == 302


def test_guessing_from_many_places_makes_unknown_browsers_wait_but_not_the_persons(new_client, studio):
    owner = _from(new_client, "198.51.100.7")
    assert owner.login(studio.owner_email).status_code == 302
    owner.post("/logout", data={"csrf_token": owner.csrf_token()})

    for n in range(20):  # a botnet: one try from each address, no address ever locked on its own
        assert _from(new_client, f"192.0.2.{n + 1}").login(studio.owner_email, "wrong").status_code in (401, 429)
    stranger = _from(new_client, "192.0.2.200")
    refused = stranger.login(studio.owner_email, PASSWORD)
    assert refused.status_code == 429 and "reset your password" in refused.get_data(as_text=True)
    assert owner.login(studio.owner_email).status_code == 302  # the known browser is let through


def test_a_known_browser_is_not_a_free_pass_for_guessing(new_client, studio):
    owner = _from(new_client, "198.51.100.7")
    assert owner.login(studio.owner_email).status_code == 302
    owner.post("/logout", data={"csrf_token": owner.csrf_token()})
    for _ in range(5):
        owner.login(studio.owner_email, "wrong-password-1")
    assert owner.login(studio.owner_email).status_code == 429  # a stolen laptop waits like anyone else
    assert _from(new_client, "198.51.100.8").login(studio.owner_email).status_code == 302


def test_a_forged_device_cookie_counts_for_nothing(new_client, studio):
    forger = _from(new_client, "203.0.113.9")
    forger.set_cookie("atelier_device", "eyJ1IjoiYWRtaW4ifQ.forged.signature")
    for _ in range(5):
        forger.login(studio.owner_email, "wrong-password-1")
    assert forger.login(studio.owner_email, PASSWORD).status_code == 429
