"""Previews of uploaded files, made in a job: images are scaled down with Pillow (EXIF orientation applied,
metadata dropped). PDF page previews need a PDF renderer and come with the proofing work."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from saas.files.models import StoredFile
from saas.files.storage import Storage

SIZES = {"thumb": 480, "large": 1600}
MAX_PIXELS = 80_000_000


def _scaled(original: Image.Image, edge: int) -> bytes:
    image = original.copy()
    image.thumbnail((edge, edge))
    out = io.BytesIO()
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGBA").convert("RGB") if image.mode != "RGBA" else image
    if image.mode == "RGBA":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def image_previews(storage: Storage, stored: StoredFile) -> dict[str, str]:
    if not stored.content_type or not stored.content_type.startswith("image/"):
        return {}
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(io.BytesIO(storage.get(stored.key))) as opened:
        original = ImageOps.exif_transpose(opened)
        original.load()
    keys = {}
    for name, edge in SIZES.items():
        data = _scaled(original, edge)
        suffix = ".png" if data.startswith(b"\x89PNG") else ".jpg"
        key = stored.key.rsplit("/", 1)[0] + f"/{name}{suffix}"
        storage.put(key, data, "image/png" if suffix == ".png" else "image/jpeg")
        keys[name] = key
    return keys
