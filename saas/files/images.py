"""Image checks by content, not by name: magic bytes first, then a full decode with Pillow."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

# SVG is refused on purpose: it can carry script.
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"GIF87a": ("gif", "image/gif"),
    b"GIF89a": ("gif", "image/gif"),
}
ALLOWED_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
MAX_PIXELS = 40_000_000


class ImageRejected(ValueError):
    pass


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    extension: str
    content_type: str
    width: int
    height: int


def _sniff(data: bytes) -> tuple[str, str] | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    return next((kind for magic, kind in SIGNATURES.items() if data.startswith(magic)), None)


def check_image(data: bytes, filename: str, max_bytes: int) -> CheckedImage:
    """Raise ImageRejected (with a message for the person) unless `data` is a real raster image."""
    from flask_babel import gettext as _

    if not data:
        raise ImageRejected(_("The file is empty."))
    if len(data) > max_bytes:
        raise ImageRejected(_("The image is too large (at most %(mb).1f MB).", mb=max_bytes / 1048576))
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = _sniff(data)
    if kind is None or suffix not in ALLOWED_SUFFIXES:
        raise ImageRejected(_("Upload a PNG, JPEG, GIF or WebP image."))
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ImageRejected(_("The image has too many pixels."))
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ImageRejected(_("The image could not be read; it may be damaged.")) from exc
    return CheckedImage(data, kind[0], kind[1], width, height)
