"""REST API v1 for imports, exports and saved reports, through HTTP with API tokens: the same rules as the
workspace's pages (saas.imports/exports/reports services), their permissions (data.import, data.export,
reports.build, reports.studio), strict input (400/422 and nothing written), If-Match on reports, and studio
isolation: another studio's import, export and report ids are 404 and leak nothing."""

from __future__ import annotations

import csv
import io
import uuid

from openpyxl import load_workbook
from sqlalchemy import select

from saas.clients.models import Client
from saas.exports.models import Export
from saas.imports.models import ClientImport
from saas.reports.builder.models import SavedReport
from tests.conftest import add_member, query
from tests.factories import api, make_token

CSV = (
    "客户名称,联系人,手机,状态\n"
    "重庆山城设计,王芳,138 0013 8000,签约\n"
    "北京北辰文化,李雷,13912345678,意向\n"
    ",无名,1,签约\n"  # no name: fails
)
DEFINITION = {"source": "clients", "measure": "count", "dim1": "status", "chart": "bar"}


def _token(client, email: str, role: str = "admin") -> str:
    client.login(email)
    return make_token(client, role)


def _upload(http, content: bytes, filename: str = "clients.csv"):
    return http.post(
        "/api/v1/imports", data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


# --- imports ---------------------------------------------------------------------------------------------------


def test_an_import_is_uploaded_previewed_remapped_started_followed_and_undone(app, client, studio):
    http = api(app, _token(client, studio.owner_email))
    uploaded = _upload(http, CSV.encode())
    assert uploaded.status_code == 201, uploaded.get_json()
    job = uploaded.get_json()
    assert job["status"] == "ready" and job["total_rows"] == 3 and job["headers"][0] == "客户名称"
    assert job["mapping"]["0"] == "name" and uploaded.headers["Location"] == f"/api/v1/imports/{job['id']}"
    url = uploaded.headers["Location"]

    preview = http.get(f"{url}/preview").get_json()
    assert [r["number"] for r in preview["rows"]] == [2, 3, 4] and "name" in preview["fields"]
    assert preview["rows"][0]["saved"]["name"] == "重庆山城设计" and preview["rows"][0]["problems"] == []
    assert preview["rows"][2]["problems"], "the row without a name says what is wrong with it"

    etag = http.get(url).headers["ETag"]
    without_phone = {k: v for k, v in job["mapping"].items() if v != "phone"}
    changed = http.patch(url, json={"mapping": without_phone, "duplicates": "update"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["duplicates"] == "update"
    assert "phone" not in changed.get_json()["mapping"].values()
    assert http.patch(url, json={"duplicates": "skip"}, headers={"If-Match": etag}).status_code == 412

    started = http.post(f"{url}/start")
    assert started.status_code == 202 and started.get_json()["status"] == "queued"
    progress = http.get(f"{url}/progress").get_json()  # the job ran inline once the request committed
    assert progress | {"seconds_left": None} == progress and progress["finished"] is True
    assert (progress["done"], progress["total"], progress["created"], progress["failed"]) == (3, 3, 2, 1)
    assert sorted(c.name for c in query(app, studio.tenant_id, select(Client))) == ["北京北辰文化", "重庆山城设计"]

    failed = http.get(f"{url}/failed-rows")
    assert failed.status_code == 200 and failed.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(failed.data)).active.iter_rows(values_only=True))
    assert rows[1][0] == 4 and "无名" in rows[1]
    assert http.post(f"{url}/start").status_code == 422  # already started

    undone = http.post(f"{url}/undo")
    assert undone.status_code == 202 and undone.get_json()["status"] == "undoing"
    assert http.get(url).get_json()["status"] == "undone"  # the job ran (inline here, no Redis)
    assert http.post(f"{url}/undo").status_code == 422  # nothing left to undo
    assert query(app, studio.tenant_id, select(Client)) == []
    listed = http.get("/api/v1/imports")
    assert [i["id"] for i in listed.get_json()["data"]] == [job["id"]]
    assert int(listed.headers["X-RateLimit-Remaining"]) < int(listed.headers["X-RateLimit-Limit"])  # the API's limit


def test_bad_imports_get_a_clear_answer_and_write_nothing(app, client, studio):
    http = api(app, _token(client, studio.owner_email))
    binary = _upload(http, bytes(range(256)) * 4, "clients.csv")
    assert binary.status_code == 422 and "not a CSV text file" in binary.get_json()["errors"]["file"][0]
    assert _upload(http, b"\x89PNG\r\n", "photo.png").status_code == 422
    assert _upload(http, "客户名称\n".encode(), "empty.csv").status_code == 422
    assert http.post("/api/v1/imports", json={"file": "clients.csv"}).status_code == 422
    nul_name = _upload(http, CSV.encode(), "cli\x00ents.csv")
    assert nul_name.status_code == 422 and "errors" in nul_name.get_json()
    raw = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="clients-\xff\xfe.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + CSV.encode() + b"\r\n--B--\r\n"
    )
    broken_name = http.post("/api/v1/imports", data=raw, content_type="multipart/form-data; boundary=B")
    assert broken_name.status_code == 422 and "errors" in broken_name.get_json()
    baseline = {i.id for i in query(app, studio.tenant_id, select(ClientImport))}

    url = _upload(http, CSV.encode()).headers["Location"]
    etag = http.get(url).headers["ETag"]
    for body, field in (
        ({"mapping": {"0": "no_such_field"}}, "column_0"),
        ({"mapping": {"0": "name", "1": "name"}}, "column_1"),
        ({"mapping": {"1": "contact_name"}}, "mapping"),
        ({"mapping": {"x": "name"}}, "mapping.x.key"),
        ({"duplicates": "merge"}, "duplicates"),
        ({"colour": "red"}, "colour"),
    ):
        refused = http.patch(url, json=body, headers={"If-Match": etag})
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (body, refused.get_json())
    nul = http.patch(url, json={"mapping": {"0": "na\x00me"}}, headers={"If-Match": etag})
    assert nul.status_code == 422
    broken = http.patch(
        url, data=b'{"duplicates": "\xff\xfe"}', content_type="application/json", headers={"If-Match": etag}
    )
    assert broken.status_code in (400, 422)
    assert http.get(url).get_json()["mapping"]["0"] == "name" and http.get(url).headers["ETag"] == etag
    assert {i.id for i in query(app, studio.tenant_id, select(ClientImport))} - baseline == {uuid.UUID(url[-36:])}
    assert query(app, studio.tenant_id, select(Client)) == []


def test_only_owners_admins_and_managers_import_through_the_api(app, client, new_client, studio):
    owner_http = api(app, _token(client, studio.owner_email))
    url = _upload(owner_http, CSV.encode()).headers["Location"]
    for role in ("member", "finance", "field"):
        limited = api(app, make_token(client, role, f"{role} tool"))
        assert limited.get("/api/v1/imports").status_code == 403, role
        assert _upload(limited, CSV.encode()).status_code == 403, role
        assert limited.get(url).status_code == 404 and limited.post(f"{url}/start").status_code == 404, role
    manager = api(app, make_token(client, "manager", "manager tool"))
    assert manager.get(url).status_code == 200
    assert len(query(app, studio.tenant_id, select(ClientImport))) == 1


# --- exports ---------------------------------------------------------------------------------------------------


def _clients(http, *names: str) -> None:
    for name in names:
        assert http.post("/api/v1/clients", json={"name": name}).status_code == 201


def test_a_small_export_is_the_file_itself_with_the_lists_filters(app, client, studio):
    http = api(app, _token(client, studio.owner_email))
    _clients(http, "鹿鸣咖啡", "Harbour Lane")
    answer = http.post("/api/v1/exports", json={"list": "clients", "format": "csv", "filters": {"q": "鹿鸣"}})
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["鹿鸣咖啡"]
    xlsx = http.post("/api/v1/exports", json={"list": "projects", "format": "xlsx"})
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.data)).active.max_row == 1
    listed = http.get("/api/v1/exports").get_json()["data"]
    assert [(e["list"], e["state"], e["file_url"]) for e in listed] == [
        ("projects", "streamed", None),
        ("clients", "streamed", None),
    ]
    assert listed[1]["filters"] == {"q": "鹿鸣"} and listed[1]["rows"] == 1


def test_a_large_export_is_a_job_to_poll_and_download_by_its_author_alone(app, client, new_client, studio):
    http = api(app, _token(client, studio.owner_email))
    _clients(http, "鹿鸣咖啡", "Harbour Lane", "竹林茶社")
    app.config["EXPORT_JOB_ROWS"] = 2
    try:
        queued = http.post("/api/v1/exports", json={"list": "clients", "format": "xlsx"})
    finally:
        app.config.pop("EXPORT_JOB_ROWS")
    assert queued.status_code == 202 and queued.get_json()["state"] == "queued", queued.get_json()
    url = f"/api/v1/exports/{queued.get_json()['id']}"
    ready = http.get(url).get_json()  # the job ran inline once the request committed
    assert (ready["state"], ready["rows"], ready["file_url"]) == ("ready", 3, f"{url}/file")
    file = http.get(ready["file_url"])
    assert file.status_code == 200 and load_workbook(io.BytesIO(file.data)).active.max_row == 4
    add_member(app, studio, "zhou@aurora.test", "admin")
    colleague = new_client()
    colleague.login("zhou@aurora.test")
    theirs = api(app, make_token(colleague))
    assert theirs.get(url).status_code == 404 and theirs.get(f"{url}/file").status_code == 404
    assert theirs.get("/api/v1/exports").get_json()["data"] == []


def test_export_permissions_are_the_pages(app, client, studio):
    http = api(app, _token(client, studio.owner_email))
    _clients(http, "鹿鸣咖啡")
    field = api(app, make_token(client, "field", "field tool"))
    assert field.post("/api/v1/exports", json={"list": "clients"}).status_code == 403
    assert field.get("/api/v1/exports").status_code == 403
    member = api(app, make_token(client, "member", "member tool"))
    assert member.post("/api/v1/exports", json={"list": "payments"}).status_code == 403
    finance = api(app, make_token(client, "finance", "finance tool"))
    sheet = finance.post("/api/v1/exports", json={"list": "clients"}).get_data(as_text=True)
    header = next(csv.reader(io.StringIO(sheet.lstrip("\ufeff"))))
    assert "Last follow-up" not in header and "最近跟进" not in header and header[0]
    assert finance.post("/api/v1/exports", json={"list": "payments"}).status_code == 200
    assert len(query(app, studio.tenant_id, select(Export))) == 2


def test_bad_exports_are_refused_and_write_nothing(app, client, studio):
    http = api(app, _token(client, studio.owner_email))
    for body, field in (
        ({"list": "secrets"}, "list"),
        ({"list": "clients", "format": "pdf"}, "format"),
        ({"list": "clients", "filters": {"status": "famous"}}, "filters.status"),
        ({"list": "clients", "filters": {"colour": "red"}}, "filters.colour"),
        ({"list": "invoices", "filters": {"cf.area": "1"}}, "filters.cf"),
        ({"list": "payments", "filters": {"from": "yesterday"}}, "filters.from"),
        ({"list": "clients", "filters": "status=signed"}, "filters"),
        ({"list": "clients", "filters": {"q": "鹿\x00鸣"}}, "filters.q"),
    ):
        refused = http.post("/api/v1/exports", json=body)
        assert refused.status_code == 422, (body, refused.get_data(as_text=True)[:300])
        assert field in refused.get_json()["errors"], (body, refused.get_json())
    broken = http.post("/api/v1/exports", data=b'{"list": "clients\xff"}', content_type="application/json")
    assert broken.status_code in (400, 422)
    assert query(app, studio.tenant_id, select(Export)) == []


# --- reports ---------------------------------------------------------------------------------------------------


def test_a_report_is_saved_read_changed_with_if_match_run_and_deleted(app, client, studio):
    http = api(app, _token(client, studio.owner_email))
    _clients(http, "鹿鸣咖啡", "Harbour Lane")
    created = http.post("/api/v1/reports", json={"name": "By status", "definition": DEFINITION})
    assert created.status_code == 201, created.get_json()
    url = created.headers["Location"]
    assert created.get_json()["definition"] | {"dim2": "", "from": "", "to": ""} == created.get_json()["definition"]
    rows = http.get(f"{url}/rows").get_json()
    assert rows["kind"] == "bar" and rows["unit"] == "count"
    assert sum(r["values"][0] for r in rows["rows"]) == 2 and rows["categories"] == [
        r["category"] for r in rows["rows"]
    ]

    etag = http.get(url).headers["ETag"]
    renamed = http.patch(url, json={"name": "Clients by status"}, headers={"If-Match": etag})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Clients by status"
    assert renamed.get_json()["definition"]["source"] == "clients"
    stale = http.patch(url, json={"name": "Lost edit"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and http.get(url).get_json()["name"] == "Clients by status"
    assert http.patch(url, json={"name": "Blind"}).status_code == 428

    ad_hoc = http.post("/api/v1/reports/run", json={**DEFINITION, "chart": "table", "from": "2020-01-01"})
    assert ad_hoc.status_code == 200 and ad_hoc.get_json()["kind"] == "table"
    assert [r["id"] for r in http.get("/api/v1/reports").get_json()["data"]] == [created.get_json()["id"]]
    assert http.delete(url).status_code == 204 and http.get(url).status_code == 404


def test_bad_report_definitions_get_field_errors_and_write_nothing(app, client, studio):
    http = api(app, _token(client, studio.owner_email))
    for body, field in (
        ({"definition": DEFINITION}, "name"),
        ({"name": "  ", "definition": DEFINITION}, "name"),
        ({"name": "X", "definition": {**DEFINITION, "source": "secrets"}}, "definition.source"),
        ({"name": "X", "definition": {**DEFINITION, "dim1": "cf.gone"}}, "definition.dim1"),
        ({"name": "X", "definition": {**DEFINITION, "from": "2026-05-01", "to": "2026-04-01"}}, "definition.to"),
        ({"name": "X", "definition": {**DEFINITION, "from": "soon"}}, "definition.from"),
        ({"name": "X", "definition": {**DEFINITION, "chart": "radar"}}, "definition.chart"),
        ({"name": "X", "definition": {**DEFINITION, "colour": "red"}}, "definition.colour"),
        ({"name": "X\x00", "definition": DEFINITION}, "name"),
    ):
        refused = http.post("/api/v1/reports", json=body)
        assert refused.status_code == 422, (body, refused.get_data(as_text=True)[:300])
        assert field in refused.get_json()["errors"], (body, refused.get_json())
    assert http.post("/api/v1/reports/run", json={**DEFINITION, "measure": "sum:nothing"}).status_code == 422
    broken = http.post("/api/v1/reports", data=b'{"name": "\xff"}', content_type="application/json")
    assert broken.status_code in (400, 422)
    assert query(app, studio.tenant_id, select(SavedReport)) == []


def test_report_permissions_and_the_readers_access(app, client, new_client, studio):
    owner = api(app, _token(client, studio.owner_email))
    _clients(owner, "鹿鸣咖啡", "Harbour Lane")
    url = owner.post("/api/v1/reports", json={"name": "All", "definition": DEFINITION, "pinned_studio": True})
    assert url.status_code == 201 and url.get_json()["pinned_studio"] is True
    url = url.headers["Location"]
    member = api(app, make_token(client, "member", "member tool"))  # acts as the owner, with a member's rights
    assert (
        member.post(
            "/api/v1/reports", json={"name": "Mine", "definition": DEFINITION, "pinned_studio": True}
        ).status_code
        == 403
    )
    assert member.get(url).status_code == 200  # pinned to the studio: every builder reads it
    add_member(app, studio, "wang@aurora.test", "member")
    wang = next(m["user_id"] for m in owner.get("/api/v1/members").get_json()["data"] if m["email"].startswith("wang"))
    harbour = next(c for c in owner.get("/api/v1/clients").get_json()["data"] if c["name"] == "Harbour Lane")
    moved = owner.patch(f"/api/v1/clients/{harbour['id']}", json={"owner_id": wang}, headers={"If-Match": 'W/"1"'})
    assert moved.status_code == 200
    counted = [sum(r["values"][0] for r in who.get(f"{url}/rows").get_json()["rows"]) for who in (owner, member)]
    assert counted == [2, 1]  # each reader counts what they may see: the member token not Wang's client
    member_report = member.post("/api/v1/reports", json={"name": "Mine", "definition": DEFINITION})
    assert member.patch(url, json={"name": "Theirs"}, headers={"If-Match": 'W/"2"'}).status_code == 200
    assert member_report.status_code == 201
    field = api(app, make_token(client, "field", "field tool"))
    assert field.get("/api/v1/reports").status_code == 403
    assert field.post("/api/v1/reports/run", json=DEFINITION).status_code == 403
    names = sorted(r.name for r in query(app, studio.tenant_id, select(SavedReport)))
    assert names == ["Mine", "Theirs"]  # the refused pin to the studio board saved nothing


def test_with_s3_a_ready_exports_file_is_a_short_lived_link(make_app, moto_server, studio, client):
    """The job stores the file in the bucket; GET /exports/{id}/file answers 303 to a presigned GET of it."""
    import boto3
    import requests

    s3 = boto3.client(
        "s3", endpoint_url=moto_server, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    s3.create_bucket(Bucket="atelier-api-exports")
    bucket_app = make_app(
        S3_BUCKET="atelier-api-exports",
        S3_ENDPOINT_URL=moto_server,
        S3_ACCESS_KEY_ID="test",
        S3_SECRET_ACCESS_KEY="test",
    )
    bucket_app.config["EXPORT_JOB_ROWS"] = 0
    http = api(bucket_app, _token(client, studio.owner_email))
    _clients(http, "鹿鸣咖啡")
    queued = http.post("/api/v1/exports", json={"list": "clients", "format": "csv"})
    assert queued.status_code == 202
    ready = http.get(f"/api/v1/exports/{queued.get_json()['id']}").get_json()
    assert ready["state"] == "ready" and ready["file_url"]
    link = http.get(ready["file_url"])
    assert link.status_code == 303 and "X-Amz-Signature" in link.headers["Location"]
    assert "鹿鸣咖啡".encode() in requests.get(link.headers["Location"], timeout=10).content
