"""Importing clients through the staff pages: a sheet is uploaded (CSV in UTF-8 with and without BOM, GBK, tab
separated; XLSX), its Chinese or English headers are mapped, the preview shows every row's problems, the job
imports (inline here; a real RQ worker in test_imports_worker.py), and the clients end up as if created one by
one: found by search, sorted by pinyin, filtered by tag and custom field. Bad rows never stop the good ones,
duplicates are skipped, updated or created as asked, external ids upsert, and an import is undone as a whole."""

from __future__ import annotations

import contextlib
import io
import re
import uuid

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from saas.clients import queries as client_queries
from saas.clients.models import Client, ClientEvent, ClientTag, Contact
from saas.extensions import db
from saas.fields.models import FieldValue
from saas.imports.models import ClientImport, ImportRow
from saas.isolation import set_tenant
from saas.tenants.models import AuditEvent, Membership
from tests.conftest import add_member, query

ZH_HEADER = "客户名称,联系人,手机,邮箱,微信,行业,来源,地区,标签,备注,状态\n"
ZH_ROWS = (
    "重庆山城设计,王芳,138 0013 8000,wang@shancheng.cn,wf_sc,建筑,展会,重庆,VIP、老客户,首次合作,签约\n"
    "北京北辰文化,李雷,(010) 6234-5678,li@beichen.cn,,文化,转介绍,北京,VIP,,意向\n"
    "Harbour Lane Studio,Anna Smith,+44 20 7946 0958,anna@harbour.test,,Retail,Website,London,,,potential\n"
)


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(browser, content: bytes, filename: str = "clients.csv"):
    return browser.submit(
        "/app/clients/import", {"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


def import_id_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return re.search(r"/app/imports/([0-9a-f-]{36})", response.headers["Location"]).group(1)


def mapping_form(app, studio, import_id: str) -> dict[str, str]:
    job = query(app, studio.tenant_id, select(ClientImport).where(ClientImport.id == uuid.UUID(str(import_id))))[0]
    return {f"column_{i}": target for i, target in job.mapping.items()}


def run_import(
    browser,
    app,
    studio,
    content: bytes,
    filename: str = "clients.csv",
    duplicates: str = "skip",
    mapping: dict[str, str] | None = None,
) -> ClientImport:
    import_id = import_id_of(upload(browser, content, filename))
    form = mapping if mapping is not None else mapping_form(app, studio, import_id)
    response = browser.submit(
        f"/app/imports/{import_id}/mapping", {**form, "duplicates": duplicates, "action": "start"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return job_of(app, studio, import_id)


def job_of(app, studio, import_id) -> ClientImport:
    return query(app, studio.tenant_id, select(ClientImport).where(ClientImport.id == uuid.UUID(str(import_id))))[0]


def clients(app, studio) -> dict[str, Client]:
    return {c.name: c for c in query(app, studio.tenant_id, select(Client))}


def test_a_chinese_csv_is_mapped_by_its_headers_and_imported_as_if_created_one_by_one(app, client, studio):
    client.login(studio.owner_email)
    job = run_import(client, app, studio, csv_bytes(ZH_HEADER + ZH_ROWS))
    assert job.mapping == {
        "0": "name",
        "1": "contact_name",
        "2": "phone",
        "3": "email",
        "4": "wechat",
        "5": "industry",
        "6": "source",
        "7": "region",
        "8": "tags",
        "9": "notes",
        "10": "status",
    }
    assert (job.status, job.created_count, job.failed_count, job.done_rows) == ("done", 3, 0, 3)
    found = clients(app, studio)
    chongqing = found["重庆山城设计"]
    assert (chongqing.status, chongqing.tags, chongqing.region, chongqing.notes) == (
        "signed",
        ["VIP", "老客户"],
        "重庆",
        "首次合作",
    )
    assert chongqing.sort_key.startswith("chong2 qing4")
    assert found["北京北辰文化"].status == "intent"
    contacts = query(app, studio.tenant_id, select(Contact).where(Contact.client_id == chongqing.id))
    assert [(c.name, c.phone, c.email, c.wechat) for c in contacts] == [
        ("王芳", "138 0013 8000", "wang@shancheng.cn", "wf_sc")
    ]
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        owner = db.session.scalar(select(Membership).where(Membership.id == studio.owner_membership_id))

        def names(**filters) -> list[str]:
            page = client_queries.client_page(owner, client_queries.ClientFilters(**filters), None)
            return [c.name for c in page.clients]

        assert names(q="13800138000") == ["重庆山城设计"]  # the phone's digits, as the service indexes them
        assert names(q="anna@harbour") == ["Harbour Lane Studio"]
        assert names(tag="VIP") == ["北京北辰文化", "重庆山城设计"]  # bei3 before chong2: pinyin order
        assert names() == ["北京北辰文化", "重庆山城设计", "Harbour Lane Studio"]
    tags = query(app, studio.tenant_id, select(ClientTag).where(ClientTag.client_id == chongqing.id))
    assert sorted(t.tag for t in tags) == ["VIP", "老客户"]
    # The client's timeline says it came from the import — who, when, which file — from the client's own row: no
    # entry is written per imported client.
    assert query(app, studio.tenant_id, select(ClientEvent).where(ClientEvent.client_id == chongqing.id)) == []
    assert chongqing.import_id == job.id
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        [entry] = client_queries.timeline(db.session.get(Client, chongqing.id))
        assert (entry.kind, entry.event.actor.email, entry.event.data) == (
            "client.imported",
            studio.owner_email,
            {"import_file": "clients.csv"},
        )
        assert entry.at == chongqing.created_at
        assert client_queries.timeline(db.session.get(Client, chongqing.id), only="changes") == [entry]
        assert client_queries.timeline(db.session.get(Client, chongqing.id), only="call") == []
    page = client.get(f"/app/clients/{chongqing.id}").get_data(as_text=True)
    assert "Imported" in page and "From the file clients.csv" in page
    audit = query(app, studio.tenant_id, select(AuditEvent).where(AuditEvent.action.like("clients.%")))
    assert sorted(a.action for a in audit) == ["clients.import_started", "clients.imported"]


def define_field(browser, key: str, type_: str, label_zh: str, **extra) -> None:
    form = {"key": key, "label_en": key.replace("_", " ").title(), "label_zh": label_zh, "type": type_, **extra}
    assert browser.submit("/app/settings/fields/new?entity=client", form).status_code == 302


def test_each_encoding_and_format_reads_the_same_rows(app, client, studio):
    """UTF-8 with a BOM (Excel's "CSV UTF-8"), GBK as Excel in China saves CSV, tab separated, and XLSX whose
    phone cells are numbers and whose dates are dates: each gives the same clients."""
    client.login(studio.owner_email)
    header = "客户名称,联系人,手机\n"
    files = {
        "bom.csv": csv_bytes("\ufeff" + header + "甲方一,张一,13800000001\n"),
        "gbk.csv": csv_bytes(header + "甲方二,张二,13800000002\n", "gbk"),
        "gb18030.csv": csv_bytes(header + "甲方三㐀,张三,13800000003\n", "gb18030"),
        "tabs.txt": csv_bytes(header.replace(",", "\t") + "甲方四\t张四\t13800000004\n"),
        "book.xlsx": xlsx_bytes([["客户名称", "联系人", "手机"], ["甲方五", "张五", 13800000005]]),
    }
    for name, content in files.items():
        job = run_import(client, app, studio, content, name)
        assert (job.status, job.created_count, job.failed_count) == ("done", 1, 0), name
    contacts = query(app, studio.tenant_id, select(Contact))
    assert sorted((c.phone, c.name) for c in contacts) == [
        (f"1380000000{i}", f"张{n}") for i, n in enumerate("一二三四五", start=1)
    ]
    assert "甲方三㐀" in clients(app, studio)


def test_a_file_that_is_not_what_it_says_is_refused_at_once(app, client, studio):
    client.login(studio.owner_email)
    cases = {
        "empty.csv": (b"", "The file is empty."),
        "binary.csv": (bytes(range(256)) * 4, "not a CSV text file"),
        "zip.xlsx": (b"PK\x03\x04" + b"\x00" * 200, "not an Excel workbook"),
        "text.xlsx": (b"name,phone\nA,1\n", "not an Excel workbook"),
        "old.xls": (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "Old Excel files"),
        "header-only.csv": (b"name,phone\n", "no rows under it"),
        "photo.png": (b"\x89PNG\r\n", "Upload a CSV or Excel"),
    }
    for name, (content, message) in cases.items():
        response = upload(client, content, name)
        assert response.status_code == 422, name
        assert message in response.get_data(as_text=True), name
    assert query(app, studio.tenant_id, select(ClientImport)) == []


BAD_ROWS = (
    "客户名称,邮箱,状态,到访日期,手机,备注\n"
    "好客户,good@example.com,签约,2026-03-01,13800138000,ok\n"
    "坏邮箱,not-an-email,,,,\n"
    "未知状态,,flying,,,\n"
    "不存在的日期,,,2026-02-30,,\n"
    f"{'长' * 201},,,,,\n"
    "空字节\x00,,,,,\n"
    ",nobody@example.com,,,,\n"
    "坏电话,,,,call me,\n"
    "又一个好客户,other@example.com,potential,,,fine\n"
)


def test_bad_rows_fail_with_their_reasons_and_never_stop_the_good_ones(app, client, studio):
    client.login(studio.owner_email)
    define_field(client, "visit_on", "date", "到访日期")
    import_id = import_id_of(upload(client, csv_bytes(BAD_ROWS)))
    page = client.get(f"/app/imports/{import_id}").get_data(as_text=True)  # the preview: each row's problems
    for problem in (
        "Enter a valid e-mail address",
        "Unknown status",
        "This date does not exist",
        "Use at most 200 characters",
        "characters that cannot be saved",
        "A client name is required",
        "Enter a phone number",
    ):
        assert problem in page, problem
    form = {**mapping_form(app, studio, import_id), "duplicates": "skip", "action": "start"}
    assert form["column_3"] == "custom:visit_on"  # mapped by the field's Chinese label
    assert client.submit(f"/app/imports/{import_id}/mapping", form).status_code == 302
    job = job_of(app, studio, import_id)
    assert (job.status, job.created_count, job.failed_count) == ("done", 2, 7)
    good = clients(app, studio)["好客户"]
    assert good.custom_fields == {"visit_on": "2026-03-01"}
    values = query(app, studio.tenant_id, select(FieldValue).where(FieldValue.record_id == good.id))
    assert [v.keyed for v in values] == ["2026-03-01"]
    response = client.get(f"/app/imports/{import_id}/failed.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Row", "客户名称", "邮箱", "状态", "到访日期", "手机", "备注", "Problems")
    assert [r[0] for r in rows[1:]] == [3, 4, 5, 6, 7, 8, 9]
    assert rows[1][2] == "not-an-email" and "邮箱: Enter a valid e-mail address" in rows[1][-1]
    assert "到访日期: This date does not exist." in rows[3][-1]
    assert rows[5][1] == "空字节"  # the NUL byte is not written into the workbook


def test_a_huge_cell_fails_its_row_and_a_huge_file_is_refused(app, client, studio, monkeypatch):
    client.login(studio.owner_email)
    content = csv_bytes("客户名称,备注\n" + "巨" * 2_000_000 + ",x\n正常客户," + "注" * 20_000 + "\n好客户,ok\n")
    job = run_import(client, app, studio, content)
    assert (job.created_count, job.failed_count) == (1, 2)
    failed = query(app, studio.tenant_id, select(ImportRow).where(ImportRow.outcome == "failed"))
    assert [r.reasons for r in sorted(failed, key=lambda r: r.row_number)] == [
        ["客户名称: Use at most 200 characters."],
        ["备注: Use at most 10000 characters."],
    ]
    from saas.imports import reading

    monkeypatch.setattr(reading, "MAX_BYTES", 1000)
    response = upload(client, csv_bytes("客户名称\n" + "甲\n" * 1000))
    assert response.status_code == 422 and "larger than 50 MB" in response.get_data(as_text=True)


def test_chinese_pages_for_a_chinese_studio(app, client, studio):
    client.login(studio.owner_email)
    assert client.submit("/app/account", {"name": "林晓", "locale": "zh_CN"}).status_code == 302
    import_id = import_id_of(upload(client, csv_bytes(BAD_ROWS)))
    page = client.get(f"/app/imports/{import_id}").get_data(as_text=True)
    assert "映射列" in page and "重复" in page and "客户名称" in page
    assert "请输入有效的电子邮件地址" in page or "Enter a valid e-mail address" not in page


EXISTING = "客户名称,手机,邮箱,行业\n"


def _existing(client, app, studio) -> None:
    job = run_import(client, app, studio, csv_bytes(EXISTING + "老客户甲,13900000001,,建筑\n老客户乙,,b@old.cn,零售\n"))
    assert job.created_count == 2


DUPLICATES = (
    EXISTING
    + "新名字甲,139-0000-0001,,家装\n"  # the same phone as 老客户甲 (its digits)
    + "老客户乙的新名,,B@OLD.CN,餐饮\n"  # the same e-mail, other case
    + " 老客户甲 ,,,\n"  # the same name, with spaces
    + "全新客户,13700000000,,文化\n"
    + "全新客户,,,重复的行\n"  # a duplicate within the file
)


def test_duplicates_are_skipped(app, client, studio):
    client.login(studio.owner_email)
    _existing(client, app, studio)
    job = run_import(client, app, studio, csv_bytes(DUPLICATES), duplicates="skip")
    assert (job.created_count, job.updated_count, job.skipped_count) == (1, 0, 4)
    assert sorted(clients(app, studio)) == ["全新客户", "老客户乙", "老客户甲"]
    assert clients(app, studio)["全新客户"].industry == "文化"


def test_duplicates_update_the_existing_clients(app, client, studio):
    client.login(studio.owner_email)
    _existing(client, app, studio)
    job = run_import(client, app, studio, csv_bytes(DUPLICATES), duplicates="update")
    assert (job.created_count, job.updated_count, job.skipped_count) == (1, 2, 2)
    found = clients(app, studio)
    assert found["新名字甲"].industry == "家装" and found["新名字甲"].version == 2
    assert found["老客户乙的新名"].industry == "餐饮"
    assert "新名字甲" in found["新名字甲"].search_text


def test_duplicates_are_created_when_asked(app, client, studio):
    client.login(studio.owner_email)
    _existing(client, app, studio)
    job = run_import(client, app, studio, csv_bytes(DUPLICATES), duplicates="create")
    assert (job.created_count, job.updated_count, job.skipped_count) == (5, 0, 0)
    assert len(query(app, studio.tenant_id, select(Client))) == 7


def test_an_external_id_upserts_whatever_the_duplicate_choice(app, client, studio):
    client.login(studio.owner_email)
    first = run_import(
        client, app, studio, csv_bytes("外部编号,客户名称,行业\nERP-1,星河设计,建筑\nERP-2,云端装饰,家装\n")
    )
    assert first.created_count == 2
    again = run_import(
        client,
        app,
        studio,
        csv_bytes("外部编号,客户名称,行业\nERP-1,星河设计集团,地产\nERP-3,新客户,零售\n"),
        duplicates="skip",
    )
    assert (again.created_count, again.updated_count, again.skipped_count) == (1, 1, 0)
    found = clients(app, studio)
    assert found["星河设计集团"].industry == "地产" and "星河设计" not in found
    assert sorted(found) == ["云端装饰", "新客户", "星河设计集团"]


def test_undo_removes_what_it_created_and_restores_what_it_updated(app, client, studio):
    client.login(studio.owner_email)
    _existing(client, app, studio)
    before = clients(app, studio)["老客户甲"]
    job = run_import(
        client, app, studio, csv_bytes(EXISTING + "老客户甲,,,地产\n新来的,13600000000,,文化\n"), duplicates="update"
    )
    assert (job.created_count, job.updated_count) == (1, 1)
    response = client.submit(f"/app/imports/{job.id}/undo")
    assert response.status_code == 302
    after = clients(app, studio)
    assert sorted(after) == ["老客户乙", "老客户甲"]
    assert after["老客户甲"].industry == "建筑" and after["老客户甲"].search_text == before.search_text
    assert job_of(app, studio, job.id).status == "undone"
    assert query(app, studio.tenant_id, select(Contact).where(Contact.phone == "13600000000")) == []
    audit = query(app, studio.tenant_id, select(AuditEvent).where(AuditEvent.action == "clients.import_undone"))
    assert audit[0].data["removed"] == 1 and audit[0].data["restored"] == 1
    assert client.submit(f"/app/imports/{job.id}/undo").status_code == 303  # twice: refused, said why


def test_undo_takes_the_money_of_the_clients_it_removes_out_of_the_rollup(app, client, studio):
    """An invoice paid by an imported client does not change the client: the undo removes it with the client (by
    cascade), and the money rollup the dashboards read counts it out, exactly."""
    from datetime import date

    from saas.billing.services import invoices
    from tests.integration.test_money_rollups import counted, rolled

    client.login(studio.owner_email)
    job = run_import(client, app, studio, csv_bytes("客户名称\n甲\n乙\n"))
    with app.test_request_context():
        set_tenant(db.session(), studio.tenant_id)
        owner = db.session.get(Membership, studio.owner_membership_id)
        for name in ("甲", "乙"):
            paying = db.session.scalar(select(Client).where(Client.name == name))
            data = {"client_id": paying.id, "title": "fee", "amount_minor": 90_000, "due_on": date(2026, 3, 1)}
            invoice = invoices.create_invoice(owner, data)
            invoices.send_invoice(owner, invoice)
            invoices.record_payment(
                owner, invoice, {"amount_minor": 30_000, "method": "bank", "paid_on": date(2026, 3, 2)}
            )
        db.session.commit()
    assert sum(v for k, v in rolled(app, studio).items() if k[3] == "revenue") == 60_000
    assert client.submit(f"/app/imports/{job.id}/undo").status_code == 302
    assert job_of(app, studio, job.id).status == "undone" and clients(app, studio) == {}
    assert rolled(app, studio) == counted(app, studio) == {}


def test_undo_is_refused_once_an_imported_client_was_changed_since(app, client, studio):
    client.login(studio.owner_email)
    job = run_import(client, app, studio, csv_bytes("客户名称\n甲\n乙\n"))
    changed = clients(app, studio)["甲"]
    edit = client.submit(
        f"/app/clients/{changed.id}/edit",
        {"name": "甲（已改）", "kind": "company", "status": "intent", "version": changed.version},
    )
    assert edit.status_code == 302, edit.get_data(as_text=True)[:500]
    response = client.submit(f"/app/imports/{job.id}/undo", follow_redirects=True)
    assert "Undo is not possible: 1 of the clients" in response.get_data(as_text=True)
    assert sorted(clients(app, studio)) == ["乙", "甲（已改）"]
    assert job_of(app, studio, job.id).status == "done"


def test_custom_fields_are_mapped_and_filtered_like_typed_in_ones(app, client, studio):
    client.login(studio.owner_email)
    define_field(client, "budget", "choice", "预算", choices="low | Under 100k | 10万以下\nhigh | Over 300k | 30万以上")
    define_field(client, "area", "number", "面积")
    job = run_import(
        client, app, studio, csv_bytes('客户名称,预算,面积\n大户,30万以上,"1,200"\n小户,low,80\n坏户,很多,1\n')
    )
    assert (job.created_count, job.failed_count) == (2, 1)
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        owner = db.session.scalar(select(Membership).where(Membership.id == studio.owner_membership_id))
        filters = client_queries.ClientFilters(custom=(("cf.budget", "high"),))
        assert [c.name for c in client_queries.client_page(owner, filters, None).clients] == ["大户"]
        filters = client_queries.ClientFilters(custom=(("cf.area.min", "100"),))
        assert [c.name for c in client_queries.client_page(owner, filters, None).clients] == ["大户"]


def test_a_tenant_id_column_is_just_an_unknown_column(app, client, studio, other_studio):
    client.login(studio.owner_email)
    content = csv_bytes(f"tenant_id,客户名称\n{other_studio.tenant_id},想跑到别家的客户\n")
    job = run_import(client, app, studio, content)
    assert job.mapping == {"1": "name"} and job.created_count == 1
    assert [c.tenant_id for c in query(app, studio.tenant_id, select(Client))] == [studio.tenant_id]
    assert query(app, other_studio.tenant_id, select(Client)) == []


def test_only_owners_admins_and_managers_import(app, client, studio):
    for role in ("member", "finance", "field"):
        add_member(app, studio, f"{role}@aurora.test", role)
    client.login(studio.owner_email)
    job = run_import(client, app, studio, csv_bytes("客户名称\n甲\n"))
    for role in ("member", "finance", "field"):
        client.get("/logout")
        client.submit("/logout")
        client.login(f"{role}@aurora.test")
        assert client.get("/app/clients/import").status_code == 403, role
        assert upload(client, csv_bytes("客户名称\n乙\n")).status_code == 403, role
        assert client.get(f"/app/imports/{job.id}/progress.json").status_code in (403, 404), role
        assert client.submit(f"/app/imports/{job.id}/undo").status_code in (403, 404), role
        assert "/app/clients/import" not in client.get("/app/").get_data(as_text=True)
    assert sorted(clients(app, studio)) == ["甲"]


class WorkerDied(BaseException):
    """What a worker killed mid-job leaves: no handler of the job's own runs (it is not an Exception)."""


def test_a_job_stopped_mid_way_resumes_after_its_last_batch(app, client, studio, monkeypatch):
    """A retried job stages its file again, takes the clients it made itself for rows of the file (not for the
    studio's, which its rows would duplicate), and goes on after its last committed batch: every row once."""
    from saas.imports import engine, services

    client.login(studio.owner_email)
    # The last row repeats the first one's phone: skipped as a duplicate within the file, also on the retry, when
    # the first row's client exists already (made by this import's first batch) and the last row is staged again.
    rows = "".join(f"客户{n},1380000000{n}\n" for n in range(4)) + "重复,13800000000\n"
    import_id = import_id_of(upload(client, csv_bytes("客户名称,手机\n" + rows)))
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        owner = db.session.get(Membership, studio.owner_membership_id)
        job = db.session.get(ClientImport, uuid.UUID(import_id))
        services.save_mapping(owner, job, dict(job.mapping), "update")
        job.status = "queued"
        db.session.commit()
    monkeypatch.setattr(services, "BATCH", 2)
    write = engine.Importer.write

    def dies_in_the_second_batch(self, after, last):
        if after == 2:
            raise WorkerDied()
        return write(self, after, last)

    monkeypatch.setattr(engine.Importer, "write", dies_in_the_second_batch)
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        with contextlib.suppress(WorkerDied):
            services.run_import(import_id)
    stopped = job_of(app, studio, import_id)
    assert (stopped.status, stopped.done_rows, stopped.created_count) == ("running", 2, 2)
    monkeypatch.setattr(engine.Importer, "write", write)
    with app.app_context():  # RQ's retry
        set_tenant(db.session(), studio.tenant_id)
        services.run_import(import_id)
    done = job_of(app, studio, import_id)
    assert (done.status, done.done_rows, done.created_count, done.updated_count, done.skipped_count) == (
        "done",
        5,
        4,
        0,
        1,
    )
    assert sorted(clients(app, studio)) == [f"客户{n}" for n in range(4)]
    assert {c.import_id for c in clients(app, studio).values()} == {done.id}


def test_the_progress_document_and_page(app, client, studio):
    client.login(studio.owner_email)
    job = run_import(client, app, studio, csv_bytes("客户名称\n甲\n乙\n,\n"))
    state = client.get(f"/app/imports/{job.id}/progress.json").get_json()
    assert state == {
        "status": "done",
        "done": 2,
        "total": 2,
        "percent": 100,
        "seconds_left": None,
        "created": 2,
        "updated": 0,
        "skipped": 0,
        "failed": 0,
        "finished": True,
        "undo": {"done": 0, "total": 0, "percent": 0, "error": None},
    }
    page = client.get(f"/app/imports/{job.id}").get_data(as_text=True)
    assert 'value="100"' in page and "Undo the import" in page
    # The clients it created name it; the trail keeps only what a client cannot tell (updates, failures).
    assert sorted(c.name for c in clients(app, studio).values() if c.import_id == job.id) == ["乙", "甲"]
    assert query(app, studio.tenant_id, select(ImportRow).where(ImportRow.import_id == job.id)) == []


def define_contact_field(browser, key: str, type_: str, label_zh: str, **extra) -> None:
    form = {"key": key, "label_en": key.replace("_", " ").title(), "label_zh": label_zh, "type": type_, **extra}
    response = browser.submit("/app/settings/fields/new?entity=contact", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]


CONTACT_FIELDS = (
    "客户名称,联系人,决策级别,初次见面\n"
    "甲公司,王芳,高,2026-03-01\n"  # both contact fields, the choice by its Chinese label
    "乙公司,李雷,很多,2026-02-30\n"  # an unknown choice and a date that does not exist: fails, with both reasons
    "丙公司,,low,\n"  # a contact field alone names the client's contact; the required date is missing: fails
    "丁公司,,,\n"  # no contact at all: the contact's required field asks nothing
)


def test_contacts_own_fields_are_import_columns_checked_like_the_clients(app, client, studio):
    client.login(studio.owner_email)
    define_contact_field(client, "level", "choice", "决策级别", choices="low | Low | 低\nhigh | High | 高")
    define_contact_field(client, "met_on", "date", "初次见面", required="on")
    import_id = import_id_of(upload(client, csv_bytes(CONTACT_FIELDS)))
    form = mapping_form(app, studio, import_id)
    assert (form["column_2"], form["column_3"]) == ("contact-custom:level", "contact-custom:met_on")
    page = client.get(f"/app/imports/{import_id}").get_data(as_text=True)
    assert "Contact: Level" in page  # the choice in the mapping's select
    response = client.submit(f"/app/imports/{import_id}/mapping", {**form, "duplicates": "skip", "action": "start"})
    assert response.status_code == 302
    job = job_of(app, studio, import_id)
    assert (job.created_count, job.failed_count) == (2, 2)
    found = clients(app, studio)
    assert sorted(found) == ["丁公司", "甲公司"]
    [wang] = query(app, studio.tenant_id, select(Contact).where(Contact.client_id == found["甲公司"].id))
    assert (wang.name, wang.custom_fields) == ("王芳", {"level": "high", "met_on": "2026-03-01"})
    typed = query(app, studio.tenant_id, select(FieldValue).where(FieldValue.record_id == wang.id))
    assert sorted(v.keyed for v in typed) == ["2026-03-01", "high"]  # the list filters read these
    assert query(app, studio.tenant_id, select(Contact).where(Contact.client_id == found["丁公司"].id)) == []
    failed = query(app, studio.tenant_id, select(ImportRow).where(ImportRow.outcome == "failed"))
    reasons = {r.row_number: r.reasons for r in failed}
    assert len(reasons[3]) == 2 and reasons[3][1].startswith("初次见面: This date does not exist")
    assert reasons[4] == ["Met On: This field is required."]

    assert client.submit(f"/app/imports/{job.id}/undo").status_code == 302  # inline here: done at once
    assert clients(app, studio) == {}
    assert query(app, studio.tenant_id, select(FieldValue).where(FieldValue.record_id == wang.id)) == []


def test_a_contact_an_update_adds_is_checked_like_a_new_clients_contact(app, client, studio):
    """A contact joining an existing client through an update row needs the contact's required fields, as the
    contact of a created client does: without them the row fails with the same reason and the client is left as
    it was; a contact the client already has (same phone or e-mail) is not added, so it asks nothing."""
    client.login(studio.owner_email)
    define_contact_field(client, "met_on", "date", "初次见面", required="on")
    header = "客户名称,联系人,手机,邮箱,行业,初次见面\n"
    first = run_import(
        client,
        app,
        studio,
        csv_bytes(
            header + "老客户一,王芳,13800000001,,建筑,2026-03-01\n老客户二,李雷,13800000002,li@old.cn,建筑,2026-03-02\n"
        ),
    )
    assert first.created_count == 2
    before = clients(app, studio)
    job = run_import(
        client,
        app,
        studio,
        csv_bytes(
            header
            + "老客户一,赵六,13700000003,,家装,\n"  # a new person, no date: fails, the client unchanged
            + "老客户二,李雷,,LI@OLD.CN,家装,\n"  # the client's own contact (its e-mail): updated, nothing added
            + "老客户二,钱七,13600000004,,文化,\n"  # a later row about the same client: skipped, as ever
            + "新客户,孙八,13500000005,,文化,\n"  # a created client's contact, no date: fails the same way
        ),
        duplicates="update",
    )
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == (0, 1, 1, 2)
    failed = query(app, studio.tenant_id, select(ImportRow).where(ImportRow.outcome == "failed"))
    assert {r.row_number: r.reasons for r in failed} == {
        2: ["Met On: This field is required."],
        5: ["Met On: This field is required."],
    }
    assert [r.values for r in failed if r.row_number == 2] == [["老客户一", "赵六", "13700000003", "", "家装", ""]]
    after = clients(app, studio)
    assert (after["老客户一"].industry, after["老客户一"].version) == ("建筑", before["老客户一"].version)
    assert after["老客户二"].industry == "家装" and "新客户" not in after
    people = query(app, studio.tenant_id, select(Contact).order_by(Contact.name))
    assert sorted(c.name for c in people) == ["李雷", "王芳"]

    # A row that fails does not count as the first about its client: the later, complete one updates it.
    again = "老客户一,赵六,13700000003,,家装,\n老客户一,赵六,13700000003,,家装,2026-04-01\n"
    with_date = run_import(client, app, studio, csv_bytes(header + again), duplicates="update")
    assert (with_date.updated_count, with_date.skipped_count, with_date.failed_count) == (1, 0, 1)
    [zhao] = query(app, studio.tenant_id, select(Contact).where(Contact.name == "赵六"))
    assert (zhao.client_id, zhao.custom_fields) == (after["老客户一"].id, {"met_on": "2026-04-01"})
    typed = query(app, studio.tenant_id, select(FieldValue).where(FieldValue.record_id == zhao.id))
    assert [v.keyed for v in typed] == ["2026-04-01"]


def test_within_the_file_the_first_row_about_a_client_wins(app, client, studio):
    """Set-based duplicate checks keep the rules a row-by-row check had: the first of several rows sharing a phone
    (as digits), an e-mail (any case), a name or an external id is the one that counts."""
    client.login(studio.owner_email)
    content = csv_bytes(
        "外部编号,客户名称,手机,邮箱\n"
        "A-1,星河,138-0000-0001,x@a.cn\n"
        ",银河,13800000001,\n"  # the first row's phone, written otherwise
        ",河汉,,X@A.CN\n"  # its e-mail, another case
        "A-1,天河,,\n"  # its external id
        ",星河,,\n"  # its name
        ",新客户,,\n"
    )
    job = run_import(client, app, studio, content, duplicates="update")
    assert (job.created_count, job.updated_count, job.skipped_count) == (2, 0, 4)
    assert sorted(clients(app, studio)) == ["新客户", "星河"]
    again = run_import(client, app, studio, content, duplicates="update")  # now each row is about an existing client
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 2, 4)
