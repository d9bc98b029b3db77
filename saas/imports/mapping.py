"""Where each column of a sheet goes: the client's and its contact's fields, and the studio's own client and contact
fields (saas.fields). Columns are matched to fields by their header, English or Chinese, ignoring case, spaces and
punctuation; the person corrects the guess on the preview page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from saas.fields import values as custom
from saas.fields.models import FieldDefinition
from saas.schemas import N_, Msg, translate

CUSTOM = "custom:"  # a target naming one of the studio's own client fields: "custom:<key>"
CONTACT_CUSTOM = "contact-custom:"  # one of the studio's own contact fields: "contact-custom:<key>"


@dataclass(frozen=True)
class Target:
    key: str
    label: str  # msgid
    aliases: tuple[str, ...]
    limit: int = 0  # the longest text the column holds (0: not plain text)


TARGETS: tuple[Target, ...] = (
    Target(
        "name",
        N_("Client name"),
        (
            "name",
            "client",
            "clientname",
            "company",
            "companyname",
            "customer",
            "customername",
            "客户名称",
            "客户",
            "客户名",
            "公司",
            "公司名称",
            "名称",
            "单位名称",
            "企业名称",
        ),
        200,
    ),
    Target("kind", N_("Company or person"), ("kind", "type", "clienttype", "类型", "客户类型")),
    Target("status", N_("Status"), ("status", "stage", "状态", "客户状态", "阶段")),
    Target("industry", N_("Industry"), ("industry", "sector", "行业", "所属行业"), 80),
    Target("size", N_("Size"), ("size", "companysize", "规模", "公司规模", "人数"), 40),
    Target(
        "region", N_("Region"), ("region", "city", "area", "location", "地区", "城市", "区域", "所在地", "省市"), 80
    ),
    Target("source", N_("Source"), ("source", "channel", "leadsource", "来源", "渠道", "客户来源", "来源渠道"), 80),
    Target("credit_rating", N_("Credit rating"), ("credit", "creditrating", "信用", "信用等级"), 10),
    Target("payment_terms", N_("Payment terms"), ("paymentterms", "terms", "付款条件", "付款方式", "账期"), 120),
    Target("tags", N_("Tags"), ("tags", "tag", "labels", "标签")),
    Target(
        "notes",
        N_("Notes"),
        ("notes", "note", "remarks", "comment", "comments", "description", "备注", "说明", "描述"),
        10000,
    ),
    Target("owner", N_("Owner"), ("owner", "accountowner", "salesperson", "负责人", "销售", "跟进人", "客户经理")),
    Target(
        "external_id",
        N_("External id"),
        (
            "externalid",
            "id",
            "code",
            "clientcode",
            "customerid",
            "clientid",
            "外部编号",
            "编号",
            "客户编号",
            "客户代码",
            "客户id",
        ),
        100,
    ),
    Target(
        "contact_name",
        N_("Contact name"),
        ("contact", "contactname", "contactperson", "联系人", "联系人姓名", "姓名"),
        120,
    ),
    Target("contact_title", N_("Contact's job title"), ("title", "jobtitle", "position", "职位", "职务"), 120),
    Target(
        "phone",
        N_("Phone"),
        (
            "phone",
            "mobile",
            "tel",
            "telephone",
            "cell",
            "phonenumber",
            "手机",
            "电话",
            "手机号",
            "手机号码",
            "联系电话",
            "电话号码",
        ),
        40,
    ),
    Target("email", N_("E-mail"), ("email", "mail", "emailaddress", "邮箱", "电子邮件", "邮件", "电子邮箱"), 254),
    Target("wechat", N_("WeChat"), ("wechat", "weixin", "wechatid", "微信", "微信号"), 60),
)
BY_KEY = {t.key: t for t in TARGETS}
CONTACT_TARGETS = ("contact_name", "contact_title", "phone", "email", "wechat")

_NOISE = re.compile(r"[\s_\-:：*（）()\[\]【】.·/]+|必填|optional|required")


def normalise(header: str) -> str:
    return _NOISE.sub("", header.lower())


@dataclass(frozen=True)
class Fields:
    """The studio's own fields an import may fill: the client's and its contact's."""

    client: list[FieldDefinition] = field(default_factory=list)
    contact: list[FieldDefinition] = field(default_factory=list)


def _importable(entity: str) -> list[FieldDefinition]:
    # member and file fields name things by id: not from a sheet
    return [d for d in custom.definitions(entity) if d.type not in ("member", "file")]


def client_fields() -> Fields:
    """The studio's live client and contact fields an importer may fill."""
    return Fields(_importable("client"), _importable("contact"))


def target_labels(fields: Fields, language: str) -> list[tuple[str, str]]:
    """(target, label) for the mapping's choices: ours, then the studio's own client and contact fields."""
    ours = [(t.key, translate(t.label)) for t in TARGETS]
    theirs = [(CUSTOM + d.key, d.label(language)) for d in fields.client]
    contact = N_("Contact: %(field)s")
    return (
        ours
        + theirs
        + [(CONTACT_CUSTOM + d.key, translate(Msg(contact, field=d.label(language)))) for d in fields.contact]
    )


def guess(headers: list[str], fields: Fields) -> dict[str, str]:
    """{column index: target} for the columns whose header names a field; each field takes its first column."""
    aliases: dict[str, str] = {}
    for prefix, definitions in ((CUSTOM, fields.client), (CONTACT_CUSTOM, fields.contact)):
        # the studio's own words first: their "来源" field beats ours if they made one (a client's before a contact's)
        for definition in definitions:
            for word in (definition.label_zh, definition.label_en, definition.key):
                if word:
                    aliases.setdefault(normalise(word), prefix + definition.key)
    for target in TARGETS:
        for alias in target.aliases:
            aliases.setdefault(alias, target.key)
    mapping: dict[str, str] = {}
    for index, header in enumerate(headers):
        target = aliases.get(normalise(header))
        if target and target not in mapping.values():
            mapping[str(index)] = target
    return mapping


def valid_targets(fields: Fields) -> set[str]:
    return (
        {t.key for t in TARGETS}
        | {CUSTOM + d.key for d in fields.client}
        | {CONTACT_CUSTOM + d.key for d in fields.contact}
    )
