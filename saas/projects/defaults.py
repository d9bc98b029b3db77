"""The pipeline every studio starts with: seed 000's seven stages, then the won and lost outcomes.

Plain data (key, kind, Chinese name, English name), shared by studio onboarding and the migration that gave
existing studios their pipeline. A studio's stage names are stored in its own language and are its to rename.
"""

from __future__ import annotations

DEFAULT_STAGES: tuple[tuple[str, str, str, str], ...] = (
    ("inquiry", "open", "需求沟通", "Inquiry"),
    ("quote", "open", "报价签约", "Quote & contract"),
    ("design", "open", "方案设计", "Design"),
    ("feedback", "open", "中期反馈", "Feedback"),
    ("revision", "open", "修改完善", "Revision"),
    ("delivery", "open", "交付验收", "Delivery & acceptance"),
    ("final", "open", "尾款结算与复盘", "Final payment & review"),
    ("won", "won", "赢单", "Won"),
    ("lost", "lost", "丢单", "Lost"),
)


def stage_name(chinese: str, english: str, locale: str | None) -> str:
    return chinese if (locale or "").startswith("zh") else english
