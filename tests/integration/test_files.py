"""Files: with S3 (the moto server over HTTP) the bytes go browser ↔ bucket through presigned URLs, under the
studio's prefix, checked by content once they arrive; without S3 the app takes and serves them. Previews are
made by a job. Another studio's file ids are 404."""

from __future__ import annotations

import io

import boto3
import pytest
import urllib3
from sqlalchemy import select

from saas.files.models import StoredFile
from tests.conftest import Browser, add_member, query
from tests.factories import png_bytes

S3 = {"S3_BUCKET": "atelier-files", "S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test"}


@pytest.fixture
def s3(moto_server):
    client = boto3.client(
        "s3", endpoint_url=moto_server, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    if "atelier-files" not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket="atelier-files")
    for item in client.list_objects_v2(Bucket="atelier-files").get("Contents", []):
        client.delete_object(Bucket="atelier-files", Key=item["Key"])
    return client


class BytesSeen:
    """WSGI middleware counting the request bytes the web process receives."""

    def __init__(self, app) -> None:
        self.app, self.total = app, 0

    def __call__(self, environ, start_response):
        self.total += int(environ.get("CONTENT_LENGTH") or 0)
        return self.app(environ, start_response)


def _browser(app, studio, email=None) -> Browser:
    app.test_client_class = Browser
    browser = app.test_client()
    browser.login(email or studio.owner_email)
    return browser


def _begin(browser, name: str, size: int, content_type: str | None = "image/png", purpose: str = "draft"):
    body = {"name": name, "size": size, "content_type": content_type, "purpose": purpose}
    return browser.post("/app/files", json=body, headers={"X-CSRFToken": browser.csrf_token()})


def _post_to_bucket(upload: dict, data: bytes, name: str) -> int:
    fields = {
        **upload["fields"],
        "file": (name, data, upload["fields"].get("Content-Type", "application/octet-stream")),
    }
    return urllib3.request("POST", upload["url"], fields=fields).status


def test_an_upload_goes_to_the_bucket_directly_and_is_checked_by_content(make_app, studio, moto_server, s3):
    app = make_app(S3_ENDPOINT_URL=moto_server, **S3)
    seen = BytesSeen(app.wsgi_app)
    app.wsgi_app = seen
    browser = _browser(app, studio)
    image = png_bytes()
    begun = _begin(browser, "效果图 v1.png", len(image))
    assert begun.status_code == 201, begun.get_json()
    ticket = begun.get_json()
    assert ticket["upload"]["method"] == "POST" and ticket["upload"]["url"].startswith(moto_server)
    assert ticket["upload"]["fields"]["key"].startswith(f"tenants/{studio.tenant_id}/files/")
    assert _post_to_bucket(ticket["upload"], image, "效果图 v1.png") in (200, 204)
    done = browser.post(ticket["complete_url"], headers={"X-CSRFToken": browser.csrf_token()})
    assert done.status_code == 200 and done.get_json()["status"] == "ready", done.get_json()
    assert done.get_json()["content_type"] == "image/png" and done.get_json()["size"] == len(image)

    # The previews job ran (inline here): a thumbnail and a large preview beside the original.
    keys = sorted(o["Key"].rsplit("/", 1)[1] for o in s3.list_objects_v2(Bucket="atelier-files")["Contents"])
    assert keys == ["large.jpg", "original.png", "thumb.jpg"]  # an opaque PNG previews as JPEG
    download = browser.get(ticket["url"])
    assert download.status_code == 302 and download.headers["Location"].startswith(moto_server)
    assert "response-content-disposition=attachment" in download.headers["Location"]
    assert urllib3.request("GET", download.headers["Location"]).data == image
    assert browser.get(f"{ticket['url']}?preview=thumb").status_code == 302

    # Only the small JSON requests reached the app, never the file.
    assert seen.total < 10_000


def test_a_20_mb_upload_never_passes_through_the_web_process(make_app, studio, moto_server, s3):
    app = make_app(S3_ENDPOINT_URL=moto_server, **S3)
    seen = BytesSeen(app.wsgi_app)
    app.wsgi_app = seen
    browser = _browser(app, studio)
    package = b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024)
    ticket = _begin(browser, "交付文件.zip", len(package), "application/zip", "delivery").get_json()
    assert _post_to_bucket(ticket["upload"], package, "交付文件.zip") in (200, 204)
    done = browser.post(ticket["complete_url"], headers={"X-CSRFToken": browser.csrf_token()})
    assert done.get_json()["size"] == len(package)
    assert seen.total < 10_000  # 20 MB went to the bucket; the app saw a few hundred bytes of JSON


def test_content_that_is_not_what_the_name_says_is_refused_and_deleted(make_app, studio, moto_server, s3):
    app = make_app(S3_ENDPOINT_URL=moto_server, **S3)
    browser = _browser(app, studio)
    ticket = _begin(browser, "draft.png", 100).get_json()
    _post_to_bucket(ticket["upload"], b"%PDF-1.7 not a png at all", "draft.png")
    refused = browser.post(ticket["complete_url"], headers={"X-CSRFToken": browser.csrf_token()})
    assert refused.status_code == 422 and "not what its name says" in refused.get_json()["errors"]["file"][0]
    assert s3.list_objects_v2(Bucket="atelier-files").get("Contents", []) == []
    assert query(app, studio.tenant_id, select(StoredFile))[0].status == "rejected"
    assert browser.get(ticket["url"]).status_code == 404


def test_limits_and_kinds_are_checked_before_and_after_the_upload(make_app, studio, moto_server, s3):
    app = make_app(S3_ENDPOINT_URL=moto_server, MAX_UPLOAD_BYTES="1000", **S3)
    browser = _browser(app, studio)
    assert _begin(browser, "big.png", 5000).status_code == 422
    assert _begin(browser, "page.html", 10, "text/html").status_code == 422
    assert _begin(browser, "logo.svg", 10, "image/svg+xml").status_code == 422
    assert _begin(browser, "photo.png", 10, "application/pdf").status_code == 422
    # moto does not enforce the presigned POST's size range (S3 does): the check on completion catches it.
    ticket = _begin(browser, "photo.png", 10).get_json()
    _post_to_bucket(ticket["upload"], png_bytes() + b"\0" * 2000, "photo.png")
    refused = browser.post(ticket["complete_url"], headers={"X-CSRFToken": browser.csrf_token()})
    assert refused.status_code == 422 and "larger than" in refused.get_json()["errors"]["file"][0]


def test_the_presigned_post_carries_the_key_type_and_size_conditions(make_app, studio, moto_server, s3):
    """moto does not check the policy, so read what the app signed: the bucket (S3) enforces it."""
    import base64
    import json

    app = make_app(S3_ENDPOINT_URL=moto_server, MAX_UPLOAD_BYTES="5000", **S3)
    ticket = _begin(_browser(app, studio), "a.png", 10).get_json()
    policy = json.loads(base64.b64decode(ticket["upload"]["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 5000] in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert {"key": ticket["upload"]["fields"]["key"]} in conditions


def test_without_s3_the_app_takes_and_serves_the_bytes(app, studio):
    browser = _browser(app, studio)
    image = png_bytes()
    ticket = _begin(browser, "moodboard.png", len(image)).get_json()
    assert ticket["upload"]["method"] == "PUT"
    sent = browser.put(ticket["upload"]["url"], data=image, headers={"X-CSRFToken": browser.csrf_token()})
    assert sent.status_code == 204
    done = browser.post(ticket["complete_url"], headers={"X-CSRFToken": browser.csrf_token()})
    assert done.get_json()["status"] == "ready"
    # The previews job runs after the commit (inline without Redis), so they exist once the answer is out.
    assert set(query(app, studio.tenant_id, select(StoredFile))[0].previews) == {"thumb", "large"}
    download = browser.get(ticket["url"])
    assert download.data == image and download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''moodboard.png" in download.headers["Content-Disposition"]
    preview = browser.get(f"{ticket['url']}?preview=thumb")
    assert preview.status_code == 200 and preview.headers["Content-Disposition"].startswith("inline;")


def test_field_staff_do_not_upload_and_another_studios_file_is_404(app, studio, other_studio, new_client):
    browser = _browser(app, studio)
    image = png_bytes()
    ticket = _begin(browser, "secret.png", len(image)).get_json()
    browser.put(ticket["upload"]["url"], data=image, headers={"X-CSRFToken": browser.csrf_token()})
    add_member(app, studio, "zhao@aurora.test", "field")
    field = _browser(app, studio, "zhao@aurora.test")
    assert _begin(field, "x.png", 10).status_code == 403

    intruder = _browser(app, other_studio)
    headers = {"X-CSRFToken": intruder.csrf_token()}
    assert intruder.get(ticket["url"]).status_code == 404
    assert intruder.post(ticket["complete_url"], headers=headers).status_code == 404
    assert intruder.put(ticket["upload"]["url"], data=b"x", headers=headers).status_code == 404
    assert query(app, studio.tenant_id, select(StoredFile))[0].status == "pending"
    done = browser.post(ticket["complete_url"], headers={"X-CSRFToken": browser.csrf_token()})
    assert done.get_json()["status"] == "ready"
    assert io.BytesIO(browser.get(ticket["url"]).data).getvalue() == image


def test_a_pdf_gets_a_preview_of_each_page(app, studio):
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    for number in range(1, 4):
        sheet.drawString(100, 700, f"Draft page {number}")
        sheet.showPage()
    sheet.save()
    pdf = buffer.getvalue()
    browser = _browser(app, studio)
    ticket = _begin(browser, "方案 v1.pdf", len(pdf), "application/pdf").get_json()
    browser.put(ticket["upload"]["url"], data=pdf, headers={"X-CSRFToken": browser.csrf_token()})
    assert browser.post(ticket["complete_url"], headers={"X-CSRFToken": browser.csrf_token()}).status_code == 200
    previews = query(app, studio.tenant_id, select(StoredFile))[0].previews
    assert len(previews["pages"]) == 3 and previews["thumb"].endswith("thumb.jpg")
    page = browser.get(f"{ticket['url']}?preview=page-2")
    assert page.status_code == 200 and page.mimetype == "image/jpeg" and page.data.startswith(b"\xff\xd8\xff")
    assert browser.get(f"{ticket['url']}?preview=page-4").status_code == 404
    assert browser.get(f"{ticket['url']}?preview=pages").status_code == 404


def test_a_projects_files_follow_the_projects_visibility(app, client, new_client, studio, other_studio):
    from tests.factories import create, new_project

    client.login(studio.owner_email)
    project_url = new_project(client, create(client, {"name": "Owner's client"}), name="Hidden project")
    project_id = project_url.rsplit("/", 1)[1]
    image = png_bytes()
    ticket = _begin(client, "draft.png", len(image), "image/png").get_json()
    body = {"name": "draft.png", "size": len(image), "content_type": "image/png", "project_id": project_id}
    begun = client.post("/app/files", json=body, headers={"X-CSRFToken": client.csrf_token()}).get_json()
    client.put(begun["upload"]["url"], data=image, headers={"X-CSRFToken": client.csrf_token()})
    client.post(begun["complete_url"], headers={"X-CSRFToken": client.csrf_token()})
    assert "draft.png" in client.get(project_url).get_data(as_text=True)
    add_member(app, studio, "wang@aurora.test", "member")
    wang = _browser(app, studio, "wang@aurora.test")
    assert wang.get(begun["url"]).status_code == 404  # not on the project, not the client's owner
    refused = wang.post("/app/files", json=body, headers={"X-CSRFToken": wang.csrf_token()})
    assert refused.status_code == 422 and "project_id" in refused.get_json()["errors"]
    intruder = _browser(app, other_studio)
    theirs = intruder.post("/app/files", json=body, headers={"X-CSRFToken": intruder.csrf_token()})
    assert theirs.status_code == 422
    assert ticket["status"] == "pending"
