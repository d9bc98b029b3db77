"""Layer 3 of isolation for the API's imports, exports and reports: studio B's token, given studio A's import,
export and report ids, gets 404 on every operation, and the answer holds nothing of A's; B's lists are empty.
Runs on SQLite and on PostgreSQL (where RLS stands behind the ORM)."""

from __future__ import annotations

from tests.factories import api, make_token
from tests.integration.test_data_api import CSV, DEFINITION, _clients, _token, _upload


def test_another_studios_imports_exports_and_reports_are_404_and_leak_nothing(
    app, client, new_client, studio, other_studio
):
    ours = api(app, _token(client, studio.owner_email))
    _clients(ours, "极光的客户")
    import_url = _upload(ours, CSV.encode()).headers["Location"]
    report_url = ours.post("/api/v1/reports", json={"name": "极光", "definition": DEFINITION, "pinned_studio": True})
    report_url = report_url.headers["Location"]
    app.config["EXPORT_JOB_ROWS"] = 0
    try:
        export_url = f"/api/v1/exports/{ours.post('/api/v1/exports', json={'list': 'clients'}).get_json()['id']}"
    finally:
        app.config.pop("EXPORT_JOB_ROWS")
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    theirs = api(app, make_token(intruder))
    etag = {"If-Match": 'W/"1"'}
    answers = [
        theirs.get(import_url),
        theirs.get(f"{import_url}/preview"),
        theirs.get(f"{import_url}/progress"),
        theirs.get(f"{import_url}/failed-rows"),
        theirs.patch(import_url, json={"duplicates": "update"}, headers=etag),
        theirs.post(f"{import_url}/start"),
        theirs.post(f"{import_url}/undo"),
        theirs.get(export_url),
        theirs.get(f"{export_url}/file"),
        theirs.get(report_url),
        theirs.get(f"{report_url}/rows"),
        theirs.patch(report_url, json={"name": "taken"}, headers=etag),
        theirs.delete(report_url),
    ]
    for answer in answers:
        assert answer.status_code == 404, (answer.request.path, answer.status_code)
        assert "极光" not in answer.get_data(as_text=True) and "重庆" not in answer.get_data(as_text=True)
    for listing in ("/api/v1/imports", "/api/v1/exports", "/api/v1/reports"):
        assert theirs.get(listing).get_json()["data"] == []
    assert ours.get(import_url).get_json()["status"] == "ready" and ours.get(report_url).get_json()["name"] == "极光"
