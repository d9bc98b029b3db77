"""The UI speaks Simplified Chinese and English: Accept-Language before login, the person's choice after."""

from __future__ import annotations

from tests.conftest import Browser


def _anonymous(app, language: str) -> Browser:
    app.test_client_class = Browser
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return browser


def test_accept_language_chooses_the_login_page_language(app):
    chinese = _anonymous(app, "zh-CN,zh;q=0.9").get("/login").get_data(as_text=True)
    english = _anonymous(app, "en-US,en;q=0.9").get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in chinese and "登录" in chinese
    assert 'lang="en"' in english and "Log in" in english


def test_the_language_switcher_before_login(app):
    browser = _anonymous(app, "en")
    response = browser.submit("/language", {"locale": "zh_CN", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert 'lang="zh-CN"' in browser.get("/login").get_data(as_text=True)


def test_a_person_switches_their_language_and_it_sticks(client, studio):
    client.login(studio.owner_email)
    assert 'lang="en"' in client.get("/app/").get_data(as_text=True)
    response = client.submit("/app/account", {"name": "林晓", "locale": "zh_CN"})
    assert response.status_code == 302
    page = client.get("/app/").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "林晓" in page
    team = client.get("/app/settings/members").get_data(as_text=True)
    assert "所有者" in team and "成员" in team and ">Owner<" not in team
    client.submit("/logout")
    client.login(studio.owner_email)
    assert 'lang="zh-CN"' in client.get("/app/account").get_data(as_text=True)


def test_form_errors_are_translated(app):
    browser = _anonymous(app, "zh-CN")
    page = browser.submit(
        "/signup", {"studio_name": "x", "slug": "a b", "name": "x", "email": "bad", "password": "x"}
    ).get_data(as_text=True)
    assert "This field is required" not in page and "Enter a valid e-mail" not in page
    assert "电子邮件" in page or "邮箱" in page


def test_templates_follow_a_forced_language_and_return_to_the_request_s(app):
    # Templates look the catalogue up once per request and language (saas.i18n.install_template_gettext): an
    # e-mail rendered in its reader's language inside a Chinese request must not keep either language.
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Clients') }}"
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert render_template_string(page) == "客户"
        with force_locale("en"):
            assert render_template_string(page) == "Clients"
            with force_locale("zh_CN"):
                assert render_template_string(page) == "客户"
            assert render_template_string(page) == "Clients"
        assert render_template_string(page) == "客户"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):  # a new request, its own language
        assert render_template_string(page) == "Clients"
