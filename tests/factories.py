"""Test data made the way a person makes it: through the pages and the API, so a factory also walks the path it
builds on. Shared by every test module; a module's own helpers stay in it."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import select

from saas.projects.models import PipelineStage
from tests.conftest import Browser, link_in, query

NEW = {
    "name": "上海某某设计有限公司",
    "status": "intent",
    "industry": "餐饮",
    "tags": "VIP, 长期合作",
    "source": "转介绍",
}


def create(client, data=None) -> str:
    """A client made through the staff form (signed in as someone who may), its 360° page's URL."""
    response = client.submit("/app/clients/new", {**NEW, **(data or {})})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def client_with_contact(client, app, studio, name: str, email: str) -> tuple[str, str]:
    """A client with one contact who has an e-mail: the client's and the contact's URLs."""
    url = create(client, {"name": name})
    client.submit(f"{url}/contacts", {"name": "张伟", "email": email})
    from saas.clients.models import Contact

    contact = next(c for c in query(app, studio.tenant_id, select(Contact)) if c.email == email)
    return url, f"{url}/contacts/{contact.id}"


def invite(client, contact_url: str, outbox, email: str) -> str:
    """Invite the contact to the portal; the one-time link from the e-mail."""
    assert client.submit(f"{contact_url}/portal", {}).status_code == 302
    return link_in(outbox.last(email))


def stages(app, studio) -> dict[str, PipelineStage]:
    """The studio's pipeline stages by key (or name)."""
    return {s.key or s.name: s for s in query(app, studio.tenant_id, select(PipelineStage))}


def new_project(client, client_url: str, **data) -> str:
    """A project for the client at `client_url`, made through the form; its page's URL."""
    client_id = client_url.rsplit("/", 1)[1]
    form = {"client_id": client_id, "name": "Brand refresh", "type": "Brand identity", "value": "80,000.50"}
    response = client.submit("/app/projects/new", {**form, **data})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return response.headers["Location"]


def new_quote(client, client_url: str, lines: list[tuple[str, str, str, str]], **extra) -> str:
    """A quote with `lines` as (description, quantity, unit price, discount), made through the form."""
    form = {
        "client_id": client_url.rsplit("/", 1)[1],
        "title": "品牌设计",
        "line_description": [d for d, _q, _p, _x in lines],
        "line_quantity": [q for _d, q, _p, _x in lines],
        "line_unit": ["项"] * len(lines),
        "line_unit_price": [p for _d, _q, p, _x in lines],
        "line_discount": [x for _d, _q, _p, x in lines],
        **extra,
    }
    response = client.submit("/app/quotes/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def make_token(browser, role: str = "admin", name: str = "sync") -> str:
    """An API token made in the workspace by `browser` (signed in), with the given role."""
    page = browser.submit("/app/settings/api-tokens", {"name": name, "role": role})
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return re.search(r'class="token-value">(atl_[^<]+)<', page.get_data(as_text=True)).group(1)


def api(app, token: str | None):
    """A test client that speaks to the API with the bearer `token`."""
    app.test_client_class = Browser
    http = app.test_client()
    if token:
        http.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return http


def png_bytes(size=(120, 60), color=(47, 111, 94)) -> bytes:
    """A small PNG, as an upload or a logo."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()
