"""Who sees which quote, contract and invoice: whoever sees its client (saas/clients/access.py); anything else,
another studio's included, reads as missing (404)."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from saas.clients.access import client_id_visible_to
from saas.extensions import db
from saas.ids import parse_uuid
from saas.tenants.models import Membership

Document = TypeVar("Document")

client_visible = client_id_visible_to  # documents are visible with their client


def get_document(membership: Membership, model: type[Document], document_id: str | uuid.UUID) -> Document:
    """A quote, contract or invoice this person may see (through its client), or 404."""
    query = select(model).where(model.id == parse_uuid(document_id), client_visible(membership, model.client_id))
    found = db.session.scalar(query)
    if found is None:
        raise NotFound()
    return found
