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

WORDS = 4096  # about 1.5 MB of remembered runs


class _RememberingConverter(UltimateConverter):
    def __init__(self) -> None:
        super().__init__(neutral_tone_with_five=True)
        self._styled: dict[tuple[Any, ...], str] = {}
        self._words: dict[tuple[Any, ...], list[list[str]]] = {}

    def convert(self, words: str, style: Any, heteronym: bool, errors: Any, strict: bool, **kwargs: Any) -> Any:
        """A segmented word's syllables depend on the word alone (no tone sandhi here): company names repeat
        their words (上海, 设计, 有限公司) thousands of times in one sheet. A "word" here is a whole run of Han
        characters, so a sheet of distinct names brings ever new ones: the memory is kept to WORDS entries (the
        job's memory must not follow the file), forgotten all at once when full."""
        if kwargs or callable(errors):
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
    plain = unicodedata.normalize("NFKD", " ".join(syllables).lower())
    parts = []
    for char in plain:
        if char.isascii():
            parts.append(char)
        elif not unicodedata.combining(char):
            parts.append(f"~{ord(char):05x}")
    return " ".join("".join(parts).split())[:limit]
