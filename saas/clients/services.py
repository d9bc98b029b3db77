"""Client rules: create, edit, archive, contacts, follow-ups, shares. Services flush, never commit; every change
is announced as a domain event (the timeline listens)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import delete, select

from saas.clients.models import Client, ClientShare, ClientTag, Contact, Interaction, SavedView
from saas.db import lock_row, set_quietly, utcnow
from saas.errors import Conflict, NotAllowed, ValidationFailed
from saas.events import emit
from saas.extensions import db
from saas.fields import values as custom
from saas.i18n import current_locale, sort_key
from saas.tenants.access import team_member
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm, require

TRACKED = (
    "name",
    "kind",
    "status",
    "industry",
    "size",
    "region",
    "source",
    "credit_rating",
    "payment_terms",
    "tags",
    "notes",
)


def refresh_search_text(client: Client) -> None:
    """The search text and the sort key follow the name, tags and contacts."""
    # Reading the contacts may load them; flushing the half-made change first would bump the version twice.
    with db.session.no_autoflush:
        client.search_text = search_parts(client)
    client.sort_key = sort_key(client.name)


def search_parts(client: Client) -> str:
    """What the client list's search looks in: the name, the tags, and every contact's name, phone (as written,
    and as its digits alone, so "138-0013" or "(021) 6234" finds it), e-mail and WeChat id, lower-cased."""
    parts = [client.name, *client.tags]
    for contact in client.contacts:
        parts += [
            contact.name,
            contact.phone or "",
            phone_digits(contact.phone),
            contact.email or "",
            contact.wechat or "",
        ]
    return " ".join(p for p in parts if p).lower()


def phone_digits(phone: str | None) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit())


def _contacts_changed(client: Client) -> None:
    """A contact came, changed or went: the client's search text follows, without moving its version."""
    db.session.flush()
    parts = search_parts(client)
    set_quietly(db.session, client, search_text=parts, updated_at=utcnow())


def _sync_tags(client: Client) -> None:
    """Keep one ClientTag row per tag of the client (the JSON column stays the displayed order)."""
    db.session.flush()
    have = set(db.session.scalars(select(ClientTag.tag).where(ClientTag.client_id == client.id)))
    want = set(client.tags)
    if gone := have - want:
        db.session.execute(delete(ClientTag).where(ClientTag.client_id == client.id, ClientTag.tag.in_(gone)))
    db.session.add_all(ClientTag(client_id=client.id, tag=tag) for tag in want - have)


def create_client(membership: Membership, data: dict[str, Any], enforce_required: bool = True) -> Client:
    """`enforce_required=False` for leads captured where the studio's required custom fields cannot be asked
    (the offline field app): defaults still apply, the next edit asks for the rest."""
    require(membership, Perm.CLIENTS_CREATE)
    data.pop("version", None)
    owner_id = data.pop("owner_id", None) or membership.user_id
    if not has_perm(membership.role, Perm.CLIENTS_EDIT):
        owner_id = membership.user_id  # a lead met on site belongs to whoever met it
    values = custom.clean(
        membership, "client", data.pop("custom_fields", None), creating=True, enforce_required=enforce_required
    )
    client = Client(**data, owner_id=team_member(owner_id, "owner_id"))
    db.session.add(client)
    refresh_search_text(client)
    _sync_tags(client)
    custom.write("client", client, values)
    emit("client.created", subject=client, client=client, actor_id=membership.user_id, name=client.name)
    return client


def update_client(membership: Membership, client: Client, data: dict[str, Any]) -> None:
    require(membership, Perm.CLIENTS_EDIT)
    lock_row(db.session, client, "contacts")  # an edit waits for a contact being added, then sees it
    if data.pop("version", None) != client.version:
        raise Conflict()
    owner_id = data.pop("owner_id", None) or client.owner_id
    values = custom.clean(membership, "client", data.pop("custom_fields", None), client.custom_fields)
    changed = sorted(k for k in TRACKED if k in data and getattr(client, k) != data[k])
    for key in changed:
        setattr(client, key, data[key])
    changes = custom.write("client", client, values, current_locale())
    if changes:
        changed.append("custom_fields")
    if owner_id != client.owner_id:
        old = client.owner.name if client.owner else None
        client.owner_id = team_member(owner_id, "owner_id")
        db.session.flush()
        db.session.refresh(client, ["owner"])
        emit(
            "client.owner_changed",
            subject=client,
            client=client,
            actor_id=membership.user_id,
            old=old,
            new=client.owner.name,
        )
    if "status" in changed:
        emit("client.status_changed", subject=client, client=client, actor_id=membership.user_id, new=client.status)
    if changed:
        client.updated_at = utcnow()
        refresh_search_text(client)
        if "tags" in changed:
            _sync_tags(client)
        extra = {"changes": changes} if changes else {}
        emit("client.updated", subject=client, client=client, actor_id=membership.user_id, fields=changed, **extra)


def set_archived(membership: Membership, client: Client, archived: bool) -> None:
    require(membership, Perm.CLIENTS_EDIT)
    if (client.archived_at is not None) != archived:
        client.archived_at = utcnow() if archived else None
        client.updated_at = utcnow()
        emit(
            "client.archived" if archived else "client.restored",
            subject=client,
            client=client,
            actor_id=membership.user_id,
        )


def add_contact(membership: Membership, client: Client, data: dict[str, Any], enforce_required: bool = True) -> Contact:
    _may_add_people(membership, client)
    data.pop("version", None)
    values = custom.clean(
        membership, "contact", data.pop("custom_fields", None), creating=True, enforce_required=enforce_required
    )
    lock_row(db.session, client, "contacts")  # the search text is made from every contact, theirs included
    contact = Contact(client_id=client.id, **data)
    db.session.add(contact)
    client.contacts.append(contact)
    _contacts_changed(client)
    custom.write("contact", contact, values)
    emit("contact.added", subject=contact, client=client, actor_id=membership.user_id, contact=contact.name)
    return contact


def _may_add_people(membership: Membership, client: Client) -> None:
    """Editors add contacts to any client they see; field staff to the leads they created themselves."""
    own_lead = client.owner_id == membership.user_id and has_perm(membership.role, Perm.CLIENTS_CREATE)
    if not own_lead:
        require(membership, Perm.CLIENTS_EDIT)


def update_contact(membership: Membership, client: Client, contact: Contact, data: dict[str, Any]) -> None:
    """`data` may carry the version read (forms); the API checks If-Match before calling."""
    require(membership, Perm.CLIENTS_EDIT)
    lock_row(db.session, client, "contacts")
    db.session.refresh(contact)
    if "version" in data and data.pop("version") != contact.version:
        raise Conflict()
    values = custom.clean(membership, "contact", data.pop("custom_fields", None), contact.custom_fields)
    changed = sorted(k for k, v in data.items() if getattr(contact, k) != v)
    for key in changed:
        setattr(contact, key, data[key])
    changes = custom.write("contact", contact, values, current_locale())
    if changes:
        changed.append("custom_fields")
    if changed:
        _contacts_changed(client)
        extra = {"changes": changes} if changes else {}
        emit(
            "contact.updated",
            subject=contact,
            client=client,
            actor_id=membership.user_id,
            contact=contact.name,
            fields=changed,
            **extra,
        )


def remove_contact(membership: Membership, client: Client, contact: Contact) -> None:
    require(membership, Perm.CLIENTS_EDIT)
    lock_row(db.session, client, "contacts")
    if contact in client.contacts:
        client.contacts.remove(contact)
        db.session.delete(contact)
    _contacts_changed(client)
    emit("contact.removed", subject=contact, client=client, actor_id=membership.user_id, contact=contact.name)


def update_interaction(membership: Membership, interaction: Interaction, data: dict[str, Any]) -> None:
    """Correct a follow-up: its author, or anyone who sees every client (a manager tidying up)."""
    require(membership, Perm.CLIENTS_EDIT)
    if interaction.author_id != membership.user_id and not has_perm(membership.role, Perm.CLIENTS_ALL):
        raise NotAllowed()
    if "version" in data and data.pop("version") != interaction.version:
        raise Conflict()
    for key, value in data.items():
        setattr(interaction, key, value)


def log_interaction(membership: Membership, client: Client, data: dict[str, Any]) -> Interaction:
    require(membership, Perm.FOLLOW_UPS_LOG)
    interaction = Interaction(client_id=client.id, author_id=membership.user_id, **data)
    db.session.add(interaction)
    interaction.occurred_at = utcnow()
    db.session.flush()
    # The client's last contact moves without its version: parallel follow-ups never conflict.
    set_quietly(db.session, client, last_contact_at=interaction.occurred_at, updated_at=interaction.occurred_at)
    emit("interaction.logged", subject=interaction, client=client, actor_id=membership.user_id)
    return interaction


def complete_next_action(membership: Membership, interaction: Interaction) -> None:
    require(membership, Perm.CLIENTS_EDIT)
    if interaction.next_action and interaction.next_action_done_at is None:
        interaction.next_action_done_at = utcnow()


def share_client(membership: Membership, client: Client, data: dict[str, Any], timezone: str) -> ClientShare:
    """Share with a colleague, optionally until the end of a day in the studio's time zone."""
    require(membership, Perm.CLIENTS_SHARE)
    user_id = team_member(data["user_id"], "user_id")
    expires_at = None
    if data.get("expires_on") is not None:
        end_of_day = datetime.combine(data["expires_on"], time.max, tzinfo=ZoneInfo(timezone)).astimezone(UTC)
        if end_of_day <= utcnow():
            raise ValidationFailed({"expires_on": [_("Choose a date in the future.")]})
        expires_at = end_of_day
    if user_id == client.owner_id:
        raise ValidationFailed({"user_id": [_("This person already owns the client.")]})
    share = db.session.scalar(
        select(ClientShare).where(ClientShare.client_id == client.id, ClientShare.user_id == user_id)
    )
    if share is None:
        share = ClientShare(client_id=client.id, user_id=user_id, created_by_id=membership.user_id)
        db.session.add(share)
    share.expires_at = expires_at
    db.session.flush()
    db.session.refresh(share, ["user"])
    emit(
        "client.shared",
        subject=client,
        client=client,
        actor_id=membership.user_id,
        person=share.user.name,
        until=expires_at.isoformat() if expires_at else None,
    )
    return share


def revoke_share(membership: Membership, client: Client, share: ClientShare) -> None:
    require(membership, Perm.CLIENTS_SHARE)
    emit("client.unshared", subject=client, client=client, actor_id=membership.user_id, person=share.user.name)
    db.session.delete(share)


def delete_client(membership: Membership, client: Client, confirm_name: str) -> None:
    """Permanent: the client and everything under it. Owners only, confirmed by typing the name, audited."""
    require(membership, Perm.CLIENTS_DELETE)
    if confirm_name.strip() != client.name:
        raise ValidationFailed({"confirm_name": [_("Type the client's name exactly to confirm.")]})
    from saas.tenants import audit

    audit.record("client.deleted", client, name=client.name)
    db.session.delete(client)


def rename_tag(membership: Membership, old: str, new: str) -> int:
    """Rename (or merge into an existing tag) on every client of the studio; returns how many clients changed.
    Studio-wide, so only for those who see every client and may edit."""
    require(membership, Perm.CLIENTS_EDIT)
    require(membership, Perm.CLIENTS_ALL)
    return _retag(membership, old, new)


def remove_tag(membership: Membership, tag: str) -> int:
    require(membership, Perm.CLIENTS_EDIT)
    require(membership, Perm.CLIENTS_ALL)
    return _retag(membership, tag, None)


def _retag(membership: Membership, old: str, new: str | None) -> int:
    from saas.tenants import audit

    tagged = select(ClientTag.client_id).where(ClientTag.tag == old)
    clients = db.session.scalars(select(Client).where(Client.id.in_(tagged)))
    count = 0
    for client in clients:
        tags = [new if tag == old else tag for tag in client.tags]
        client.tags = [tag for tag in dict.fromkeys(tags) if tag is not None]
        refresh_search_text(client)
        _sync_tags(client)
        count += 1
    audit.record("tag.renamed" if new else "tag.removed", None, old=old, new=new, clients=count)
    return count


def save_view(membership: Membership, name: str, filters: dict[str, str], page: str = "clients") -> SavedView:
    """Saving under an existing name of the same list (`page`) replaces that view's filters."""
    name = name.strip()
    if not name or len(name) > 60:
        raise ValidationFailed({"view_name": [_("Give the view a name of at most 60 characters.")]})
    if not filters:
        raise ValidationFailed({"view_name": [_("Choose some filters first; this view would show everything.")]})
    mine = select(SavedView).where(SavedView.user_id == membership.user_id, SavedView.page == page)
    view = db.session.scalar(mine.where(SavedView.name == name))
    if view is None:
        view = SavedView(user_id=membership.user_id, name=name, page=page)
        db.session.add(view)
    view.filters = filters
    db.session.flush()
    return view


def delete_view(membership: Membership, view: SavedView) -> None:
    if view.user_id != membership.user_id:
        raise NotAllowed()
    db.session.delete(view)
