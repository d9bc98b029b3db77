"""Previews of uploaded files, made in a job: images are scaled down with Pillow (EXIF orientation applied,
metadata dropped); PDFs are rendered page by page with PDFium (Chrome's PDF engine, via pypdfium2) into JPEGs,
the first page also as the file's thumbnail, so a reviewer's browser never has to open the PDF itself."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from saas.files.models import StoredFile
from saas.files.storage import Storage

SIZES = {"thumb": 480, "large": 1600}
MAX_PIXELS = 80_000_000
MAX_PDF_PAGES = 60  # a 40-page draft is the yardstick; later pages are not previewed


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


def _beside(stored: StoredFile, name: str) -> str:
    return stored.key.rsplit("/", 1)[0] + f"/{name}"


def pdf_previews(storage: Storage, stored: StoredFile) -> dict:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(storage.get(stored.key))
    try:
        pages = []
        for index in range(min(len(document), MAX_PDF_PAGES)):
            page = document[index]
            width, height = page.get_size()
            image = page.render(scale=SIZES["large"] / max(width, height, 1)).to_pil()
            if index == 0:
                first = image
            key = _beside(stored, f"page-{index + 1:03d}.jpg")
            storage.put(key, _scaled(image, SIZES["large"]), "image/jpeg")
            pages.append(key)
            page.close()
    finally:
        document.close()
    if not pages:
        return {}
    thumb = _beside(stored, "thumb.jpg")
    storage.put(thumb, _scaled(first, SIZES["thumb"]), "image/jpeg")
    return {"thumb": thumb, "large": pages[0], "pages": pages}


def make(storage: Storage, stored: StoredFile) -> dict:
    """The previews of a file, by what its content is (nothing for ZIP packages)."""
    if stored.content_type == "application/pdf":
        return pdf_previews(storage, stored)
    return image_previews(storage, stored)


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
        key = _beside(stored, f"{name}{suffix}")
        storage.put(key, data, "image/png" if suffix == ".png" else "image/jpeg")
        keys[name] = key
    return keys
