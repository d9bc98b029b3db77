"""The `saas` command and the settings it starts from."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from saas.config import ConfigError, load_settings
from saas.files.storage import LocalStorage, S3Storage, storage_for
from saas.mail import OutboxMailer, SMTPMailer, mailer_for


def saas(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "saas.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_tenant_create_prints_ids_as_json(app, migrated):
    result = saas(
        migrated,
        "tenant",
        "create",
        "--name",
        "Lotus 莲花设计",
        "--slug",
        "lotus",
        "--owner-email",
        "he@lotus.test",
        "--password",
        "lotus-password-1",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    ids = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(ids) == {"tenant_id", "slug", "user_id", "membership_id"} and ids["slug"] == "lotus"


def test_tenant_create_refuses_bad_input_with_json_errors(app, migrated):
    result = saas(
        migrated,
        "tenant",
        "create",
        "--name",
        "X",
        "--slug",
        "Bad Slug",
        "--owner-email",
        "nope",
        "--password",
        "short",
        "--json",
    )
    assert result.returncode == 2
    errors = json.loads(result.stderr.strip().splitlines()[-1])["errors"]
    assert set(errors) == {"slug", "email", "password"}


def test_demo_is_idempotent_and_prints_every_role(app, migrated):
    first = saas(migrated, "demo")
    second = saas(migrated, "demo")
    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    for role in ("owner", "admin", "manager", "member", "finance", "field"):
        assert f"  {role}" in first.stdout


def test_demo_logins_work(app, migrated, client):
    saas(migrated, "demo")
    from saas.demo import DEMO_PASSWORD

    assert client.login("designer@demo.atelier.test", DEMO_PASSWORD).status_code == 302
    assert client.get("/app/").status_code == 200


def test_the_demo_studios_contacts_come_in_pinyin_order(app, migrated, client):
    """The demo's contacts (added by the seed through the contact service) list as pypinyin reads their names, not
    by code point (which would put 刘 before 张 before 王 before 陈)."""
    import re

    from pypinyin import Style, lazy_pinyin

    from saas.demo import DEMO_PASSWORD

    saas(migrated, "demo")
    assert client.login("owner@demo.atelier.test", DEMO_PASSWORD).status_code == 302
    page = client.get("/app/contacts").get_data(as_text=True)
    names = re.findall(r'<td class="row-title"[^>]*><strong>([^<]+)</strong>', page)
    assert len(names) >= 10 and names[:4] == ["陈晨", "陈思", "Claire Dubois", "Daniel Wong"]
    assert names == sorted(names, key=lambda n: " ".join(lazy_pinyin(n, style=Style.TONE3)).lower())


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        load_settings({"ATELIER_ENV": "production", "INSTANCE_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings({"ATELIER_ENV": "production", "SECRET_KEY": "short", "INSTANCE_DIR": str(tmp_path)})


def test_fast_password_hashing_is_refused_outside_tests_and_never_used_outside_a_test_app(tmp_path, app):
    from saas.tenants.passwords import TEST_METHOD, hash_password, verify_password

    for env in ("production", "development"):
        settings = {"ATELIER_ENV": env, "SECRET_KEY": "k" * 40, "INSTANCE_DIR": str(tmp_path)}
        with pytest.raises(ConfigError, match="FAST_PASSWORD_HASHING"):
            load_settings({**settings, "FAST_PASSWORD_HASHING": "1"})
    assert hash_password("correct-horse-battery").startswith("scrypt:32768:")  # no app: the real cost
    with app.app_context():  # the suite's app asks for the cheap cost, and either kind still verifies
        cheap = hash_password("correct-horse-battery")
        assert cheap.startswith(TEST_METHOD + "$") and verify_password(cheap, "correct-horse-battery")
        assert not verify_password(None, "correct-horse-battery")


def test_every_problem_is_reported_at_once(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings(
            {"ATELIER_ENV": "staging", "DATABASE_URL": "mysql://x", "SMTP_PORT": "abc", "INSTANCE_DIR": str(tmp_path)}
        )
    message = str(info.value)
    assert "ATELIER_ENV" in message and "DATABASE_URL" in message and "SMTP_PORT" in message


def test_stripe_needs_a_webhook_secret_and_keeps_its_secrets_out_of_the_logs(tmp_path):
    env = {"ATELIER_ENV": "development", "INSTANCE_DIR": str(tmp_path), "STRIPE_SECRET_KEY": "sk_test_platform"}
    with pytest.raises(ConfigError, match="STRIPE_WEBHOOK_SECRET"):
        load_settings(env)
    both = load_settings({**env, "STRIPE_WEBHOOK_SECRET": "whsec_one", "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_two"})
    assert both.stripe_enabled and both.stripe_webhook_secrets == ("whsec_one", "whsec_two")
    assert not any(secret in repr(both) for secret in ("sk_test_platform", "whsec_one", "whsec_two"))
    assert not load_settings({"ATELIER_ENV": "development", "INSTANCE_DIR": str(tmp_path)}).stripe_enabled


def test_development_keeps_a_generated_secret_key(tmp_path):
    env = {"ATELIER_ENV": "development", "INSTANCE_DIR": str(tmp_path)}
    first, second = load_settings(env), load_settings(env)
    assert len(first.secret_key) >= 32 and first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_embedded_defaults_and_switching_to_real_services(tmp_path):
    local = load_settings({"ATELIER_ENV": "development", "INSTANCE_DIR": str(tmp_path)})
    assert local.database_url.startswith("sqlite:///") and local.redis_url is None
    assert isinstance(storage_for(local), LocalStorage) and isinstance(mailer_for(local), OutboxMailer)

    real = load_settings(
        {
            "ATELIER_ENV": "development",
            "INSTANCE_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://app:pw@db/atelier",
            "REDIS_URL": "redis://r:6379/0",
            "S3_BUCKET": "files",
            "SMTP_HOST": "smtp.example",
        }
    )
    assert real.database_url == "postgresql+psycopg://app:pw@db/atelier"
    assert isinstance(storage_for(real), S3Storage) and isinstance(mailer_for(real), SMTPMailer)
    # Rate limits share Redis, through the one-round-trip counters (saas/web/redis_counters.py).
    assert real.flask_config()["RATELIMIT_STORAGE_URI"] == "atelier+redis://r:6379/0"
    assert local.flask_config()["RATELIMIT_STORAGE_URI"] == "local://"


def test_upgrading_a_database_with_follow_ups_counts_them_into_the_new_rollups(tmp_path):
    """Migration 0037 creates the dashboards' day rollups empty (RLS hides every studio from a migration):
    `saas db upgrade` from before it counts what the studios already have, so no dashboard starts at zero."""
    import uuid
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, func, insert, select, text

    from saas.clients.models import Client, Interaction
    from saas.clients.rollups import FollowUpDay

    url = f"sqlite:///{tmp_path / 'old.db'}"
    env = {"DATABASE_URL": url, "INSTANCE_DIR": str(tmp_path), "ATELIER_ENV": "development"}
    assert saas(env, "db", "upgrade", "0035").returncode == 0
    made = saas(
        env,
        "tenant",
        "create",
        "--name",
        "Old",
        "--slug",
        "old",
        "--owner-email",
        "o@old.test",
        "--password",
        "old-password-12",
        "--json",
    )
    assert made.returncode == 0, made.stderr
    ids = json.loads(made.stdout.strip().splitlines()[-1])
    tenant_id, author_id = uuid.UUID(ids["tenant_id"]), uuid.UUID(ids["user_id"])
    engine = create_engine(url)
    with engine.begin() as conn:
        client_id = uuid.uuid4()
        conn.execute(
            insert(Client.__table__).values(
                id=client_id,
                tenant_id=tenant_id,
                name="老客户",
                kind="company",
                status="signed",
                tags=[],
                search_text="老客户",
            )
        )
        for n in range(3):
            conn.execute(
                insert(Interaction.__table__).values(
                    id=uuid.uuid4(),
                    tenant_id=tenant_id,
                    client_id=client_id,
                    author_id=author_id,
                    kind="call",
                    occurred_at=datetime(2026, 11, 2 + n, 4, tzinfo=UTC),
                    summary=f"第 {n} 次",
                )
            )
        assert conn.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'follow_up_days'")) == 0

    upgraded = saas(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "rebuilt old" in upgraded.stdout
    with engine.connect() as conn:
        assert conn.scalar(select(func.sum(FollowUpDay.__table__.c.logged))) == 3
    engine.dispose()
