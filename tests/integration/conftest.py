"""Fixtures shared by the integration tests."""

from __future__ import annotations

import io

import pytest

from tests.factories import api, make_token


@pytest.fixture
def seeded(app, client, studio) -> dict[str, str]:
    """An admin token and one record of each kind the paths name, so that cases reach the rules, not a 404."""
    client.login(studio.owner_email)
    token = make_token(client)
    http = api(app, token)
    ids = {"token": token}
    for key, kind in (("area", "number"), ("style", "choices")):
        form = {"key": key, "label_en": key.title(), "type": kind, "choices": "modern | Modern | 现代"}
        assert client.submit("/app/settings/fields/new?entity=client", form).status_code == 302
    ids["definition_id"] = http.get("/api/v1/custom-fields").get_json()["data"][0]["id"]
    found = http.post("/api/v1/clients", json={"name": "属性测试客户", "tags": ["VIP"]}).get_json()
    ids["client_id"] = found["id"]
    contact = {"name": "张伟", "phone": "13800138000", "email": "zw@example.com"}
    ids["contact_id"] = http.post(f"/api/v1/clients/{found['id']}/contacts", json=contact).get_json()["id"]
    follow_up = {"kind": "call", "summary": "初次沟通"}
    ids["interaction_id"] = http.post(f"/api/v1/clients/{found['id']}/interactions", json=follow_up).get_json()["id"]
    project = http.post("/api/v1/projects", json={"client_id": found["id"], "name": "品牌升级"}).get_json()
    ids["project_id"] = project["id"]
    task = http.post(f"/api/v1/projects/{project['id']}/tasks", json={"title": "出初稿"}).get_json()
    ids["task_id"] = task["id"]
    lines = [{"description": "标志设计", "quantity": 1, "unit_price_minor": 1_000_000}]
    quote = http.post("/api/v1/quotes", json={"client_id": found["id"], "title": "报价", "lines": lines}).get_json()
    ids["quote_id"] = quote["id"]
    contract = {"client_id": found["id"], "title": "合同", "amount_minor": 500_000}
    ids["contract_id"] = http.post("/api/v1/contracts", json=contract).get_json()["id"]
    invoice = {"client_id": found["id"], "title": "首期款", "amount_minor": 300_000, "due_on": "2027-01-31"}
    ids["invoice_id"] = http.post("/api/v1/invoices", json=invoice).get_json()["id"]
    ids["name"] = "VIP"
    upload = {"file": (io.BytesIO("客户名称,手机\n属性导入客户,13800138001\n".encode()), "clients.csv")}
    ids["job_id"] = http.post("/api/v1/imports", data=upload, content_type="multipart/form-data").get_json()["id"]
    definition = {"source": "clients", "measure": "count", "dim1": "status"}
    ids["report_id"] = http.post("/api/v1/reports", json={"name": "报表", "definition": definition}).get_json()["id"]
    assert http.post("/api/v1/exports", json={"list": "clients"}).status_code == 200  # streamed at once
    ids["export_id"] = http.get("/api/v1/exports").get_json()["data"][0]["id"]
    return ids
