"""The import's pure parts: the one sort key (saas.i18n.sort_key, which the client service and the import both
write) equals pypinyin's plain conversion over many names, phrases and scripts; headers map in English and Chinese
whatever their case and punctuation; a sheet is sniffed right (UTF-16 as Excel's "Unicode text" writes it too)
and a GBK byte mid-file breaks only its row."""

from __future__ import annotations

import codecs
import random
import unicodedata

from pypinyin import Style, lazy_pinyin

from saas.clients import services as client_services
from saas.i18n import sort_key
from saas.imports import engine, reading
from saas.imports.mapping import Fields, guess, normalise


def plain_pinyin(text: str, limit: int = 400) -> str:
    """The sort key as pypinyin gives it in one call, made plain over the whole string (what saas.i18n.sort_key
    computed before it took pypinyin's steps itself and remembered each word)."""
    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    plain = unicodedata.normalize("NFKD", " ".join(syllables).lower())
    parts = []
    for char in plain:
        if char.isascii():
            parts.append(char)
        elif not unicodedata.combining(char):
            parts.append(f"~{ord(char):05x}")
    return " ".join("".join(parts).split())[:limit]


def test_the_sort_key_is_pypinyins_plain_conversion():
    chars = "上海星辰设计有限公司重庆北京被杭州了的吗呢子头么着过们嘛吧啊朋友桌长行乐银Ééü한글ā 12-ab'.,&"
    chars += "ΣσİıＡ１〇𠀀ﬁ①\u0301\u00a0\u3000"  # cases, widths, compatibility forms, combining marks, spaces
    rng = random.Random(7)
    names = ["".join(rng.choice(chars) for _ in range(rng.randint(1, 16))) for _ in range(5000)]
    names += ["".join(chr(rng.randint(32, 0xD7FF)) for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    names += [
        "重庆",
        "银行",
        "行走",
        "朋友",
        "桌子",
        "长大",
        "Harbour Lane",
        "杭州 Harbour",
        "  Spaces  x ",
        "",
        "中\u0301国",
    ]
    names += names[:500]  # the remembered words give the same answer the second time
    assert [n for n in names if sort_key(n) != plain_pinyin(n)] == []
    assert sort_key("重庆山城设计" * 100) == plain_pinyin("重庆山城设计" * 100)  # cut at 400 characters
    assert sort_key("重庆山城设计") == "chong2 qing4 shan1 cheng2 she4 ji4"


def test_the_import_and_the_client_service_use_one_sort_key():
    """Search and order must treat imported and hand-made clients alike: one function, not two copies."""
    assert engine.sort_key is sort_key
    assert client_services.sort_key is sort_key


def test_headers_map_in_english_and_chinese_whatever_their_punctuation():
    headers = ["Client Name", "E-mail", "手机号码", "联系人（必填）", "客户来源", "tenant_id", "WeChat ID", "外部编号*"]
    assert guess(headers, Fields()) == {
        "0": "name",
        "1": "email",
        "2": "phone",
        "3": "contact_name",
        "4": "source",
        "6": "wechat",
        "7": "external_id",
    }
    assert normalise(" 客户_名称: ") == "客户名称"


def test_utf16_is_read_and_a_broken_byte_breaks_only_its_row():
    text = "客户名称\t手机\n甲\t1\n乙\t2\n"
    sheet = reading.sniff("unicode.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert (sheet.encoding, sheet.delimiter) == ("utf-16", "\t")
    filler = "".join(f"客户{i},{i}\n" for i in range(100)).encode("gbk")
    content = "客户名称,手机\n甲,1\n".encode("gbk") + b"\xff\xfe\xfd,2\n" + "丙,3\n".encode("gbk") + filler
    sheet = reading.sniff("gbk.csv", content)
    assert sheet.encoding == "gb18030"
    header, rows = reading.header_and_rows(sheet, content)
    found = list(rows)
    assert header == ["客户名称", "手机"] and found[0] == (2, ["甲", "1"]) and found[2] == (4, ["丙", "3"])
    assert "\ufffd" in found[1][1][0]  # shown as broken; the row fails with "characters that cannot be saved"
