"""What a studio may upload, recognised by content: the first bytes decide, the name must agree, and a file
whose content is not what its name says is refused. SVG and HTML are never accepted (they can carry script)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Kind:
    content_type: str
    suffixes: tuple[str, ...]
    previewable: bool  # images and PDFs get thumbnails and page previews


KINDS: tuple[Kind, ...] = (
    Kind("image/png", (".png",), True),
    Kind("image/jpeg", (".jpg", ".jpeg"), True),
    Kind("image/gif", (".gif",), True),
    Kind("image/webp", (".webp",), True),
    Kind("application/pdf", (".pdf",), True),
    Kind("application/zip", (".zip",), False),  # delivery packages
)
SNIFF_BYTES = 16


def sniff(head: bytes) -> Kind | None:
    """The kind the first bytes announce, or None for anything we do not accept."""
    signature = (
        "image/png"
        if head.startswith(b"\x89PNG\r\n\x1a\n")
        else "image/jpeg"
        if head.startswith(b"\xff\xd8\xff")
        else "image/gif"
        if head[:6] in (b"GIF87a", b"GIF89a")
        else "image/webp"
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        else "application/pdf"
        if head.startswith(b"%PDF-")
        else "application/zip"
        if head.startswith(b"PK\x03\x04")
        else None
    )
    return next((kind for kind in KINDS if kind.content_type == signature), None)


def by_name(name: str) -> Kind | None:
    suffix = PurePosixPath(name.lower()).suffix
    return next((kind for kind in KINDS if suffix in kind.suffixes), None)


def safe_name(name: str) -> str:
    """The last path segment, without control characters, at most 150 characters (keeping the suffix)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|*?:').strip(" .") or "file"
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot:
        return cleaned[:150]
    return f"{stem[: 149 - len(suffix)]}.{suffix[:20]}"
