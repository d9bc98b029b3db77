"""The demo studio for `make run`: one person of each role, a second studio to switch to, realistic
Chinese and English names. Idempotent: a second run finds the studio and only prints the logins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from saas.db import utcnow
from saas.extensions import db
from saas.isolation import set_tenant
from saas.tenants import audit, services
from saas.tenants.models import Membership, Tenant, User
from saas.tenants.passwords import hash_password
from saas.tenants.roles import Role

DEMO_SLUG = "demo"
DEMO_PASSWORD = "atelier-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    role: Role
    locale: str


PEOPLE = (
    DemoPerson("林晓 Lin Xiao", "owner@demo.atelier.test", Role.OWNER, "zh_CN"),
    DemoPerson("周明 Zhou Ming", "admin@demo.atelier.test", Role.ADMIN, "zh_CN"),
    DemoPerson("陈静 Chen Jing", "manager@demo.atelier.test", Role.MANAGER, "zh_CN"),
    DemoPerson("王磊 Wang Lei", "designer@demo.atelier.test", Role.MEMBER, "zh_CN"),
    DemoPerson("Emma Clarke", "sales@demo.atelier.test", Role.MEMBER, "en"),
    DemoPerson("李娜 Li Na", "finance@demo.atelier.test", Role.FINANCE, "zh_CN"),
    DemoPerson("赵强 Zhao Qiang", "field@demo.atelier.test", Role.FIELD, "zh_CN"),
)


def ensure_demo() -> list[DemoPerson]:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
    if tenant is None:
        _create_demo()
    else:
        _forms_for_an_older_demo(tenant)
    refresh_field_day()
    return list(PEOPLE)


def _field_worker_id() -> uuid.UUID:
    return db.session.scalar(select(User.id).where(User.email == "field@demo.atelier.test"))


def _user(person: DemoPerson) -> User:
    user = User(email=person.email, name=person.name, password_hash=hash_password(DEMO_PASSWORD), locale=person.locale)
    db.session.add(user)
    return user


def _create_demo() -> None:
    owner, *staff = PEOPLE
    owner_membership = services.add_studio_for(_user(owner), "青柚设计工作室 Pomelo Design", DEMO_SLUG)
    tenant = owner_membership.tenant
    tenant.brand_color = "#2f6f5e"
    for person in staff:
        user = _user(person)
        user.last_tenant_id = tenant.id
        membership = Membership(user=user, tenant=tenant, role=person.role)
        db.session.add(membership)
        db.session.flush()
        audit.record("member.joined", membership, actor_id=user.id, email=person.email, role=person.role)
    db.session.flush()
    _demo_fields(owner_membership)
    _demo_clients(owner_membership)
    _demo_projects(owner_membership)
    _demo_billing(owner_membership)
    _demo_portal(owner_membership)
    _demo_draft(owner_membership)
    _demo_visit_done(owner_membership, _field_worker_id(), tenant.timezone)
    _demo_quote_sent(owner_membership)
    _demo_field(owner_membership)
    _demo_tickets(owner_membership)
    _demo_forms(owner_membership)
    _demo_dashboards(owner_membership)
    _demo_reports(owner_membership)
    _demo_exports(owner_membership)
    _demo_import(owner_membership)
    _recount(tenant.id)
    _second_studio(owner_membership.user)
    set_tenant(db.session(), None)


def _recount(tenant_id: uuid.UUID) -> None:
    """The day rollups, counted afresh from what the demo wrote (as after any bulk load; the flushes kept them
    already, so this changes nothing unless a seed step wrote around the ORM)."""
    from saas.billing.rollups import rebuild as rebuild_money
    from saas.clients.rollups import rebuild

    db.session.flush()
    rebuild(db.session(), tenant_id)
    rebuild_money(db.session(), tenant_id)


def _demo_exports(owner: Membership) -> None:
    """My exports holds the signed clients as an Excel file prepared by the export job (inline under `make run`),
    ready to download, and its notification in the bell."""
    from saas.exports.models import Export
    from saas.exports.services import run_export
    from saas.jobs import enqueue

    made = Export(
        user_id=owner.user_id,
        list_name="clients",
        format="xlsx",
        filters={"status": "signed"},
        locale="zh_CN",
        filename="客户-签约.xlsx",
    )
    db.session.add(made)
    db.session.flush()
    enqueue(run_export, str(made.id), job_id=f"export-{made.id}")


def _second_studio(owner: User) -> None:
    """A partner studio where the demo owner is a manager, so the studio switcher has something to show."""
    partner = _user(DemoPerson("Sofia Marin", "owner@northwind.atelier.test", Role.OWNER, "en"))
    northwind = services.add_studio_for(partner, "Northwind Interiors 北风室内", "northwind", "en").tenant
    northwind.locale, northwind.currency, northwind.timezone = "en", "HKD", "Asia/Hong_Kong"
    db.session.add(Membership(user=owner, tenant=northwind, role=Role.MANAGER))
    owner.last_tenant_id = owner.last_tenant_id or northwind.id
    db.session.flush()


# name, status, industry, source, tags, owner e-mail, contacts (name, title, phone, wechat, decision maker),
# follow-ups (kind, summary, next action, days until due)
CLIENTS = (
    (
        "上海某某设计有限公司",
        "signed",
        "室内设计",
        "转介绍",
        ["VIP", "长期合作"],
        "designer@demo.atelier.test",
        [("张伟", "总经理", "138 0013 8000", "zhangwei_sh", True), ("刘芳", "行政主管", "139 1234 5678", None, False)],
        [
            ("meeting", "到店量尺，确认新店平面布局", None, None),
            ("wechat", "发送了三版情绪板，客户倾向第二版的暖色调", "整理第二版方案并约中期汇报", 2),
        ],
    ),
    (
        "鹿鸣咖啡 Deer Coffee",
        "intent",
        "餐饮",
        "小红书",
        ["品牌全案"],
        "sales@demo.atelier.test",
        [("陈思", "创始人", "186 2100 7788", "chensi_coffee", True)],
        [
            (
                "call",
                "First call: they want a full brand identity before opening the second shop in 徐汇.",
                "Send the quote for brand identity + signage",
                -2,
            )
        ],
    ),
    (
        "Harbour Lane Properties",
        "potential",
        "Real estate",
        "Exhibition",
        ["sales-office"],
        "sales@demo.atelier.test",
        [("Daniel Wong", "Marketing Director", "+852 9123 4567", None, True)],
        [
            (
                "email",
                "Sent our portfolio of sales-office interiors after the Shanghai design week.",
                "Follow up on portfolio",
                0,
            )
        ],
    ),
    (
        "杭州云栖茶舍",
        "signed",
        "茶饮",
        "老客户",
        ["空间设计"],
        "designer@demo.atelier.test",
        [("王敏", "店长", "137 5555 0101", "wangmin_tea", True)],
        [("visit", "现场验收，灯光色温需要从 4000K 调到 3000K", "安排灯光调整", 5)],
    ),
    (
        "北京星图科技",
        "past",
        "互联网",
        "官网",
        ["办公空间"],
        "manager@demo.atelier.test",
        [("赵磊", "行政总监", "135 0000 2222", None, True)],
        [("note", "项目已结项，尾款已结清；客户表示明年新办公室可能再合作。", None, None)],
    ),
    (
        "Maison Lumière",
        "intent",
        "Retail",
        "Referral",
        ["VIP"],
        "manager@demo.atelier.test",
        [
            ("Claire Dubois", "Brand Manager", "+33 6 12 34 56 78", None, True),
            ("周婷", "中国区代表", "158 0000 3333", "zhouting_ml", False),
        ],
        [
            (
                "meeting",
                "Kick-off for the Shanghai pop-up: 60 m², three weeks on site, opening in March.",
                "Share the pop-up concept deck",
                7,
            )
        ],
    ),
)


def _membership(email: str) -> Membership:
    from saas.tenants.accounts import find_user

    return db.session.scalar(select(Membership).where(Membership.user_id == find_user(email).id))


# The studio's own fields (Studio → Custom fields): key, type, 中文, English, options, help (zh, en).
DEMO_FIELDS = (
    ("client", "floor_area", "number", "房屋面积（m²）", "Floor area (m²)", "", ("套内面积", "Usable floor area")),
    (
        "client",
        "styles",
        "choices",
        "装修风格",
        "Preferred styles",
        "modern | Modern | 现代简约\nnordic | Nordic | 北欧\nchinese | New Chinese | 新中式\n"
        "japanese | Japanese | 日式\nindustrial | Industrial | 工业风",
        ("", ""),
    ),
    (
        "client",
        "budget_range",
        "choice",
        "预算区间",
        "Budget range",
        "under_200k | Under ¥200k | 20万以下\nfrom_200k | ¥200k–500k | 20–50万\nover_500k | Over ¥500k | 50万以上",
        ("", ""),
    ),
    ("client", "has_pets", "boolean", "是否有宠物", "Pets at home", "", ("", "")),
    ("client", "survey_on", "date", "量房日期", "Site survey date", "", ("", "")),
    ("project", "rooms", "number", "房间数", "Rooms", "", ("", "")),
    ("project", "site_address", "address", "项目地址", "Site address", "", ("", "")),
    ("ticket", "under_warranty", "boolean", "保修期内", "Under warranty", "", ("交付后一年内", "A year from handover")),
    (
        "contact",
        "contact_role",
        "choice",
        "项目角色",
        "Role in the project",
        "decides | Decides | 拍板人\nbudget | Holds the budget | 管预算\nuser | Uses the space | 使用者\n"
        "liaison | Day-to-day liaison | 日常对接",
        ("", ""),
    ),
    ("contact", "influence", "rating", "影响力", "Influence", "", ("1–5，对决策的影响", "1–5, on the decision")),
    ("contact", "met_on", "date", "首次见面", "First met", "", ("", "")),
)
DEMO_NOT_FINANCE = {"influence"}  # who sways a decision is the relationship side: finance does not see it
# Values of the demo contacts, by name (the contacts list filters and shows them as columns).
DEMO_CONTACT_VALUES = {
    "张伟": {"contact_role": "decides", "influence": 5, "met_on": "2026-03-18"},
    "刘芳": {"contact_role": "liaison", "influence": 3},
    "陈思": {"contact_role": "decides", "influence": 5, "met_on": "2026-09-02"},
    "Daniel Wong": {"contact_role": "budget", "influence": 4},
    "王敏": {"contact_role": "user", "influence": 2, "met_on": "2026-06-11"},
    "Claire Dubois": {"contact_role": "decides", "influence": 4},
    "周婷": {"contact_role": "liaison", "influence": 3, "met_on": "2026-10-20"},
}
# Values of the demo clients, in the order of CLIENTS, and of the demo projects by name.
DEMO_CLIENT_VALUES = (
    {"floor_area": 860, "styles": ["modern", "industrial"], "budget_range": "over_500k", "survey_on": 3},
    {"floor_area": 128, "styles": ["nordic"], "budget_range": "from_200k", "has_pets": True, "survey_on": -12},
    {"floor_area": 95.5, "styles": ["chinese", "japanese"], "budget_range": "under_200k", "has_pets": False},
    {"floor_area": 240, "styles": ["modern"], "budget_range": "from_200k", "survey_on": 9},
)
DEMO_PROJECT_VALUES = {
    "总部办公室室内设计": {"rooms": 12, "site_address": "上海市徐汇区漕溪北路 88 号 18 层"},
}


def _demo_fields(owner: Membership) -> None:
    from saas.fields import services as fields
    from saas.fields.schemas import DefinitionSchema
    from saas.schemas import load

    for entity, key, kind, label_zh, label_en, choices, (help_zh, help_en) in DEMO_FIELDS:
        form = {"key": key, "type": kind, "label_zh": label_zh, "label_en": label_en, "choices": choices}
        form.update(help_zh=help_zh, help_en=help_en)
        if key in DEMO_NOT_FINANCE:
            form["visibility"] = "not_finance"
        fields.create_definition(owner, entity, load(DefinitionSchema(), form))


def _demo_values(index: int) -> dict:
    values = dict(DEMO_CLIENT_VALUES[index % len(DEMO_CLIENT_VALUES)])
    if "survey_on" in values:
        values["survey_on"] = (utcnow() + timedelta(days=values["survey_on"])).date().isoformat()
    return values


def _demo_clients(owner: Membership) -> None:
    """Each client's follow-ups are logged by the person who owns it, so their home shows what is due."""
    from saas.clients import services as clients
    from saas.tenants.accounts import find_user

    for index, (name, status, industry, source, tags, owner_email, contacts, follow_ups) in enumerate(CLIENTS):
        client = clients.create_client(
            owner,
            {
                "name": name,
                "status": status,
                "industry": industry,
                "source": source,
                "tags": tags,
                "owner_id": find_user(owner_email).id,
                "custom_fields": _demo_values(index),
            },
        )
        for contact_name, title, phone, wechat, decision in contacts:
            clients.add_contact(
                owner,
                client,
                {
                    "name": contact_name,
                    "title": title,
                    "phone": phone,
                    "wechat": wechat,
                    "decision_maker": decision,
                    "custom_fields": DEMO_CONTACT_VALUES.get(contact_name, {}),
                },
            )
        for kind, summary, next_action, days in follow_ups:
            due = (utcnow() + timedelta(days=days)).date() if days is not None else None
            clients.log_interaction(
                _membership(owner_email),
                client,
                {"kind": kind, "summary": summary, "next_action": next_action, "next_action_due": due},
            )
    db.session.flush()


# client name, project name, type, stage key, value (yuan), probability, due in days, designer e-mail, brief goals,
# tasks (title, due in days)
PROJECTS = (
    (
        "上海某某设计有限公司",
        "总部办公室室内设计",
        "室内设计",
        "design",
        380_000,
        90,
        45,
        "designer@demo.atelier.test",
        "开放式办公，兼顾会议与展示空间",
        [("出平面布局方案 A/B", 3), ("材料样板确认", 10)],
    ),
    (
        "上海某某设计有限公司",
        "2027 品牌年报",
        "平面设计",
        "inquiry",
        60_000,
        40,
        60,
        "designer@demo.atelier.test",
        None,
        [("整理往年年报参考", 5)],
    ),
    (
        "鹿鸣咖啡 Deer Coffee",
        "Deer Coffee brand refresh",
        "Brand identity",
        "quote",
        120_000,
        60,
        30,
        "designer@demo.atelier.test",
        "A younger brand for the new campus stores",
        [("Send the quote", -1)],
    ),
    (
        "鹿鸣咖啡 Deer Coffee",
        "外卖包装设计",
        "包装设计",
        "feedback",
        45_000,
        80,
        -3,
        "designer@demo.atelier.test",
        "外卖杯套与纸袋，环保材料",
        [("根据客户反馈调整配色", 0)],
    ),
    (
        "北京星图科技",
        "星图科技官网改版",
        "网站设计",
        "revision",
        150_000,
        85,
        14,
        "designer@demo.atelier.test",
        "突出 B2B 案例与技术实力",
        [("第二版首页", 2)],
    ),
    (
        "Harbour Lane Properties",
        "Show flat styling",
        "Interior",
        "delivery",
        90_000,
        95,
        7,
        "designer@demo.atelier.test",
        None,
        [("Photograph the finished flat", 6)],
    ),
)


def _demo_projects(owner: Membership) -> None:
    from saas.clients.models import Client
    from saas.projects import pipeline
    from saas.projects import services as projects
    from saas.tenants.accounts import find_user

    today = utcnow().date()
    for client_name, name, kind, stage, value, probability, due, designer, goals, tasks in PROJECTS:
        client = db.session.scalar(select(Client).where(Client.name == client_name))
        designer_id = find_user(designer).id
        project = projects.create_project(
            owner,
            {
                "client_id": client.id,
                "name": name,
                "type": kind,
                "value_minor": value * 100,
                "probability": probability,
                "start_on": today - timedelta(days=20),
                "due_on": today + timedelta(days=due),
                "brief": {"goals": goals} if goals else {},
                "team": [designer_id],
                "owner_id": designer_id,
                "custom_fields": DEMO_PROJECT_VALUES.get(name, {}),
            },
        )
        for key in [s.key for s in pipeline.stages()][1:]:
            if project.stage.key == stage:
                break
            projects.move_project(owner, project, pipeline.stage_by_key(key))
        for title, days in tasks:
            projects.create_task(
                owner, {"title": title, "assignee_id": designer_id, "due_on": today + timedelta(days=days)}, project
            )
    db.session.flush()


def _demo_billing(owner: Membership) -> None:
    """A quote awaiting a manager (20% off), and one accepted, contracted, invoiced 30/70 with the deposit paid."""
    from decimal import Decimal

    from saas.billing.models import InvoiceKind
    from saas.billing.services import contracts, invoices, quotes
    from saas.billing.services.common import settings
    from saas.projects.models import Project

    settings().payment_instructions = "开户行：招商银行上海分行\n户名：青柚设计工作室\n账号：6214 8888 0000 1234"
    today = utcnow().date()
    refresh = db.session.scalar(select(Project).where(Project.name == "Deer Coffee brand refresh"))
    pending = quotes.create_quote(
        owner,
        {
            "client_id": refresh.client_id,
            "project_id": refresh.id,
            "title": "Deer Coffee brand refresh",
            "language": "en",
            "lines": [
                {
                    "description": "Brand strategy workshop",
                    "quantity": Decimal(1),
                    "unit": "day",
                    "unit_price_minor": 1_500_000,
                    "discount_bp": 2000,
                },
                {
                    "description": "Logo and visual identity",
                    "quantity": Decimal(1),
                    "unit": "set",
                    "unit_price_minor": 6_000_000,
                },
            ],
        },
    )
    quotes.request_approval(owner, pending)
    office = db.session.scalar(select(Project).where(Project.name == "总部办公室室内设计"))
    won = quotes.create_quote(
        owner,
        {
            "client_id": office.client_id,
            "project_id": office.id,
            "title": "总部办公室室内设计",
            "lines": [
                {
                    "description": "方案设计（平面布局、效果图）",
                    "quantity": Decimal(1),
                    "unit": "项",
                    "unit_price_minor": 18_000_000,
                },
                {"description": "施工图深化", "quantity": Decimal("1200.5"), "unit": "m²", "unit_price_minor": 15_000},
            ],
        },
    )
    quotes.send_quote(owner, won)
    quotes.decide(owner, won, True, "张伟", None)
    contract = contracts.from_quote(owner, won)
    contracts.submit(owner, contract)
    parts = [
        {"kind": InvoiceKind.DEPOSIT, "percent": Decimal(30), "due_on": today - timedelta(days=12)},
        {"kind": InvoiceKind.FINAL, "percent": Decimal(70), "due_on": today + timedelta(days=45)},
    ]
    deposit, final = invoices.schedule(owner, contract, parts)
    for invoice in (deposit, final):
        invoices.send_invoice(owner, invoice)
    invoices.record_payment(
        owner, deposit, {"amount_minor": deposit.amount_minor // 2, "method": "bank", "reference": "招行 0042"}
    )
    db.session.flush()


DEMO_PORTAL_EMAIL = "zhangwei@client.atelier.test"


def _demo_portal(owner: Membership) -> None:
    """张伟 of 上海某某设计有限公司 can open the portal: his sign-in links land in the outbox folder."""
    from saas.clients.models import Client, Contact
    from saas.portal_accounts import services as portal_accounts

    client = db.session.scalar(select(Client).where(Client.name == "上海某某设计有限公司"))
    contact = db.session.scalar(select(Contact).where(Contact.client_id == client.id, Contact.name == "张伟"))
    contact.email = DEMO_PORTAL_EMAIL
    portal_accounts.invite_contact(owner, client, contact)


def _demo_sheet(title: str, accent: tuple[int, int, int]) -> bytes:
    """A plain layout sketch (no fonts needed): a header band, a logo mark, blocks of "text"."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1000), (250, 249, 246))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1600, 140), fill=accent)
    draw.ellipse((120, 300, 520, 700), outline=accent, width=28)
    draw.rectangle((250, 430, 390, 570), fill=accent)
    for row in range(6):
        width = 700 if row % 3 else 520
        draw.rounded_rectangle((700, 320 + row * 70, 700 + width, 350 + row * 70), radius=12, fill=(214, 219, 216))
    draw.text((120, 60), title, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _demo_draft(owner: Membership) -> None:
    """Version 1 of the office interior's concept, sent to 张伟 for review, with his two pins and a reply."""
    from flask import current_app

    from saas.files.models import FileStatus, StoredFile
    from saas.files.previews import make
    from saas.files.storage import tenant_key
    from saas.portal_accounts.models import PortalUser
    from saas.projects.models import Project
    from saas.proofing import services as proofing

    storage = current_app.extensions["atelier.storage"]
    project = db.session.scalar(select(Project).where(Project.name == "总部办公室室内设计"))
    draft = proofing.new_version(owner, project, "概念方案")
    sheets = []
    for name, accent in (("concept-a.png", (47, 111, 94)), ("concept-b.png", (176, 98, 52))):
        file_id = uuid.uuid4()
        stored = StoredFile(
            id=file_id,
            key=tenant_key(owner.tenant_id, "files", str(file_id), "original.png"),
            name=name,
            declared_type="image/png",
            content_type="image/png",
            status=FileStatus.READY,
            purpose="draft",
            previews={},
            project_id=project.id,
            client_id=project.client_id,
            owner_kind="draft",
            owner_id=draft.id,
            uploaded_by_id=project.owner_id,
        )
        data = _demo_sheet(name, accent)
        storage.put(stored.key, data, "image/png")
        stored.size_bytes = len(data)
        stored.previews = make(storage, stored)
        db.session.add(stored)
        sheets.append(stored)
    db.session.flush()
    reviewer = db.session.scalar(select(PortalUser).where(PortalUser.email == DEMO_PORTAL_EMAIL))
    due = utcnow().date() + timedelta(days=3)
    proofing.submit(owner, draft, proofing.Submission([reviewer.id], "张总您好，概念方案 A/B 请过目。", due))
    pin = proofing.client_comment(reviewer, draft, "前台区域能否再开阔一些？", proofing.Pin(sheets[0].id, 1, 0.22, 0.5))
    proofing.client_comment(reviewer, draft, "B 方案的配色更喜欢。", proofing.Pin(sheets[1].id, 1, 0.7, 0.4))
    proofing.staff_comment(owner, draft, "收到，我们会在下一版调整前台的尺度。", None, pin.id)


# The field worker's visits: today's and tomorrow's (re-made on any later day `make run` starts, so a newcomer
# always finds a day to work through in the field app), and one from yesterday recorded on site.
DEMO_VISITS = (
    # client, purpose, site, (lat, lng), day offset, start hour, hours
    (
        "上海某某设计有限公司",
        "量房：前台与会议室",
        "上海市静安区南京西路 1266 号 恒隆广场 18 楼",
        (31.2281, 121.4527),
        0,
        10,
        2,
    ),
    ("鹿鸣咖啡 Deer Coffee", "门店灯光现场确认", "上海市徐汇区武康路 378 号", (31.2089, 121.4378), 0, 14, 1),
    ("杭州云栖茶舍", "软装进场前检查", "杭州市西湖区龙井路 19 号", (30.2307, 120.1330), 1, 9, 3),
)


def refresh_field_day() -> None:
    """Give the demo's field worker visits today and tomorrow if he has none (idempotent, run by `saas demo`)."""
    from saas.isolation import set_tenant
    from saas.tenants.queries import studio_today
    from saas.visits.models import Visit

    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
    if tenant is None:
        return
    set_tenant(db.session(), tenant.id)
    owner = db.session.scalar(select(Membership).where(Membership.role == Role.OWNER))
    worker = db.session.scalar(select(User).where(User.email == "field@demo.atelier.test"))
    today = studio_today(tenant.id)
    start = datetime.combine(today, datetime.min.time(), tzinfo=ZoneInfo(tenant.timezone))
    if db.session.scalar(select(Visit.id).where(Visit.assignee_id == worker.id, Visit.scheduled_start >= start)):
        set_tenant(db.session(), None)
        return
    _demo_visits(owner, worker.id, today, tenant.timezone)
    set_tenant(db.session(), None)


def _demo_visits(owner: Membership, worker_id: uuid.UUID, today, timezone: str) -> None:
    from saas.clients.models import Client
    from saas.visits import services as visits

    zone = ZoneInfo(timezone)
    for client_name, purpose, site, (lat, lng), offset, hour, hours in DEMO_VISITS:
        client = db.session.scalar(select(Client).where(Client.name == client_name))
        begins = datetime.combine(today + timedelta(days=offset), datetime.min.time(), tzinfo=zone).replace(hour=hour)
        visits.schedule_visit(
            owner,
            {
                "client_id": client.id,
                "assignee_id": worker_id,
                "scheduled_start": begins,
                "scheduled_end": begins + timedelta(hours=hours),
                "site_address": site,
                "site_lat": lat,
                "site_lng": lng,
                "purpose": purpose,
                "contact_id": client.contacts[0].id if client.contacts else None,
            },
        )
    db.session.flush()


def _demo_visit_done(owner: Membership, worker_id: uuid.UUID, timezone: str) -> None:
    """Yesterday's measuring visit, recorded on site: positions, notes, the outcome and a photo."""
    from flask import current_app

    from saas.clients.models import Client
    from saas.files.models import FileStatus, StoredFile
    from saas.files.previews import make
    from saas.files.storage import tenant_key
    from saas.tenants.models import Membership as Member
    from saas.visits import services as visits

    zone = ZoneInfo(timezone)
    client = db.session.scalar(select(Client).where(Client.name == "北京星图科技"))
    begins = datetime.combine(utcnow().astimezone(zone).date() - timedelta(days=1), datetime.min.time(), tzinfo=zone)
    begins = begins.replace(hour=15)
    visit = visits.schedule_visit(
        owner,
        {
            "client_id": client.id,
            "assignee_id": worker_id,
            "scheduled_start": begins,
            "scheduled_end": begins + timedelta(hours=1),
            "site_address": "北京市海淀区中关村大街 27 号 7 层",
            "site_lat": 39.9836,
            "site_lng": 116.3165,
            "purpose": "展厅现场勘测",
        },
    )
    worker = db.session.scalar(select(Member).where(Member.user_id == worker_id))
    here = {"position": {"lat": 39.98372, "lng": 116.31661, "accuracy": 9.0}, "position_problem": None}
    visits.check_in(worker, visit, begins + timedelta(minutes=4), here)
    visits.record(
        worker,
        visit,
        {
            "notes": "展厅约 120 平，层高 4.2 米，东侧整面落地窗。客户希望入口处设品牌墙，预算不变。",
            "outcome": "测量完成，确认入口品牌墙方案",
            "next_action": "周五前发平面草图",
            "next_action_due": begins.date() + timedelta(days=3),
        },
    )
    storage = current_app.extensions["atelier.storage"]
    file_id = uuid.uuid4()
    photo = StoredFile(
        id=file_id,
        key=tenant_key(owner.tenant_id, "files", str(file_id), "original.png"),
        name="展厅东侧.png",
        declared_type="image/png",
        content_type="image/png",
        status=FileStatus.READY,
        purpose="photo",
        previews={},
        owner_kind="visit",
        owner_id=visit.id,
        client_id=client.id,
        uploaded_by_id=worker_id,
    )
    data = _demo_sheet("showroom-east.png", (90, 110, 140))
    storage.put(photo.key, data, "image/png")
    photo.size_bytes, photo.previews = len(data), make(storage, photo)
    db.session.add(photo)
    leaves = {"position": {"lat": 39.98366, "lng": 116.31649, "accuracy": 14.0}, "position_problem": None}
    visits.check_out(worker, visit, begins + timedelta(minutes=58), leaves)
    db.session.flush()


def _demo_quote_sent(owner: Membership) -> None:
    """The annual report's quote, sent to 张伟 (the e-mail lands in the outbox) and opened by him in the portal; the
    studio sends the deposit by itself when he accepts."""
    from decimal import Decimal

    from saas.billing.services import quotes
    from saas.billing.services.common import settings
    from saas.projects.models import Project

    settings().send_deposit_on_acceptance = True
    report = db.session.scalar(select(Project).where(Project.name == "2027 品牌年报"))
    designer = _membership("designer@demo.atelier.test")
    quote = quotes.create_quote(
        designer,
        {
            "client_id": report.client_id,
            "project_id": report.id,
            "title": "2027 品牌年报设计",
            "lines": [
                {
                    "description": "年报整体设计（封面、版式、信息图）",
                    "quantity": Decimal(1),
                    "unit": "项",
                    "unit_price_minor": 3_800_000,
                },
                {"description": "印刷文件制作", "quantity": Decimal(60), "unit": "页", "unit_price_minor": 25_000},
            ],
        },
    )
    quotes.send_quote(designer, quote)
    quotes.opened_in_portal(quote, "张伟")


def _demo_field(owner: Membership) -> None:
    """The field worker sees the tea house (shared with them) and has tomorrow's site visit as a task."""
    from saas.clients import services as clients
    from saas.clients.models import Client
    from saas.projects import services as projects

    field = _membership("field@demo.atelier.test")
    tea_house = db.session.scalar(select(Client).where(Client.name == "杭州云栖茶舍"))
    clients.share_client(owner, tea_house, {"user_id": field.user_id}, "Asia/Shanghai")
    tomorrow = utcnow().date() + timedelta(days=1)
    projects.create_task(
        owner,
        {
            "title": "现场复尺：灯光色温调整到 3000K",
            "assignee_id": field.user_id,
            "due_on": tomorrow,
            "client_id": tea_house.id,
        },
    )
    db.session.flush()


def _demo_tickets(owner: Membership) -> None:
    """Service tickets in different states: 张伟's request in the portal waiting on him with his answer since
    (open again), one past its first-response time (the sweep alerts once), one resolved, one new and urgent."""
    from saas.clients.models import Client
    from saas.portal_accounts.models import PortalUser
    from saas.tickets import services as tickets

    office = db.session.scalar(select(Client).where(Client.name == "上海某某设计有限公司"))
    designer = _membership("designer@demo.atelier.test")
    manager = _membership("manager@demo.atelier.test")
    zhang = db.session.scalar(select(PortalUser).where(PortalUser.email == DEMO_PORTAL_EMAIL))
    asked = tickets.raise_in_portal(
        zhang,
        {
            "subject": "会议室投影幕布升降有异响",
            "description": "上周起每次放下都有咔咔声，请安排检查。",
            "category": "repair",
        },
    )
    tickets.change_ticket(manager, asked, {"assignee_id": designer.user_id})
    tickets.reply(designer, asked, "张总您好，请问异响是在放下到底时出现，还是全程都有？", wait=True)
    tickets.reply(designer, asked, "供应商保修到明年 3 月，上门不收费。", internal=True)
    tickets.client_reply(zhang, asked, "全程都有，放到一半时最明显。")
    late = tickets.create_ticket(
        owner,
        {
            "client_id": office.id,
            "subject": "前台背景墙需要补一版英文标识",
            "description": "来电：外籍客户下月来访，需要中英文双语标识方案。",
            "category": "design_change",
            "priority": "high",
            "source": "phone",
            "assignee_id": designer.user_id,
            "custom_fields": {"under_warranty": False},
        },
    )
    past = utcnow() - timedelta(days=2)
    late.created_at, late.first_response_due_at, late.resolution_due_at = past, past + timedelta(hours=4), past
    done = tickets.create_ticket(
        owner,
        {
            "client_id": office.id,
            "subject": "发票抬头咨询",
            "description": "邮件询问发票抬头怎么开。",
            "category": "question",
            "source": "email",
            "assignee_id": manager.user_id,
        },
    )
    tickets.reply(manager, done, "抬头请开：上海某某设计有限公司，税号见附件合同第 2 页。")
    tickets.change_ticket(manager, done, {"status": "resolved"})
    tickets.create_ticket(
        designer,
        {
            "client_id": office.id,
            "subject": "茶水间柜门掉漆",
            "description": "现场拜访时发现，需要补漆。",
            "category": "repair",
            "priority": "urgent",
            "source": "visit",
            "custom_fields": {"under_warranty": True},
        },
    )
    db.session.flush()


DEMO_ANSWERS = {
    "requirements": {
        "brief.background": "公司成立十周年，年报兼作品牌宣传册",
        "brief.audience": "投资人与合作伙伴",
        "Style preferences": ["minimal", "luxury"],
        "brief.competitors": "参考 Pentagram 的年报案例",
        "brief.budget_note": "6 万元以内",
        "brief.timeline_note": "2027 年 3 月印刷",
    },
    "feedback": {
        "feedback.nps": "9",
        "feedback.csat": "5",
        "feedback.comments": "沟通很顺畅，第二版就定稿了",
        "Do you confirm this version?": "yes",
    },
}


def _forms_for_an_older_demo(tenant: Tenant) -> None:
    """A demo made before forms existed gets its three forms on the next `make run`."""
    from saas.forms.models import Form

    set_tenant(db.session(), tenant.id)
    if db.session.scalar(select(Form.id).limit(1)) is None:
        _demo_forms(_membership(PEOPLE[0].email))
    set_tenant(db.session(), None)


def _demo_forms(owner: Membership) -> None:
    """The three forms of seed 000, published at /f/demo/new-client, /f/demo/requirements and /f/demo/feedback,
    with a few submissions: two new leads, one known phone (a follow-up for 张伟's company instead of a
    duplicate), a brief filled from the portal, and feedback with NPS and CSAT."""
    from werkzeug.datastructures import MultiDict

    from saas.clients.models import Client
    from saas.forms import services as forms
    from saas.forms.models import FormRequest
    from saas.forms.submit import Visit, submit
    from saas.projects.models import Project

    tenant = owner.tenant
    made = {}
    for preset in ("intake", "requirements", "feedback"):
        form = forms.create_form(owner, preset)
        forms.set_status(owner, form, "published")
        made[preset] = form

    def send(preset: str, by_target: dict, request: FormRequest | None = None, language: str = "zh_CN") -> None:
        form = made[preset]
        data = MultiDict()
        for question in form.questions:
            value = by_target.get(question.target) or by_target.get(question.label_en)
            for item in value if isinstance(value, list) else [value] if value else []:
                data.add(f"q_{question.id}", item)
        submit(form, tenant, data, MultiDict(), Visit(language, "0" * 64, request))

    send("intake", {"contact.name": "何静", "contact.phone": "186 2101 7788", "client.name": "拾光花艺",
                    "client.industry": "retail", "What do you need?": ["brand", "packaging"],
                    "client.source": "xiaohongshu", "Anything else?": "想在春节前完成新店视觉"})  # fmt: skip
    send("intake", {"contact.name": "Tom Becker", "contact.email": "tom@harbourlane.example",
                    "contact.phone": "+86 139 0177 2210", "client.name": "Harbour Lane Bakery",
                    "client.industry": "food", "What do you need?": ["brand", "web"]}, language="en")  # fmt: skip
    send("intake", {"contact.name": "张伟", "contact.phone": "13800138000", "client.name": "上海某某设计有限公司",
                    "Anything else?": "第二家分店也想请你们设计"})  # fmt: skip
    client = db.session.scalar(select(Client).where(Client.name == "上海某某设计有限公司"))
    project = db.session.scalar(select(Project).where(Project.client_id == client.id, Project.name == "2027 品牌年报"))
    for preset in ("requirements", "feedback"):
        request = FormRequest(form_id=made[preset].id, project_id=project.id, client_id=client.id)
        db.session.add(request)
        db.session.flush()
        send(preset, DEMO_ANSWERS[preset], request)


DASHBOARD_SOURCES = ("转介绍", "小红书", "展会", "官网", "老客户")
DASHBOARD_TYPES = ("品牌设计", "空间设计", "包装设计")
DASHBOARD_PLACES = ("晨曦", "青禾", "远山", "半岛", "白鹭", "知行")
DASHBOARD_TRADES = ("咖啡", "书店", "茶舍", "民宿", "花艺")


def _demo_dashboards(owner: Membership) -> None:
    """A year of history so the dashboards have something to say: forty clients who came in month by month through
    the studio's channels (some signed, some gone), their projects moved through the stages and won (some late),
    contracts, invoices paid and open, costs, answered tickets and feedback with NPS and CSAT. Written directly,
    backdated, as the services would have recorded it over the year."""
    import random

    from saas.clients.models import Client, ClientEvent, Interaction
    from saas.forms.models import Form
    from saas.i18n import sort_key
    from saas.projects.models import PipelineStage

    rng = random.Random(17)
    now = utcnow()
    sellers = [_membership(p.email).user_id for p in PEOPLE if p.role in (Role.OWNER, Role.MANAGER, Role.MEMBER)]
    stages = {s.key: s for s in db.session.scalars(select(PipelineStage))}
    path = ["inquiry", "quote", "design", "feedback", "revision", "delivery", "final"]
    feedback = db.session.scalar(select(Form).where(Form.kind == "feedback"))
    for n in range(40):
        made = now - timedelta(days=360 - n * 9, hours=rng.randint(0, 10))
        status = rng.choice(("potential", "intent", "intent", "signed", "signed", "signed", "past"))
        name = f"{rng.choice(DASHBOARD_PLACES)}{rng.choice(DASHBOARD_TRADES)} {n + 1:02d}"
        seller = sellers[n % len(sellers)]
        client = Client(
            name=name,
            sort_key=sort_key(name),
            status=status,
            source=DASHBOARD_SOURCES[n % 5],
            owner_id=seller,
            created_at=made,
            search_text=name.lower(),
        )
        db.session.add(client)
        db.session.flush()
        db.session.add(
            Interaction(
                client_id=client.id,
                author_id=seller,
                kind="call",
                summary="首次沟通需求",
                occurred_at=made + timedelta(days=1),
            )
        )
        if status == "past":
            db.session.add(
                ClientEvent(
                    client_id=client.id,
                    kind="client.status_changed",
                    data={"new": "past"},
                    created_at=made + timedelta(days=60),
                )
            )
        if status in ("signed", "past"):
            _demo_history_project(client, seller, made, rng, stages, path, now, feedback)
    db.session.flush()


def _demo_history_project(client, seller, made, rng, stages, path, now, feedback) -> None:
    from saas.billing.models import Contract, Invoice, Payment, ProjectCost
    from saas.forms.models import Submission
    from saas.projects.models import Project, StageChange
    from saas.tickets.models import Ticket

    opened = made + timedelta(days=3)
    moves, at = [], opened
    for key in path:
        days = rng.randint(3, 14) if key != "design" else rng.randint(10, 25)
        at += timedelta(days=days)
        moves.append((key, at, days))
    won = at if at < now else None
    value = rng.randint(4, 30) * 10_000_00
    project = Project(
        client_id=client.id,
        name=f"{client.name} 品牌焕新",
        type=DASHBOARD_TYPES[rng.randint(0, 2)],
        owner_id=seller,
        stage_id=stages["won" if won else "design"].id,
        value_minor=value,
        created_at=opened,
        closed_at=won,
        due_on=(opened + timedelta(days=rng.randint(55, 85))).date(),
    )
    db.session.add(project)
    db.session.flush()
    for (key, when, days), following in zip(moves, [*path[1:], "won"], strict=True):
        if when < now:
            db.session.add(
                StageChange(
                    project_id=project.id,
                    from_stage_id=stages[key].id,
                    to_stage_id=stages[following].id,
                    seconds_in_from=days * 86400,
                    created_at=when,
                )
            )
    signed_on = (opened + timedelta(days=10)).date()
    db.session.add(
        Contract(
            client_id=client.id,
            project_id=project.id,
            number=f"HT-{client.name[-2:]}",
            title="设计合同",
            amount_minor=value,
            status="signed",
            signed_on=signed_on,
        )
    )
    for share, days in ((30, 12), (70, 75)):
        due = opened + timedelta(days=days)
        paid = due < now - timedelta(days=rng.randint(0, 40))
        amount = value * share // 100
        invoice = Invoice(
            client_id=client.id,
            project_id=project.id,
            number=f"INV-{client.name[-2:]}-{share}",
            title="设计费",
            amount_minor=amount,
            paid_minor=amount if paid else 0,
            due_on=due.date(),
            status="paid" if paid else "sent",
            kind="deposit" if share == 30 else "final",
        )
        db.session.add(invoice)
        db.session.flush()
        if paid:
            db.session.add(
                Payment(
                    invoice_id=invoice.id,
                    amount_minor=amount,
                    method="bank",
                    paid_on=(due - timedelta(days=rng.randint(0, 5))).date(),
                )
            )
    db.session.add(
        ProjectCost(
            project_id=project.id,
            kind="expense",
            description="打样与印刷",
            amount_minor=value * rng.randint(15, 40) // 100,
            spent_on=(opened + timedelta(days=40)).date(),
        )
    )
    raised = opened + timedelta(days=rng.randint(20, 60))
    if raised < now:
        db.session.add(
            Ticket(
                number=f"T-H{client.name[-2:]}",
                client_id=client.id,
                subject="修改一处细节",
                description="请调整主视觉颜色",
                category="change",
                status="resolved",
                created_at=raised,
                first_response_at=raised + timedelta(hours=rng.randint(1, 6)),
                resolved_at=raised + timedelta(hours=rng.randint(8, 60)),
            )
        )
    if won and feedback is not None:
        db.session.add(
            Submission(
                form_id=feedback.id,
                client_id=client.id,
                project_id=project.id,
                ip_hash="0" * 64,
                nps=rng.choice((6, 8, 9, 9, 10, 10)),
                csat=rng.choice((3, 4, 5, 5)),
                submitted_at=won + timedelta(days=2),
            )
        )


def _demo_reports(owner: Membership) -> None:
    """Three saved reports of the builder: one pinned to the studio board, one to the owner's own."""
    from saas.reports.builder import services as reports

    for name, definition, board in (
        ("客户漏斗 Clients by status", {"source": "clients", "dim1": "status", "chart": "funnel"}, "studio"),
        ("每月收款 Payments by month", {"source": "payments", "measure": "sum:amount", "dim1": "paid:month",
                                      "chart": "line"}, "personal"),
        ("跟进 Follow-ups per person", {"source": "follow_ups", "dim1": "occurred:month", "dim2": "owner"}, None),
    ):  # fmt: skip
        report = reports.create_report(owner, {"name": name, "measure": "count", "chart": "bar", **definition})
        if board is not None:
            reports.pin_report(owner, report, board, True)


DEMO_SHEET = (
    "客户名称,联系人,手机,邮箱,行业,来源,地区,标签,状态,备注\n"
    "云杉家居,周敏,139 1000 2001,zhoumin@yunshan.cn,家居,展会,杭州,展会线索、软装,意向,从老表格导入\n"
    "拾光摄影工作室,陈晨,139 1000 2002,chen@shiguang.cn,摄影,转介绍,上海,,潜在,\n"
    "北辰酒店管理,刘洋,139 1000 2003,liu@beichen-hotel.cn,酒店,官网,北京,大客户,签约,\n"
    "无效邮箱的客户,马丁,139 1000 2004,not-an-email,零售,展会,广州,,潜在,这一行的邮箱写错了\n"
)


def _demo_import(owner: Membership) -> None:
    """One finished import in the history (three clients from a studio's old sheet, one row refused for its
    e-mail), undoable, under Clients → Import clients."""
    from saas.imports import services as imports

    job = imports.upload_import(owner, "老客户表.csv", DEMO_SHEET.encode())
    job.status = "queued"
    imports.run_in_this_transaction(job)
