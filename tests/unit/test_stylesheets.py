"""Every stylesheet's blocks close: one unclosed `@media print {` (a merge had lost two closing braces) put every
rule after it, the report builder's, the exports' and the imports', into the print styles, unseen on screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHEETS = sorted(p for p in (*ROOT.glob("saas/**/*.css"), *ROOT.glob("pwa/**/*.css")) if "node_modules" not in p.parts)


def test_there_are_stylesheets_to_check():
    assert any(p.name == "app.css" for p in SHEETS)


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_of_a_stylesheet_is_closed(sheet: Path):
    text = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)  # comments may hold braces
    text = re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", "", text)  # and strings (content: "{")
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"{sheet.name}:{number} closes a block that was never opened"
    assert depth == 0, f"{sheet.name}: {depth} block(s) never closed"
