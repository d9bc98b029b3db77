"""Contract rules: drafted from an accepted quote or on their own; an approval chain by amount that admins set
(e.g. from ¥50,000 a manager, from ¥200,000 also finance); draft → in_approval → approved → signed, with
every submission, decision and signature recorded with who, when and comment. A signed contract is final.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from saas.billing.models import ApprovalRule, Contract, ContractDecision, ContractStatus, Quote, QuoteStatus
from saas.billing.services.common import next_number, refuse
from saas.clients.access import client_for_form
from saas.errors import Conflict, NotAllowed, ValidationFailed
from saas.events import emit
from saas.extensions import db
from saas.files.storage import Storage, tenant_key
from saas.projects.access import project_id_for_form
from saas.tenants import audit
from saas.tenants.models import Membership
from saas.tenants.queries import studio_today
from saas.tenants.roles import Perm, Role, require

APPROVER_ROLES = (Role.MANAGER, Role.FINANCE, Role.OWNER)
SIGNED_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
MAX_SIGNED_BYTES = 20 * 1024 * 1024


def rules() -> list[ApprovalRule]:
    return list(db.session.scalars(select(ApprovalRule).order_by(ApprovalRule.min_amount_minor, ApprovalRule.role)))


def set_rules(membership: Membership, wanted: list[tuple[int, str]]) -> None:
    """Replace the studio's chain: (minimum amount, role) pairs. A change goes on the audit trail, before → after."""
    require(membership, Perm.BILLING_SETTINGS)
    before = [[rule.min_amount_minor, rule.role] for rule in rules()]
    after = [[amount, role] for amount, role in sorted(set(wanted))]
    db.session.execute(delete(ApprovalRule))
    db.session.add_all(ApprovalRule(min_amount_minor=amount, role=role) for amount, role in after)
    if before != after:
        changes = [{"what": "approval_rules", "old": before, "new": after}]
        audit.record("billing.approval_rules_changed", None, actor_id=membership.user_id, changes=changes)


def required_roles(amount_minor: int) -> list[str]:
    """Every role whose threshold the amount reaches, in threshold order, each once."""
    roles: list[str] = []
    for rule in rules():
        if amount_minor >= rule.min_amount_minor and rule.role not in roles:
            roles.append(rule.role)
    return roles


def create_contract(membership: Membership, data: dict[str, Any]) -> Contract:
    require(membership, Perm.QUOTES)
    quote = data.pop("quote", None)
    client = client_for_form(membership, quote.client_id if quote else data["client_id"])
    contract = Contract(
        client_id=client.id,
        project_id=quote.project_id if quote else project_id_for_form(membership, data.get("project_id"), client.id),
        quote_id=quote.id if quote else None,
        number=next_number("C", studio_today(membership.tenant_id)),
        title=data.get("title") or (quote.title if quote else ""),
        amount_minor=quote.total_minor if quote else data["amount_minor"],
        terms=data.get("terms"),
        created_by_id=membership.user_id,
    )
    db.session.add(contract)
    db.session.flush()
    emit(
        "contract.created",
        subject=contract,
        client=client,
        actor_id=membership.user_id,
        contract=contract.number,
        amount=contract.amount_minor,
    )
    return contract


def of_quote(quote: Quote) -> Contract | None:
    return db.session.scalar(select(Contract).where(Contract.quote_id == quote.id))


def from_quote(membership: Membership, quote: Quote) -> Contract:
    if quote.status != QuoteStatus.ACCEPTED:
        raise refuse(_("Only an accepted quote becomes a contract."))
    if of_quote(quote) is not None:
        raise refuse(_("This quote already has its contract."))
    return create_contract(membership, {"quote": quote})


def update_contract(membership: Membership, contract: Contract, data: dict[str, Any]) -> None:
    require(membership, Perm.QUOTES)
    if (read := data.pop("version", None)) is not None and read != contract.version:
        raise Conflict()
    if contract.status == ContractStatus.SIGNED:
        raise refuse(_("A signed contract cannot be changed."))
    if contract.status != ContractStatus.DRAFT:
        raise refuse(_("A contract in approval cannot be changed; reject it back to draft first."))
    changes = [
        {"what": key, "old": getattr(contract, key), "new": data[key]}
        for key in ("title", "amount_minor")
        if key in data and data[key] is not None and data[key] != getattr(contract, key)
    ]
    if data.get("terms") is not None and data["terms"] != contract.terms:
        changes.append({"what": "terms", "old": None, "new": None})
    for key in ("title", "amount_minor", "terms"):
        if key in data and data[key] is not None:
            setattr(contract, key, data[key])
    if changes:
        emit(
            "contract.revised",
            subject=contract,
            client=contract.client,
            actor_id=membership.user_id,
            contract=contract.number,
            amount=contract.amount_minor,
            changes=changes,
        )


def _record(contract: Contract, membership: Membership, action: str, role: str | None, comment: str | None) -> None:
    db.session.add(
        ContractDecision(
            contract_id=contract.id, action=action, role=role, comment=comment, actor_id=membership.user_id
        )
    )


def submit(membership: Membership, contract: Contract) -> None:
    """The chain is fixed at submission: later rule changes do not move a contract already in approval."""
    require(membership, Perm.QUOTES)
    if contract.status != ContractStatus.DRAFT:
        raise refuse(_("Only a draft contract can be submitted."))
    contract.required_roles = required_roles(contract.amount_minor)
    _record(contract, membership, "submitted", None, None)
    contract.status = ContractStatus.IN_APPROVAL if contract.required_roles else ContractStatus.APPROVED
    emit(
        "contract.submitted",
        subject=contract,
        client=contract.client,
        actor_id=membership.user_id,
        contract=contract.number,
        amount=contract.amount_minor,
        steps=list(contract.required_roles),
    )


def decisions(contract: Contract) -> list[ContractDecision]:
    query = select(ContractDecision).where(ContractDecision.contract_id == contract.id)
    return list(db.session.scalars(query.order_by(ContractDecision.created_at)))


def pending_role(contract: Contract) -> str | None:
    """The next step of the chain: the first required role with no approval since the last submission."""
    if contract.status != ContractStatus.IN_APPROVAL:
        return None
    approved: set[str] = set()
    for decision in decisions(contract):
        if decision.action == "submitted":
            approved = set()
        elif decision.action == "approved" and decision.role:
            approved.add(decision.role)
    return next((role for role in contract.required_roles if role not in approved), None)


def can_decide(membership: Membership, contract: Contract) -> bool:
    step = pending_role(contract)
    return step is not None and (membership.role == step or membership.role == Role.OWNER)


def decide(membership: Membership, contract: Contract, approve: bool, comment: str | None) -> None:
    step = pending_role(contract)
    if step is None:
        raise refuse(_("This contract is not waiting for an approval."))
    if not can_decide(membership, contract):
        raise NotAllowed()
    if not approve and not (comment or "").strip():
        raise ValidationFailed({"comment": [_("Say why, so the author knows what to change.")]})
    _record(contract, membership, "approved" if approve else "rejected", step, comment)
    db.session.flush()
    if not approve:
        contract.status = ContractStatus.DRAFT
    elif pending_role(contract) is None:
        contract.status = ContractStatus.APPROVED
    emit(
        "contract.approved" if approve else "contract.rejected",
        subject=contract,
        client=contract.client,
        actor_id=membership.user_id,
        contract=contract.number,
        amount=contract.amount_minor,
    )


def sign(membership: Membership, contract: Contract, storage: Storage, upload: Any, signed_on) -> None:
    """Approved → signed, with the signed copy attached (PDF or a photo of it)."""
    require(membership, Perm.QUOTES)
    if contract.status != ContractStatus.APPROVED:
        raise refuse(_("Only an approved contract can be marked as signed."))
    data = upload.read(MAX_SIGNED_BYTES + 1) if upload else b""
    if not data:
        raise ValidationFailed({"file": [_("Attach the signed copy (PDF, PNG or JPEG).")]})
    if len(data) > MAX_SIGNED_BYTES:
        raise ValidationFailed({"file": [_("The file is larger than 20 MB.")]})
    kind = _sniff(data)
    if kind is None:
        raise ValidationFailed({"file": [_("Attach a PDF, PNG or JPEG file.")]})
    key = tenant_key(contract.tenant_id, "contracts", str(contract.id), f"signed{SIGNED_TYPES[kind]}")
    storage.put(key, data, kind)
    contract.signed_file_key, contract.signed_file_name = key, (upload.filename or "signed")[:200]
    contract.signed_on = signed_on or studio_today(contract.tenant_id)
    contract.status = ContractStatus.SIGNED
    _record(contract, membership, "signed", None, None)
    emit(
        "contract.signed",
        subject=contract,
        client=contract.client,
        actor_id=membership.user_id,
        contract=contract.number,
        amount=contract.amount_minor,
    )


def _sniff(data: bytes) -> str | None:
    """By content, not by name: what the bytes are."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None
