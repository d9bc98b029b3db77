// The screens: the visits list, one visit (check in/out, notes, photos, signature, outcome), the forms for a
// follow-up, a new visit and a new lead, and the queue. Each draws from the phone's store only, so every screen
// works offline; what the worker does goes into the queue (outbox.enqueue), which sync.js sends.

import { all, get, getMeta, photosOf, put } from "./db.js";
import { canDictate, position, recognizer, resize, signaturePad } from "./device.js";
import { addDays, dayOf, RECORDED } from "./local.js";
import { PHOTO, announce, discard, enqueue, entries, retry } from "./outbox.js";
import { currentLocale, date, dateTime, dayLabel, h, replace, studioZone, t, time, toast } from "./ui.js";

const STATUS_CLASS = { scheduled: "", checked_in: "is-active", checked_out: "is-done", cancelled: "is-off", missed: "is-off" };

export async function visitsList(view, app) {
  const bundles = (await all("visits")).sort((a, b) => a.visit.scheduled_start.localeCompare(b.visit.scheduled_start));
  const today = (await getMeta("today")) || (app.session && app.session.today) || dayOf(new Date().toISOString(), studioZone());
  const days = [[today, t("list.today")], [addDays(today, 1), t("list.tomorrow")]];
  const primedAt = await getMeta("primed_at");
  const conflicts = new Set((await all("conflicts")).filter((c) => Object.keys(c.fields).length).map((c) => c.visit_id));
  const groups = days.map(([day, label]) => ({
    label: `${label} · ${dayLabel(day)}`,
    visits: bundles.filter((b) => dayOf(b.visit.scheduled_start, studioZone()) === day),
  }));
  const shown = new Set(groups.flatMap((g) => g.visits));
  const others = bundles.filter((b) => !shown.has(b));
  if (others.length) groups.push({ label: t("list.other_days"), visits: others });

  replace(
    view,
    groups.map((group) =>
      h("section", { class: "day" },
        h("h2", { text: group.label }),
        group.visits.length
          ? h("ul", { class: "visit-list" }, group.visits.map((b) => h("li", {}, visitCard(b, conflicts.has(b.id)))))
          : h("p", { class: "empty", text: t("list.none") }))),
    h("p", { class: "refreshed", id: "refreshed" },
      primedAt ? t("list.refreshed", { when: dateTime(primedAt) }) : t("list.never_refreshed")),
    h("div", { class: "actions" },
      h("a", { class: "button", href: "#/new-visit", text: t("action.new_visit") }),
      h("a", { class: "button", href: "#/new-lead", text: t("action.new_lead") }),
      h("a", { class: "button", href: "#/follow-up", text: t("action.follow_up") })),
  );
  // For the benchmarks: when the list first showed, relative to the start of the navigation.
  if (!performance.getEntriesByName("visits-drawn").length) performance.mark("visits-drawn");
}

function visitCard(bundle, conflicted) {
  const v = bundle.visit;
  return h("a", { class: `visit-card ${STATUS_CLASS[v.status] || ""}`, href: `#/visit/${v.id}`, dataset: { visit: v.id } },
    h("span", { class: "when", text: `${time(v.scheduled_start)}–${time(v.scheduled_end)}` }),
    h("strong", { class: "client", text: bundle.client.name || "—" }),
    h("span", { class: "site", text: v.site_address }),
    h("span", { class: "purpose", text: v.purpose }),
    h("span", { class: "tags" },
      h("span", { class: `badge status-${v.status}`, text: t(`status.${v.status}`) }),
      bundle.local ? h("span", { class: "badge is-pending", text: t("badge.new_here") }) : null,
      conflicted ? h("span", { class: "badge is-attention", text: t("badge.conflict") }) : null));
}

// --- one visit ------------------------------------------------------------------------------------------------

export async function visitPage(view, app, visitId) {
  const bundle = await get("visits", visitId);
  if (!bundle) {
    replace(view, h("p", { class: "empty", text: t("visit.missing") }), h("a", { class: "button", href: "#/", text: t("action.back") }));
    return null;
  }
  const parts = {
    head: h("section", { class: "card visit-head" }),
    check: h("section", { class: "card check" }),
    conflicts: h("section", { class: "card conflicts", hidden: true }),
    record: h("section", { class: "card record" }),
    photos: h("section", { class: "card photos" }),
    signature: h("section", { class: "card signature" }),
    people: h("section", { class: "card people" }),
    history: h("section", { class: "card history" }),
  };
  replace(view, h("a", { class: "back", href: "#/", text: `‹ ${t("action.all_visits")}` }), Object.values(parts));
  const page = { bundle, parts, dirty: false };

  const redraw = async () => {
    page.bundle = (await get("visits", visitId)) || page.bundle;
    drawHead(parts.head, page.bundle);
    drawCheck(parts.check, page.bundle, app);
    await drawConflicts(parts.conflicts, page.bundle, app);
    if (!page.dirty) drawRecord(parts.record, page, app);
    await drawPhotos(parts.photos, page.bundle, app);
    drawSignature(parts.signature, page.bundle, app);
    drawPeople(parts.people, page.bundle);
    drawHistory(parts.history, page.bundle);
  };
  await redraw();
  return { refresh: redraw };
}

function drawHead(box, bundle) {
  const v = bundle.visit;
  replace(box,
    h("h1", { text: bundle.client.name || "—" }),
    h("p", { class: "when" }, `${dateTime(v.scheduled_start)}–${time(v.scheduled_end)} `,
      h("span", { class: `badge status-${v.status}`, text: t(`status.${v.status}`) })),
    h("p", { class: "purpose", text: v.purpose }),
    h("p", { class: "site" }, h("span", { class: "label", text: t("visit.site") }), v.site_address),
    bundle.project
      ? h("p", { class: "project" }, h("span", { class: "label", text: t("visit.project") }),
        `${bundle.project.name}${bundle.project.stage ? ` · ${bundle.project.stage}` : ""}`)
      : null,
    v.cancelled_reason ? h("p", { class: "warning", text: t("visit.cancelled", { reason: v.cancelled_reason }) }) : null);
}

function where(visit, which) {
  const problem = visit[`${which}_problem`];
  if (problem) return t(`position.${problem}`);
  const p = visit[`${which}_position`];
  if (p) return t("position.recorded", { accuracy: p.accuracy != null ? Math.round(p.accuracy) : "?" });
  const distance = visit[`${which}_distance_m`];
  return distance != null ? t("position.distance", { metres: Math.round(distance) }) : "";
}

function drawCheck(box, bundle, app) {
  const v = bundle.visit;
  const step = async (kind, button) => {
    button.disabled = true;
    button.textContent = t("check.locating");
    const found = await position();
    await enqueue(kind, v.id, found);
    app.changed();
    toast(t(kind === "visit.check_in" ? "check.in_done" : "check.out_done"));
  };
  const lines = [];
  if (v.check_in_at) lines.push(h("p", { class: "checked" }, t("check.in_at", { time: time(v.check_in_at) }), " ", h("small", { text: where(v, "check_in") })));
  if (v.check_out_at) lines.push(h("p", { class: "checked" }, t("check.out_at", { time: time(v.check_out_at) }), " ", h("small", { text: where(v, "check_out") })));
  let button = null;
  if (v.status === "scheduled" || v.status === "missed") {
    button = h("button", { class: "button primary big", id: "check-in", type: "button", text: t("check.in") });
    button.addEventListener("click", () => step("visit.check_in", button));
  } else if (v.status === "checked_in") {
    button = h("button", { class: "button primary big", id: "check-out", type: "button", text: t("check.out") });
    button.addEventListener("click", () => step("visit.check_out", button));
  }
  replace(box, lines, button);
}

async function drawConflicts(box, bundle, app) {
  const kept = await get("conflicts", bundle.id);
  const fields = kept ? Object.entries(kept.fields) : [];
  box.hidden = fields.length === 0;
  if (!fields.length) return replace(box);
  const choose = async (field, side) => {
    const { theirs, mine } = kept.fields[field];
    if (side === "mine") {
      // What I keep is sent as a new change whose base is what the office wrote: it applies, no new conflict.
      await enqueue("visit.update", bundle.id, { fields: { [field]: mine }, base: { [field]: theirs } });
    } else {
      const current = await get("visits", bundle.id);
      current.visit[field] = theirs;
      await put("visits", current);
    }
    const fresh = await get("conflicts", bundle.id);
    delete fresh.fields[field];
    await put("conflicts", fresh);
    if (side === "theirs") announce();
    app.changed();
  };
  replace(box,
    h("h2", { text: t("conflict.title") }),
    h("p", { class: "hint", text: t("conflict.hint") }),
    fields.map(([field, { theirs, mine }]) =>
      h("div", { class: "conflict", dataset: { field } },
        h("h3", { text: t(`field.${field}`) }),
        h("div", { class: "sides" },
          h("div", { class: "side theirs" }, h("span", { class: "label", text: t("conflict.theirs") }), h("p", { text: show(theirs) }),
            h("button", { class: "button", type: "button", dataset: { keep: "theirs" }, text: t("conflict.keep_theirs"), onclick: () => choose(field, "theirs") })),
          h("div", { class: "side mine" }, h("span", { class: "label", text: t("conflict.mine") }), h("p", { text: show(mine) }),
            h("button", { class: "button primary", type: "button", dataset: { keep: "mine" }, text: t("conflict.keep_mine"), onclick: () => choose(field, "mine") }))))));
}

const show = (value) => (value === null || value === undefined || value === "" ? t("conflict.empty") : String(value));

function drawRecord(box, page, app) {
  const v = page.bundle.visit;
  const closed = v.status === "cancelled";
  const notes = h("textarea", { id: "notes", name: "notes", rows: 5, maxlength: 20000, disabled: closed, placeholder: t("record.notes_hint") });
  notes.value = v.notes || "";
  const outcome = h("input", { id: "outcome", name: "outcome", maxlength: 300, disabled: closed, value: v.outcome || "" });
  const nextAction = h("input", { id: "next_action", name: "next_action", maxlength: 300, disabled: closed, value: v.next_action || "" });
  const due = h("input", { id: "next_action_due", name: "next_action_due", type: "date", disabled: closed, value: v.next_action_due || "" });
  const form = h("form", { class: "record-form" },
    h("h2", { text: t("record.title") }),
    h("label", { for: "notes", text: t("field.notes") }),
    notes,
    dictateButton(notes),
    h("label", { for: "outcome", text: t("field.outcome") }), outcome,
    h("label", { for: "next_action", text: t("field.next_action") }), nextAction,
    h("label", { for: "next_action_due", text: t("field.next_action_due") }), due,
    h("button", { class: "button primary", type: "submit", id: "save-record", disabled: closed, text: t("action.save") }));
  form.addEventListener("input", () => (page.dirty = true));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const current = (await get("visits", v.id)).visit;
    const values = { notes: notes.value.trim() || null, outcome: outcome.value.trim() || null,
      next_action: nextAction.value.trim() || null, next_action_due: due.value || null };
    const changed = {};
    const base = {};
    for (const field of RECORDED) {
      if ((current[field] ?? null) !== values[field]) {
        changed[field] = values[field];
        base[field] = current[field] ?? null; // what this phone saw before the edit: the server merges on it
      }
    }
    page.dirty = false;
    if (!Object.keys(changed).length) return toast(t("record.unchanged"));
    await enqueue("visit.update", v.id, { fields: changed, base });
    app.changed();
    toast(t("record.saved"));
  });
  replace(box, form);
}

export function dictateButton(textarea) {
  if (!canDictate()) return null; // no speech recognition here: no button at all
  const button = h("button", { class: "button dictate", type: "button", id: `dictate-${textarea.id}`, text: t("dictate.start") });
  let listening = null;
  button.addEventListener("click", () => {
    if (listening) return listening.stop();
    const recognition = recognizer(currentLocale());
    recognition.onresult = (event) => {
      const said = Array.from(event.results).slice(event.resultIndex).filter((r) => r.isFinal).map((r) => r[0].transcript).join(" ");
      if (said) {
        textarea.value = textarea.value ? `${textarea.value.trimEnd()} ${said}` : said;
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    };
    recognition.onerror = (event) => toast(t(event.error === "not-allowed" ? "dictate.denied" : "dictate.failed"));
    recognition.onend = () => {
      listening = null;
      button.classList.remove("is-listening");
      button.textContent = t("dictate.start");
    };
    try {
      recognition.start();
      listening = recognition;
      button.classList.add("is-listening");
      button.textContent = t("dictate.stop");
    } catch {
      toast(t("dictate.failed"));
    }
  });
  return button;
}

const urls = new Map(); // object URLs of thumbnails, made once per photo

async function drawPhotos(box, bundle, app) {
  const photos = (await photosOf(bundle.id)).sort((a, b) => a.taken_at.localeCompare(b.taken_at));
  const input = h("input", { type: "file", accept: "image/*", capture: "environment", multiple: true, id: "photo-input", class: "visually-hidden" });
  input.addEventListener("change", async () => {
    const files = Array.from(input.files || []);
    input.value = "";
    for (const file of files) await addPhoto(bundle, file);
    app.changed();
  });
  const closed = bundle.visit.status === "cancelled";
  replace(box,
    h("h2", { text: t("photos.title") }),
    photos.length
      ? h("ul", { class: "photo-grid" }, photos.map((p) => {
        if (!urls.has(p.id)) urls.set(p.id, URL.createObjectURL(p.thumb));
        return h("li", {}, h("img", { src: urls.get(p.id), alt: p.name, width: 160, height: 120 }),
          h("span", { class: `badge ${p.uploaded ? "is-done" : "is-pending"}`, text: t(p.uploaded ? "photos.uploaded" : "photos.waiting") }));
      }))
      : h("p", { class: "empty", text: t("photos.none") }),
    closed ? null : h("label", { class: "button", for: "photo-input", text: t("photos.take") }),
    input);
}

async function addPhoto(bundle, file) {
  const id = crypto.randomUUID();
  const big = await resize(file);
  const small = await resize(big.blob, 320, 0.7);
  const name = `${t("photos.file_name")}-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "")}-${id.slice(0, 4)}.jpg`;
  // The picture is stored before its upload is queued: the queue never names a photo the phone does not have.
  await put("photos", { id, visit_id: bundle.id, name, blob: big.blob, thumb: small.blob, width: big.width,
    height: big.height, taken_at: new Date().toISOString(), uploaded: false });
  await enqueue(PHOTO, bundle.id, { name, size: big.blob.size }, { id });
}

function drawSignature(box, bundle, app) {
  const v = bundle.visit;
  if (v.has_signature && !box.dataset.again) {
    return replace(box, h("h2", { text: t("sign.title") }),
      h("p", { class: "checked", text: t("sign.done", { name: v.signed_by || "—" }) }),
      v.status === "cancelled" ? null : h("button", { class: "button", type: "button", text: t("sign.again"), onclick: () => {
        box.dataset.again = "1";
        drawSignature(box, bundle, app);
      } }));
  }
  if (box.querySelector("canvas")) return; // keep a signature being drawn
  const canvas = h("canvas", { class: "pad", id: "signature-pad" });
  const name = h("input", { id: "signed_by", maxlength: 120, placeholder: t("sign.name"), value: bundle.contacts[0] ? bundle.contacts[0].name : "" });
  replace(box, h("h2", { text: t("sign.title") }), h("p", { class: "hint", text: t("sign.hint") }), canvas,
    h("label", { for: "signed_by", text: t("sign.name") }), name,
    h("div", { class: "row" },
      h("button", { class: "button", type: "button", text: t("sign.clear"), onclick: () => pad.clear() }),
      h("button", { class: "button primary", type: "button", id: "save-signature", text: t("action.save"), onclick: async () => {
        if (pad.isEmpty()) return toast(t("sign.empty"));
        await enqueue("visit.sign", v.id, { png: pad.png(), signed_by: name.value.trim() || null });
        delete box.dataset.again;
        replace(box);
        app.changed();
        toast(t("sign.saved"));
      } })));
  const pad = signaturePad(canvas);
}

function drawPeople(box, bundle) {
  const c = bundle.client;
  replace(box,
    h("h2", { text: t("people.title") }),
    bundle.contacts.length
      ? h("ul", { class: "contacts" }, bundle.contacts.map((p) =>
        h("li", {},
          h("div", {}, h("strong", { text: p.name }), p.decision_maker ? h("span", { class: "badge", text: t("people.decides") }) : null,
            p.title ? h("small", { text: p.title }) : null, p.wechat ? h("small", { text: `WeChat ${p.wechat}` }) : null),
          p.phone ? h("a", { class: "button call", href: `tel:${p.phone.replace(/[^\d+]/g, "")}`, text: `${t("people.call")} ${p.phone}` }) : null)))
      : h("p", { class: "empty", text: t("people.none") }),
    c.notes ? h("p", { class: "client-notes" }, h("span", { class: "label", text: t("people.client_notes") }), c.notes) : null,
    bundle.tasks.length ? [h("h3", { text: t("people.tasks") }),
      h("ul", { class: "tasks" }, bundle.tasks.map((task) => h("li", {}, task.title, task.due_on ? h("small", { text: ` · ${date(task.due_on)}` }) : null)))] : null);
}

function drawHistory(box, bundle) {
  replace(box,
    h("h2", { text: t("history.title") }),
    bundle.follow_ups.length
      ? h("ul", { class: "follow-ups" }, bundle.follow_ups.slice(0, 5).map((f) =>
        h("li", {}, h("small", { text: `${t(`kind.${f.kind}`)} · ${dateTime(f.occurred_at)}${f.author ? ` · ${f.author}` : ""}${f.pending ? ` · ${t("badge.waiting")}` : ""}` }),
          h("p", { text: f.summary }), f.next_action ? h("small", { text: `→ ${f.next_action}` }) : null)))
      : h("p", { class: "empty", text: t("history.none") }),
    h("a", { class: "button", href: `#/follow-up/${bundle.client.id}?visit=${bundle.id}`, text: t("action.follow_up") }));
}

// --- forms ----------------------------------------------------------------------------------------------------

async function clientChoices() {
  const known = new Map((await all("clients")).map((c) => [c.id, c]));
  for (const b of await all("visits")) if (b.client && b.client.name && !known.has(b.client.id)) known.set(b.client.id, b.client);
  return [...known.values()].sort((a, b) => a.name.localeCompare(b.name, "zh-CN"));
}

function field(label, control, hint) {
  return h("div", { class: "field" }, h("label", { for: control.id, text: label }), control, hint ? h("small", { text: hint }) : null);
}

function select(id, options, chosen) {
  const element = h("select", { id, name: id });
  for (const [value, label] of options) element.append(h("option", { value, text: label, selected: value === chosen }));
  return element;
}

export async function followUpForm(view, app, clientId, visitId) {
  const clients = await clientChoices();
  const client = select("client_id", clients.map((c) => [c.id, c.name]), clientId);
  const kind = select("kind", ["visit", "call", "wechat", "email", "meeting", "note"].map((k) => [k, t(`kind.${k}`)]), visitId ? "visit" : "call");
  const summary = h("textarea", { id: "summary", rows: 4, maxlength: 5000, required: true });
  const outcome = h("input", { id: "fu_outcome", maxlength: 300 });
  const nextAction = h("input", { id: "fu_next_action", maxlength: 300 });
  const due = h("input", { id: "fu_due", type: "date" });
  const back = visitId ? `#/visit/${visitId}` : "#/";
  const form = h("form", { class: "card form" },
    h("h1", { text: t("follow_up.title") }),
    clients.length ? field(t("field.client"), client) : h("p", { class: "empty", text: t("follow_up.no_clients") }),
    field(t("field.kind"), kind),
    field(t("field.summary"), summary), dictateButton(summary),
    field(t("field.outcome"), outcome), field(t("field.next_action"), nextAction), field(t("field.next_action_due"), due),
    h("div", { class: "row" }, h("a", { class: "button", href: back, text: t("action.cancel") }),
      h("button", { class: "button primary", type: "submit", id: "save-follow-up", text: t("action.save") })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!summary.value.trim() || !client.value) return toast(t("form.required"));
    await enqueue("interaction.log", null, {
      client_id: client.value, kind: kind.value, summary: summary.value.trim(), outcome: outcome.value.trim() || null,
      next_action: nextAction.value.trim() || null, next_action_due: due.value || null,
    });
    app.changed();
    toast(t("follow_up.saved"));
    location.hash = back;
  });
  replace(view, form);
}

function localInput(id, when) {
  const pad = (n) => String(n).padStart(2, "0");
  const value = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T${pad(when.getHours())}:${pad(when.getMinutes())}`;
  return h("input", { id, type: "datetime-local", value, required: true });
}

export async function newVisitForm(view, app, clientId) {
  const clients = await clientChoices();
  const client = select("nv_client", clients.map((c) => [c.id, c.name]), clientId);
  const address = h("input", { id: "nv_address", maxlength: 300, required: true });
  const purpose = h("input", { id: "nv_purpose", maxlength: 300, required: true, value: t("new_visit.default_purpose") });
  const start = localInput("nv_start", new Date());
  const length = select("nv_length", [["30", "30 min"], ["60", "1 h"], ["120", "2 h"], ["240", "4 h"]], "60");
  const form = h("form", { class: "card form" },
    h("h1", { text: t("new_visit.title") }),
    clients.length ? field(t("field.client"), client) : h("p", { class: "empty", text: t("new_visit.no_clients") }),
    h("a", { class: "link", href: "#/new-lead", text: t("new_visit.lead_instead") }),
    field(t("visit.site"), address), field(t("field.purpose"), purpose), field(t("field.start"), start), field(t("field.length"), length),
    h("div", { class: "row" }, h("a", { class: "button", href: "#/", text: t("action.cancel") }),
      h("button", { class: "button primary", type: "submit", id: "save-visit", text: t("action.save") })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!client.value || !address.value.trim() || !purpose.value.trim()) return toast(t("form.required"));
    const chosen = clients.find((c) => c.id === client.value);
    const id = await queueVisit(chosen, address.value.trim(), purpose.value.trim(), new Date(start.value), Number(length.value));
    app.changed();
    location.hash = `#/visit/${id}`;
  });
  replace(view, form);
}

async function queueVisit(client, address, purpose, start, minutes) {
  const id = crypto.randomUUID();
  const end = new Date(start.getTime() + minutes * 60000);
  await enqueue("visit.create", null, {
    id, client_id: client.id, scheduled_start: start.toISOString(), scheduled_end: end.toISOString(), site_address: address, purpose,
  }, { client: { id: client.id, name: client.name, notes: null } });
  return id;
}

export async function newLeadForm(view, app) {
  const name = h("input", { id: "lead_name", maxlength: 200, required: true });
  const kind = select("lead_kind", [["company", t("lead.company")], ["person", t("lead.person")]], "company");
  const contact = h("input", { id: "lead_contact", maxlength: 120 });
  const phone = h("input", { id: "lead_phone", type: "tel", maxlength: 40 });
  const wechat = h("input", { id: "lead_wechat", maxlength: 60 });
  const region = h("input", { id: "lead_region", maxlength: 80 });
  const notes = h("textarea", { id: "lead_notes", rows: 3, maxlength: 5000 });
  const visitNow = h("input", { id: "lead_visit", type: "checkbox", checked: true });
  const address = h("input", { id: "lead_address", maxlength: 300 });
  const form = h("form", { class: "card form" },
    h("h1", { text: t("lead.title") }),
    field(t("lead.name"), name), field(t("field.kind"), kind),
    field(t("lead.contact"), contact), field(t("lead.phone"), phone), field("WeChat", wechat),
    field(t("lead.region"), region), field(t("field.notes"), notes), dictateButton(notes),
    h("label", { class: "check-row", for: "lead_visit" }, visitNow, t("lead.visit_now")),
    field(t("visit.site"), address),
    h("div", { class: "row" }, h("a", { class: "button", href: "#/", text: t("action.cancel") }),
      h("button", { class: "button primary", type: "submit", id: "save-lead", text: t("action.save") })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!name.value.trim()) return toast(t("form.required"));
    if (visitNow.checked && !address.value.trim()) return toast(t("lead.address_needed"));
    const id = crypto.randomUUID();
    const lead = { id, name: name.value.trim(), kind: kind.value, region: region.value.trim() || null, notes: notes.value.trim() || null };
    if (contact.value.trim()) {
      lead.contact = { name: contact.value.trim(), phone: phone.value.trim() || null, wechat: wechat.value.trim() || null };
    }
    await put("clients", { id, name: lead.name, region: lead.region, local: true });
    await enqueue("client.create", null, lead);
    let target = "#/";
    if (visitNow.checked) {
      const visitId = await queueVisit({ id, name: lead.name }, address.value.trim(), t("new_visit.default_purpose"), new Date(), 60);
      target = `#/visit/${visitId}`;
    }
    app.changed();
    toast(t("lead.saved"));
    location.hash = target;
  });
  replace(view, form);
}

// --- the queue ------------------------------------------------------------------------------------------------

const WHAT_TO_DO = { 403: "todo.403", 404: "todo.404", 409: "todo.409", 413: "todo.413", 422: "todo.422" };

export async function queuePage(view, app) {
  const rows = (await entries(app.session && app.session.user_id)).sort((a, b) => a.seq - b.seq);
  const visits = new Map((await all("visits")).map((b) => [b.id, b]));
  const conflicts = (await all("conflicts")).filter((c) => Object.keys(c.fields).length);
  const label = (c) => {
    const b = visits.get(c.visit_id || (c.kind === "visit.create" ? c.data.id : null));
    const who = b ? b.client.name : c.kind === "client.create" ? c.data.name : "";
    return `${t(`change.${c.kind}`)}${who ? ` · ${who}` : ""}`;
  };
  const attention = rows.filter((c) => c.state === "attention");
  const waiting = rows.filter((c) => c.state !== "attention");
  replace(view,
    h("a", { class: "back", href: "#/", text: `‹ ${t("action.all_visits")}` }),
    h("h1", { text: t("queue.title") }),
    !rows.length && !conflicts.length ? h("p", { class: "all-saved", text: t("queue.saved") }) : null,
    conflicts.length ? h("section", { class: "card" }, h("h2", { text: t("conflict.title") }),
      h("ul", { class: "queue" }, conflicts.map((c) => h("li", { class: "is-attention" },
        h("a", { href: `#/visit/${c.visit_id}`, text: `${visits.get(c.visit_id) ? visits.get(c.visit_id).client.name : ""} · ${Object.keys(c.fields).map((f) => t(`field.${f}`)).join(", ")}` }))))) : null,
    attention.length ? h("section", { class: "card" }, h("h2", { text: t("queue.attention_title") }),
      h("ul", { class: "queue" }, attention.map((c) => h("li", { class: "is-attention", dataset: { change: c.id } },
        h("strong", { text: label(c) }), h("small", { text: dateTime(c.at) }),
        h("p", { class: "reason", text: reasons(c.error) }),
        h("p", { class: "todo", text: t(WHAT_TO_DO[c.error && c.error.status] || "todo.other") }),
        h("div", { class: "row" },
          h("button", { class: "button", type: "button", text: t("queue.retry"), onclick: async () => { await retry(c.seq); app.changed(); } }),
          h("button", { class: "button danger", type: "button", text: t("queue.discard"), onclick: async () => {
            if (confirm(t("queue.discard_confirm"))) { await discard(c.seq); app.changed(); }
          } })))))) : null,
    waiting.length ? h("section", { class: "card" }, h("h2", { text: t("queue.waiting_title", { count: waiting.length }) }),
      h("ul", { class: "queue" }, waiting.map((c) => h("li", { dataset: { change: c.id } },
        h("strong", { text: label(c) }), h("small", { text: `${dateTime(c.at)} · ${t(`state.${c.state}`)}` }))))) : null,
    h("button", { class: "button primary", type: "button", id: "sync-now", text: t("queue.sync_now"), onclick: () => app.sync("manual") }));
}

function reasons(error) {
  if (!error) return "";
  const messages = Object.values(error.errors || {}).flat().filter(Boolean);
  return messages.length ? messages.join(" ") : t("queue.refused", { status: error.status });
}
