"""The import's pure parts: the shared sort key equals saas.i18n.sort_key (the one the client service writes) over
many names, phrases and scripts; headers map in English and Chinese whatever their case and punctuation; a sheet
is sniffed right (UTF-16 as Excel's "Unicode text" writes it too) and a GBK byte mid-file breaks only its row."""

from __future__ import annotations

import codecs
import random

from saas.i18n import sort_key
from saas.imports import reading
from saas.imports.mapping import Fields, guess, normalise
from saas.imports.sortkey import sort_key as shared_sort_key


def test_the_shared_sort_key_is_the_services_sort_key():
    chars = "上海星辰设计有限公司重庆北京被杭州了的吗呢子头么着过们嘛吧啊朋友桌长行乐银Ééü한글ā 12-ab'.,&"
    rng = random.Random(7)
    names = ["".join(rng.choice(chars) for _ in range(rng.randint(1, 16))) for _ in range(5000)]
    names += ["重庆", "银行", "行走", "朋友", "桌子", "长大", "Harbour Lane", "杭州 Harbour", "  Spaces  x "]
    names += names[:500]  # the remembered words and syllables give the same answer the second time
    assert [n for n in names if shared_sort_key(n) != sort_key(n)] == []


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
