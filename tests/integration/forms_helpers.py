"""Building and filling public forms in tests: the owner builds from a preset in the staff pages; a visitor
fills the public page with answers keyed by the questions' targets (or English labels)."""

from __future__ import annotations

import re
import time

from flask import Flask
from sqlalchemy import select

from saas.forms import guard
from saas.forms.models import Form, Question
from tests.conftest import query


def build(client, preset: str = "intake", publish: bool = True) -> str:
    """As the signed-in owner: a form from `preset`, published; its builder URL."""
    response = client.submit("/app/forms", {"preset": preset})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    url = response.headers["Location"]
    if publish:
        assert client.submit(f"{url}/published").status_code == 302
    return url


def the_form(app: Flask, tenant_id, slug: str) -> Form:
    return next(f for f in query(app, tenant_id, select(Form)) if f.slug == slug)


def questions(app: Flask, tenant_id, form: Form) -> list[Question]:
    found = query(app, tenant_id, select(Question).where(Question.form_id == form.id))
    return sorted(found, key=lambda q: q.position)


def started(app: Flask, form: Form, seconds_ago: float = 10) -> str:
    with app.test_request_context():
        return guard.started_token(form.id, at=time.time() - seconds_ago)


def answers(app: Flask, tenant_id, form: Form, by_key: dict[str, object], seconds_ago: float = 10) -> dict:
    """Form data: `by_key` names a question by its target ("contact.phone") or its English label."""
    data: dict[str, object] = {"started": started(app, form, seconds_ago), guard.HONEYPOT: ""}
    for q in questions(app, tenant_id, form):
        for key in (q.target, q.label_en):
            if key in by_key:
                data[f"q_{q.id}"] = by_key[key]
    return data


def send(visitor, studio_slug: str, form_slug: str, data: dict, **kwargs):
    return visitor.post(f"/f/{studio_slug}/{form_slug}", data=data, **kwargs)


def started_in_page(html: str) -> str:
    match = re.search(r'name="started" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)
