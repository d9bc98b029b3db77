"""Pure rules: redirect safety, password strength, image checks by content, role permissions."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask_babel import Babel
from PIL import Image

from saas.files.images import ImageRejected, check_image
from saas.tenants.passwords import hash_password, password_problems, verify_password
from saas.tenants.roles import GRANTABLE, PERMISSIONS, Perm, Role, grantable_roles, has_perm
from saas.web.urls import is_safe_redirect


@pytest.fixture(autouse=True)
def _request_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


@pytest.mark.parametrize("target", ["/app/", "/app/settings/members?x=1", "/login#top"])
def test_local_paths_are_safe(target):
    assert is_safe_redirect(target)


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "https://evil.com",
        "http:/evil.com",
        "javascript:alert(1)",
        "/app\r\nSet-Cookie: x",
        "app/",
        "/\tevil.com",
        "///evil.com",
    ],
)
def test_anything_else_is_not(target):
    assert not is_safe_redirect(target)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("correct-horse-battery", True),
        ("设计师的密码很安全啊啊", True),
        ("short", False),
        ("password123", False),
        ("aaaaaaaaaaaaaa", False),
        ("x" * 129, False),
        ("lin.xiao.2026!", False),
    ],
)
def test_password_strength(password, ok):
    assert (password_problems(password, "lin.xiao@aurora.test", "Lin Xiao") == []) is ok


def test_password_hashes_verify_and_never_match_a_missing_hash():
    stored = hash_password("correct-horse-battery")
    assert stored.startswith("scrypt:") and "correct-horse-battery" not in stored
    assert verify_password(stored, "correct-horse-battery")
    assert not verify_password(stored, "Correct-horse-battery")
    assert not verify_password(None, "anything-at-all")


def _image(kind: str, size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kind", "name", "content_type"),
    [
        ("PNG", "a.png", "image/png"),
        ("JPEG", "a.JPG", "image/jpeg"),
        ("GIF", "a.gif", "image/gif"),
        ("WEBP", "a.webp", "image/webp"),
    ],
)
def test_real_images_pass_with_their_true_type(kind, name, content_type):
    checked = check_image(_image(kind), name, 10_000_000)
    assert (checked.content_type, checked.width, checked.height) == (content_type, 40, 20)


def test_the_content_decides_not_the_name():
    with pytest.raises(ImageRejected):
        check_image(b"%PDF-1.7 not an image", "logo.png", 10_000_000)
    with pytest.raises(ImageRejected):
        check_image(b"", "logo.png", 10_000_000)
    with pytest.raises(ImageRejected):
        check_image(_image("PNG"), "logo", 10_000_000)


def test_the_size_limit_is_enforced():
    with pytest.raises(ImageRejected, match="too large"):
        check_image(_image("PNG", (400, 400)), "a.png", 100)


def test_every_role_has_a_permission_set_and_only_owners_manage_ownership():
    assert set(PERMISSIONS) == set(Role)
    assert [r for r in Role if has_perm(r, Perm.OWNERSHIP)] == [Role.OWNER]
    assert all(Role.OWNER not in roles for roles in GRANTABLE.values())
    assert grantable_roles(Role.MEMBER) == () and not has_perm(None, Perm.WORKSPACE)
    assert {r for r in Role if has_perm(r, Perm.MEMBERS_MANAGE)} == {Role.OWNER, Role.ADMIN}
