"""The ready-made forms of seed 000: 新客户信息登记表 (new-client intake), 项目需求沟通表 (the requirements
brief) and 设计反馈收集表 (design feedback and satisfaction). A studio starts from one and edits it freely."""

from __future__ import annotations

from dataclasses import dataclass, field

from saas.schemas import N_


@dataclass(frozen=True)
class Q:
    type: str
    label_en: str
    label_zh: str
    target: str = "submission"
    required: bool = False
    help_en: str = ""
    help_zh: str = ""
    choices: tuple[tuple[str, str, str], ...] = ()  # (key, en, zh)


@dataclass(frozen=True)
class Preset:
    kind: str
    name: str  # msgid, for the "new form" picker
    slug: str
    title_en: str
    title_zh: str
    intro_en: str
    intro_zh: str
    thanks_en: str
    thanks_zh: str
    questions: tuple[Q, ...] = field(default_factory=tuple)


INTAKE = Preset(
    "intake",
    N_("New-client intake"),
    "new-client",
    "Tell us about your project",
    "新客户信息登记表",
    "Leave your details and a few words about what you need; we will get back to you within one working day.",
    "请留下您的联系方式和初步需求，我们会在一个工作日内与您联系。",
    "Thank you! We have your details and will be in touch soon.",
    "感谢您的信任！我们已收到您的信息，会尽快与您联系。",
    (
        Q("text", "Your name", "您的姓名", "contact.name", True),
        Q("phone", "Mobile phone", "手机号码", "contact.phone", True),
        Q("email", "E-mail", "电子邮箱", "contact.email"),
        Q("text", "WeChat ID", "微信号", "contact.wechat"),
        Q("text", "Company or brand", "公司 / 品牌名称", "client.name",
          help_en="Leave blank if it is a personal project.", help_zh="个人项目可不填。"),
        Q("choice", "Industry", "所属行业", "client.industry", choices=(
            ("food", "Food and drink", "餐饮"), ("retail", "Retail", "零售"), ("tech", "Technology", "科技"),
            ("education", "Education", "教育"), ("other", "Other", "其他"))),
        Q("choices", "What do you need?", "需要哪些设计服务？", "client.notes", choices=(
            ("brand", "Brand identity", "品牌设计"), ("packaging", "Packaging", "包装设计"),
            ("space", "Interior / space", "空间设计"), ("web", "Website or app", "网站 / 应用"))),
        Q("money", "Budget", "预算", "submission"),
        Q("choice", "How did you hear about us?", "您是如何了解到我们的？", "client.source", choices=(
            ("referral", "A friend's referral", "朋友推荐"), ("wechat", "WeChat article", "公众号文章"),
            ("xiaohongshu", "Xiaohongshu", "小红书"), ("search", "Web search", "网络搜索"))),
        Q("long_text", "Anything else?", "其他补充", "client.notes"),
    ),
)  # fmt: skip

REQUIREMENTS = Preset(
    "requirements",
    N_("Project requirements brief"),
    "requirements",
    "Project requirements",
    "项目需求沟通表",
    "Your answers become the brief our designers work from. The more you tell us, the closer the first draft.",
    "您的回答将成为设计师工作的需求纪要。信息越完整，初稿越贴近您的期望。",
    "Thank you! Your brief is with the team.",
    "感谢填写！需求纪要已同步给项目团队。",
    (
        Q("long_text", "Project background", "项目背景", "brief.background", True,
          "Why this project, and why now?", "为什么要做这个项目？为什么是现在？"),
        Q("long_text", "Goals", "项目目标", "brief.goals"),
        Q("long_text", "Target users", "目标用户", "brief.audience", True),
        Q("choices", "Style preferences", "设计风格偏好", "brief.style", choices=(
            ("minimal", "Minimal", "简约"), ("guochao", "Guochao (Chinese chic)", "国潮"),
            ("playful", "Playful", "活泼"), ("luxury", "Luxury", "高端奢华"), ("natural", "Natural", "自然"))),
        Q("long_text", "Competitors and references", "竞品与参考", "brief.competitors",
          help_en="Brands you admire or compete with, and links.", help_zh="您欣赏或竞争的品牌，可附链接。"),
        Q("text", "Budget", "预算范围", "brief.budget_note"),
        Q("text", "Timeline", "时间周期", "brief.timeline_note", help_en="Key dates and the launch.",
          help_zh="关键节点与上线时间。"),
        Q("file", "Reference images", "参考图片", "submission"),
    ),
)  # fmt: skip

FEEDBACK = Preset(
    "feedback",
    N_("Design feedback and satisfaction"),
    "feedback",
    "How did we do?",
    "设计反馈收集表",
    "Two minutes of your time helps us serve you better.",
    "占用您两分钟，帮助我们做得更好。",
    "Thank you for your feedback!",
    "感谢您的反馈！",
    (
        Q("number", "How likely are you to recommend us to a friend?", "您向朋友推荐我们的可能性有多大？",
          "feedback.nps", True),
        Q("rating", "Overall, how satisfied are you?", "整体评价", "feedback.csat", True),
        Q("boolean", "Do you confirm this version?", "是否确认此版？", "submission"),
        Q("long_text", "Specific changes", "具体修改点", "feedback.comments"),
        Q("file", "A screenshot with your marks", "标注截图", "submission"),
    ),
)  # fmt: skip

BLANK = Preset("custom", N_("Blank form"), "form", "New form", "新表单", "", "", "Thank you!", "感谢您的提交！")

PRESETS: dict[str, Preset] = {p.kind: p for p in (INTAKE, REQUIREMENTS, FEEDBACK, BLANK)}
