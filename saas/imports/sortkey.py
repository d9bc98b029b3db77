"""saas.i18n.sort_key for many names at once. pypinyin spends most of a name's time re-styling each syllable
(tone marks to TONE3) through regular expressions; an import styles the same few thousand syllables over and
over, so this keeps the styled result per (character, reading). The key is the same as sort_key's (a unit test
compares them over many names); only the work is shared.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin

WORDS = 50_000


class _RememberingConverter(UltimateConverter):
    def __init__(self) -> None:
        super().__init__(neutral_tone_with_five=True)
        self._styled: dict[tuple[Any, ...], str] = {}
        self._words: dict[tuple[Any, ...], list[list[str]]] = {}

    def convert(self, words: str, style: Any, heteronym: bool, errors: Any, strict: bool, **kwargs: Any) -> Any:
        """A segmented word's syllables depend on the word alone (no tone sandhi here): company names repeat
        their words (上海, 设计, 有限公司) thousands of times in one sheet. Words without Chinese (the numbers and
        Latin parts of names, different on every row) are not remembered: they cost nothing to convert, and would
        make the memory follow the file. The Chinese words are a vocabulary, bounded; WORDS is a safety net."""
        if kwargs or callable(errors) or words.isascii():
            return super().convert(words, style, heteronym, errors, strict, **kwargs)
        key = (words, style, heteronym, errors, strict)
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = super().convert(words, style, heteronym, errors, strict)
            if len(self._words) > WORDS:
                self._words.clear()
        return [list(syllables) for syllables in found]

    def convert_style(self, han: str, orig_pinyin: str, style: Any, strict: bool, **kwargs: Any) -> str:
        key = (han, orig_pinyin, style, strict, tuple(sorted(kwargs.items())))
        styled = self._styled.get(key)
        if styled is None:
            styled = self._styled[key] = super().convert_style(han, orig_pinyin, style, strict, **kwargs)
        return styled


@lru_cache(maxsize=1)
def _pinyin() -> Pinyin:
    return Pinyin(_RememberingConverter())


def sort_key(text: str, limit: int = 400) -> str:
    # A Latin name has no pinyin to look up: most of the cost is skipped.
    syllables = [text] if text.isascii() else _pinyin().lazy_pinyin(text, style=Style.TONE3)
    # Each piece is made plain on its own (the pieces are joined by spaces, so no accent spans two of them): a
    # syllable such as "shang4" is ASCII already, and only the rare other piece goes through the per-letter work.
    return " ".join(" ".join(map(_plain, syllables)).split())[:limit]


def _plain(piece: str) -> str:
    if piece.isascii():
        return piece.lower()
    parts = []
    for char in unicodedata.normalize("NFKD", piece.lower()):
        if char.isascii():
            parts.append(char)
        elif not unicodedata.combining(char):
            parts.append(f"~{ord(char):05x}")
    return "".join(parts)
