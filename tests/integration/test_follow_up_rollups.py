"""The follow-ups' day rollup (saas/clients/rollups.py) against the follow-ups themselves: after a random mix of
creates, edits, next actions done and client deletions through the services, after an import undone in bulk, a
change of time zone, the rebuild command, and parallel writers; and another studio's rows never counted."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from saas.cli import main
from saas.clients import services
from saas.clients.models import Client, Interaction
from saas.clients.rollups import NOBODY, FollowUpDay, local_day
from saas.extensions import db
from saas.isolation import set_tenant
from saas.reports.widgets.team import follow_ups
from saas.tenants.models import Membership, Tenant
from saas.tenants.services import update_profile
from tests.conftest import Studio, add_member

KINDS = ("call", "wechat", "email", "meeting", "note")


def rolled(app, studio: Studio) -> Counter:
    """The rollup's non-zero counts: {(day, author, kind, "logged" | "done"): n}."""
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        found: Counter = Counter()
        for row in db.session.scalars(select(FollowUpDay)):
            found[(row.day, row.author_id, row.kind, "logged")] += row.logged
            found[(row.day, row.author_id, row.kind, "done")] += row.done
        return +found


def counted(app, studio: Studio) -> Counter:
    """The same counts from the follow-ups themselves, each day worked out in Python with zoneinfo."""
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        zone = db.session.get(Tenant, studio.tenant_id).timezone
        found: Counter = Counter()
        for f in db.session.scalars(select(Interaction)):
            who = f.author_id or NOBODY
            found[(local_day(f.occurred_at, zone), who, f.kind, "logged")] += 1
            if f.next_action_done_at is not None:
                found[(local_day(f.next_action_done_at, zone), who, f.kind, "done")] += 1
        return +found


def make_client(membership: Membership, name: str, status: str) -> Client:
    client = services.create_client(membership, {"name": name, "kind": "company", "status": status, "tags": []})
    db.session.flush()
    return client


def random_mix(app, studio: Studio, seed: int, steps: int = 80) -> None:
    """Clients made, follow-ups logged (by two people), edited (day, kind, author's own), next actions done, and
    clients deleted with their follow-ups: each step its own transaction, as requests are."""
    rng = random.Random(seed)
    people = [studio.owner_membership_id, add_member(app, studio, f"m{seed}@aurora.test", "member", "Mo")]
    for step in range(steps):
        with app.test_request_context():
            set_tenant(db.session(), studio.tenant_id)
            who = db.session.get(Membership, rng.choice(people))
            owner = db.session.get(Membership, studio.owner_membership_id)
            clients = db.session.scalars(select(Client).order_by(Client.name)).all()
            mine = db.session.scalars(select(Interaction).order_by(Interaction.id)).all()
            roll = rng.random()
            if not clients or roll < 0.15:
                make_client(who, f"Client {step}", "potential")
            elif roll < 0.5 or not mine:
                client = rng.choice(clients)
                action = {"next_action": "call back", "next_action_due": datetime.now(UTC).date()}
                data = {"kind": rng.choice(KINDS), "summary": "talked", **(action if rng.random() < 0.5 else {})}
                writer = who if client.owner_id == who.user_id else owner  # a member logs on their own clients
                services.log_interaction(writer, client, data)
            elif roll < 0.75:
                f = rng.choice(mine)  # moved to another day (around midnight in Shanghai) and kind
                when = datetime(2026, 1, 31, 15, 0, tzinfo=UTC) + timedelta(minutes=rng.randint(-90, 90))
                services.update_interaction(owner, f, {"occurred_at": when, "kind": rng.choice(KINDS)})
            elif roll < 0.88:
                f = rng.choice(mine)
                f.next_action = f.next_action or "visit"
                services.complete_next_action(owner, f)
            elif roll < 0.94:  # no service removes one follow-up alone today; the ORM's delete is counted out too
                db.session.delete(rng.choice(mine))
            else:
                client = rng.choice(clients)
                services.delete_client(owner, client, client.name)
            db.session.commit()


@pytest.mark.parametrize("seed", [1, 2])
def test_the_rollup_equals_the_follow_ups_after_a_random_mix_and_after_the_rebuild(app, studio, seed):
    random_mix(app, studio, seed)
    expected = counted(app, studio)
    assert sum(n for k, n in expected.items() if k[3] == "logged") > 3  # the mix did log and keep some
    assert any(k[3] == "done" for k in expected)
    assert rolled(app, studio) == expected
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(delete(FollowUpDay))  # lost (a restore without it): the rebuild counts it again
        db.session.commit()
    assert rolled(app, studio) == Counter()
    result = app.test_cli_runner().invoke(main, ["rollups", "rebuild", "--tenant", studio.slug])
    assert result.exit_code == 0, result.output
    assert rolled(app, studio) == expected


def test_a_change_of_time_zone_moves_the_days(app, studio):
    with app.test_request_context():
        set_tenant(db.session(), studio.tenant_id)
        owner = db.session.get(Membership, studio.owner_membership_id)
        client = make_client(owner, "鹿鸣咖啡", "potential")
        f = services.log_interaction(owner, client, {"kind": "call", "summary": "电话"})
        services.update_interaction(owner, f, {"occurred_at": datetime(2026, 1, 31, 15, 30, tzinfo=UTC)})
        db.session.commit()
    assert {k[0].isoformat() for k in rolled(app, studio)} == {"2026-01-31"}  # 23:30 in Shanghai
    with app.test_request_context():
        set_tenant(db.session(), studio.tenant_id)
        tenant = db.session.get(Tenant, studio.tenant_id)
        update_profile(tenant, {"timezone": "Europe/Paris", "version": tenant.version})
        db.session.commit()
    assert {k[0].isoformat() for k in rolled(app, studio)} == {"2026-01-31"}  # 16:30 in Paris, same day
    with app.test_request_context():
        set_tenant(db.session(), studio.tenant_id)
        tenant = db.session.get(Tenant, studio.tenant_id)
        update_profile(tenant, {"timezone": "Pacific/Auckland", "version": tenant.version})
        db.session.commit()
    assert rolled(app, studio) == counted(app, studio)
    assert {k[0].isoformat() for k in rolled(app, studio)} == {"2026-02-01"}  # 04:30 the next day


def test_an_import_undone_in_bulk_counts_its_follow_ups_out(app, studio):
    with app.test_request_context():
        set_tenant(db.session(), studio.tenant_id)
        owner = db.session.get(Membership, studio.owner_membership_id)
        for n in range(3):
            client = make_client(owner, f"Imported {n}", "intent")
            db.session.flush()
            services.log_interaction(owner, client, {"kind": "call", "summary": "hello"})
        kept = make_client(owner, "Kept", "intent")
        db.session.flush()
        services.log_interaction(owner, kept, {"kind": "email", "summary": "hello"})
        db.session.commit()
        # As saas/imports undoes an import: one DELETE for its clients, the follow-ups going by cascade.
        db.session.execute(
            delete(Client).where(Client.name.like("Imported%")).execution_options(synchronize_session=False)
        )
        db.session.commit()
    assert rolled(app, studio) == counted(app, studio)
    assert sum(rolled(app, studio).values()) == 1


def test_another_studios_follow_ups_are_never_counted(app, studio, other_studio):
    for s, n in ((studio, 2), (other_studio, 5)):
        with app.test_request_context():
            set_tenant(db.session(), s.tenant_id)
            owner = db.session.get(Membership, s.owner_membership_id)
            client = make_client(owner, "Same name", "intent")
            db.session.flush()
            for _ in range(n):
                services.log_interaction(owner, client, {"kind": "call", "summary": "hi"})
            db.session.commit()
    assert sum(rolled(app, studio).values()) == 2 and sum(rolled(app, other_studio).values()) == 5
    runner = app.test_cli_runner().invoke(main, ["rollups", "rebuild"])  # every studio, each its own
    assert runner.exit_code == 0, runner.output
    assert sum(rolled(app, studio).values()) == 2 and sum(rolled(app, other_studio).values()) == 5
    from flask import g
    from werkzeug.datastructures import MultiDict

    from saas.reports import filters

    with app.test_request_context("/app/dashboard"):
        set_tenant(db.session(), studio.tenant_id)
        membership = db.session.get(Membership, studio.owner_membership_id)
        g.membership, g.tenant = membership, membership.tenant
        today = local_day(datetime.now(UTC), "Asia/Shanghai")
        found = filters.read(MultiDict({"period": "year"}), today, "Asia/Shanghai", filters.studio_member_ids())
        assert [(p.name, p.value) for p in follow_ups(filters.Scope(membership, found))] == [("Owner of aurora", 2)]


@pytest.mark.postgres
def test_parallel_follow_ups_on_one_day_all_count_without_a_deadlock(app, studio):
    with app.test_request_context():
        set_tenant(db.session(), studio.tenant_id)
        owner = db.session.get(Membership, studio.owner_membership_id)
        ids = []
        for n in range(4):
            client = make_client(owner, f"Busy {n}", "intent")
            db.session.flush()
            ids.append(client.id)
        db.session.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            with app.test_request_context():
                set_tenant(db.session(), studio.tenant_id)
                owner = db.session.get(Membership, studio.owner_membership_id)
                start.wait()
                for k in range(5):  # two kinds, several clients: the same rollup rows from every thread
                    client = db.session.get(Client, ids[(n + k) % len(ids)])
                    services.log_interaction(owner, client, {"kind": KINDS[k % 2], "summary": "busy"})
                    db.session.commit()
        except BaseException as exc:  # reported below: a thread's failure fails the test
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(n for k, n in rolled(app, studio).items() if k[3] == "logged") == 40
    assert rolled(app, studio) == counted(app, studio)


def test_the_rebuild_refuses_an_unknown_studio(app, studio):
    result = app.test_cli_runner().invoke(main, ["rollups", "rebuild", "--tenant", "nowhere"])
    assert result.exit_code == 2 and "no studio nowhere" in result.output


def builder_groups(app, studio: Studio, membership_id, **raw: str) -> tuple[dict, bool]:
    """The builder's groups for a definition as `membership_id` reads it, and whether the rollup answered."""
    from saas.reports.builder.compiler import compile_definition, compute, context_for
    from saas.reports.builder.definition import check

    with app.test_request_context(headers={"Accept-Language": "en"}):
        set_tenant(db.session(), studio.tenant_id)
        membership = db.session.get(Membership, membership_id)
        definition = check(membership, {"chart": "bar", **raw}, "en")
        ctx = context_for(membership.tenant, "en")
        rolled_up = "follow_up_days" in str(compile_definition(definition, membership, ctx).total)
        groups = {key: cell.total for key, cell in compute(definition, membership, ctx).items()}
        db.session.rollback()
        return groups, rolled_up


def test_the_builder_reads_follow_ups_per_person_per_month_from_the_rollup_with_the_same_figures(app, studio):
    random_mix(app, studio, 3)
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        member_id = db.session.scalar(select(Membership.id).where(Membership.role == "member"))
    expected: Counter = Counter()
    for (day, author, _kind, measure), n in counted(app, studio).items():
        if measure == "logged":
            expected[(day.replace(day=1), None if author == NOBODY else str(author))] += n
    owner = {"source": "follow_ups", "measure": "count", "dim1": "occurred:month", "dim2": "owner"}
    groups, rolled_up = builder_groups(app, studio, studio.owner_membership_id, **owner)
    assert rolled_up and groups == dict(expected)  # months emptied by deletions are left out, as the rows would be
    by_kind, rolled_up = builder_groups(app, studio, studio.owner_membership_id, source="follow_ups", measure="count",
                                        dim1="kind", **{"from": "2026-01-31", "to": "2026-01-31"})  # fmt: skip
    assert rolled_up and sum(by_kind.values()) == sum(
        n for (day, *_rest, m), n in counted(app, studio).items() if m == "logged" and day == date(2026, 1, 31)
    )
    # A member sees only their clients' follow-ups: counted from the rows, never from the studio-wide rollup.
    _mine, rolled_up = builder_groups(app, studio, member_id, **owner)
    assert not rolled_up
