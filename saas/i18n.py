"""Languages: Simplified Chinese and English, chosen per user (Accept-Language before login)."""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
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


def install_template_gettext(app: Flask) -> None:
    """Templates translate through the request's catalogue, found once per request and language. flask-babel's own
    callables walk its context on `g` three times for every string (~5 us; a 360° page translates ~110)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  (jinja2.ext.i18n adds it)
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )


def _catalogue() -> NullTranslations:
    state = g.get("_flask_babel") if g else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:  # not chosen yet (the request's first string), or outside a request
        return get_translations()
    kept = getattr(state, "atelier_catalogue", None)
    # By the locale object itself: force_locale (an e-mail in its reader's language) and refresh() replace it.
    if kept is None or kept[0] is not locale:
        kept = state.atelier_catalogue = (locale, get_translations())
    return kept[1]


def current_locale() -> str:
    """The request's language as the app names it (Babel expands zh_CN to zh_Hans_CN)."""
    chosen = get_locale()
    return "en" if chosen is not None and chosen.language == "en" else "zh_CN"


def sort_key(text: str, limit: int = 400) -> str:
    """A key that sorts names as a Chinese reader expects, the same on every database: Chinese by pinyin (with
    the tone, so 北 bei3 comes before 被 bei4, and phrases read right: 重庆 chong2 qing4), interleaved with Latin
    names by their letters (杭州 hang2 zhou1 before Harbour Lane). Pure ASCII: accents are dropped and any other
    script sorts after the letters by code point, so a binary comparison (SQLite's, PostgreSQL's "C") agrees.

    The one function for every client, typed in or imported: it is pypinyin's `lazy_pinyin(text, style=TONE3,
    neutral_tone_with_five=True)` made plain, with pypinyin's own steps taken directly (its split into runs of Han
    and other characters, its phrase segmentation, its converter) and each Chinese word's plain syllables
    remembered — names repeat their words (上海, 设计, 有限公司) thousands of times in a studio's sheet. A unit
    test compares it with the plain `lazy_pinyin` form over many names, phrases and scripts."""
    if text.isascii():  # no pinyin to look up, nothing to decompose: the plain letters
        return " ".join(text.lower().split())[:limit]
    return " ".join(" ".join(_Pinyin.get().pieces(text)).split())[:limit]


class _Pinyin:
    """pypinyin's conversion of a string, step by step as `Pinyin.lazy_pinyin` takes it (pypinyin.core: seg, then
    the converter per word), with the plain form of each Chinese word kept. Words without Chinese (numbers and
    Latin parts of names, different on every row) are not kept: they would make the memory follow the data. The
    Chinese words are a vocabulary, bounded; WORDS is a safety net."""

    WORDS = 50_000
    _instance: _Pinyin | None = None

    def __init__(self) -> None:
        from pypinyin import Style
        from pypinyin.constants import PHRASES_DICT, RE_HANS
        from pypinyin.converter import UltimateConverter
        from pypinyin.seg import mmseg

        self._convert = UltimateConverter(neutral_tone_with_five=True).convert
        self._style = Style.TONE3
        self._phrases = PHRASES_DICT
        self._cut = mmseg.seg.cut
        self._words: dict[str, str] = {}
        # simpleseg splits a string into maximal runs of Han characters and of others, testing each character
        # against RE_HANS (`^(?:[<Han>])+$`): one regular expression over the whole string finds the same runs.
        pattern = RE_HANS.pattern
        head, tail = "^(?:[", "])+$"
        if not (pattern.startswith(head) and pattern.endswith(tail)):  # pragma: no cover  a pypinyin change
            raise RuntimeError("pypinyin.constants.RE_HANS changed shape: review saas.i18n._Pinyin")
        han = pattern[len(head) : -len(tail)]
        self._runs = re.compile(f"(?P<han>[{han}]+)|[^{han}]+")

    @classmethod
    def get(cls) -> _Pinyin:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def pieces(self, text: str) -> list[str]:
        """The plain syllables of `text`, a piece per word (joined by spaces within a piece)."""
        pieces = []
        for run in self._runs.finditer(text):
            if run.lastgroup is None:  # no pinyin: pypinyin keeps the characters as they are (errors="default")
                pieces.append(_plain(run.group()))
                continue
            words = self._cut(run.group()) if self._phrases else (run.group(),)
            for word in words:
                plain = self._words.get(word)
                if plain is None:
                    if len(self._words) >= self.WORDS:
                        self._words.clear()
                    plain = self._words[word] = self._plain_of(word)
                pieces.append(plain)
        return pieces

    def _plain_of(self, word: str) -> str:
        syllables = self._convert(word, self._style, False, "default", True)
        return " ".join(_plain(s) for found in syllables for s in found)


def _plain(piece: str) -> str:
    """Lower-cased ASCII: accents dropped (NFKD, combining marks left out), any other character as ~ and its code
    point (after the letters). Piece by piece is the same as over the joined string: the pieces are joined by
    spaces, and no decomposition or case rule reaches across a space."""
    if piece.isascii():  # a syllable such as "shang4": most pieces
        return piece.lower()
    parts = []
    for char in unicodedata.normalize("NFKD", piece.lower()):
        if char.isascii():
            parts.append(char)
        elif not unicodedata.combining(char):
            parts.append(f"~{ord(char):05x}")
    return "".join(parts)


def html_lang(locale: str) -> str:
    return "zh-CN" if locale == "zh_CN" else "en"
