"""Languages: Simplified Chinese and English, chosen per user (Accept-Language before login)."""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from saas.config import LOCALES

TRANSLATIONS = Path(__file__).parent / "translations"


def compile_translations(folder: Path = TRANSLATIONS) -> None:
    """Compile each messages.po whose .mo is missing or older; .mo files are build output, not committed."""
    for po_path in folder.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        tmp = mo_path.with_suffix(".mo.tmp")
        try:
            with tmp.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            tmp.replace(mo_path)
        except OSError as exc:  # a read-only install: the image or `saas db upgrade` compiled them already
            logging.getLogger(__name__).warning("cannot compile %s: %s", po_path, exc)


def select_locale() -> str:
    if not has_request_context():
        return "en"  # command line and jobs; e-mails choose their reader's language with force_locale
    if g.get("visitor_locale") in LOCALES:  # a public form: the visitor's choice or their browser's language
        return g.visitor_locale
    portal_user = g.get("portal_user")  # on portal pages the client's own choice, not a staff session's
    if portal_user is not None and portal_user.locale in LOCALES:
        return portal_user.locale
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    tenant = g.get("tenant")
    if tenant is not None:
        return tenant.locale
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
    return "en" if best == "en" else "zh_CN"


def current_locale() -> str:
    """The request's language as the app names it (Babel expands zh_CN to zh_Hans_CN)."""
    chosen = get_locale()
    return "en" if chosen is not None and chosen.language == "en" else "zh_CN"


def sort_key(text: str, limit: int = 400) -> str:
    """A key that sorts names as a Chinese reader expects, the same on every database: Chinese by pinyin (with
    the tone, so 北 bei3 comes before 被 bei4, and phrases read right: 重庆 chong2 qing4), interleaved with Latin
    names by their letters (杭州 hang2 zhou1 before Harbour Lane). Pure ASCII: accents are dropped and any other
    script sorts after the letters by code point, so a binary comparison (SQLite's, PostgreSQL's "C") agrees.
    """
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    plain = unicodedata.normalize("NFKD", " ".join(syllables).lower())
    parts = []
    for char in plain:
        if char.isascii():
            parts.append(char)
        elif not unicodedata.combining(char):
            parts.append(f"~{ord(char):05x}")
    return " ".join("".join(parts).split())[:limit]


def html_lang(locale: str) -> str:
    return "zh-CN" if locale == "zh_CN" else "en"
