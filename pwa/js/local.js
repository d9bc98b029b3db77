// What the phone shows is what the server last said plus the changes still queued, projected on top: a check-in
// made offline shows as checked in, a note written offline shows in the notes. The same projection runs when a
// change is made, when visits are primed again (so a refresh never hides unsent work) and when the server answers.

export const RECORDED = ["notes", "outcome", "next_action", "next_action_due"]; // merged field by field

// Apply one queued change to the bundles it touches (a Map of visit id -> bundle). Pure bookkeeping, no I/O.
export function project(bundles, change) {
  const bundle = change.visit_id ? bundles.get(change.visit_id) : null;
  const visit = bundle && bundle.visit;
  const d = change.data || {};
  switch (change.kind) {
    case "visit.create":
      if (!bundles.has(d.id)) bundles.set(d.id, newVisitBundle(d, change.client));
      break;
    case "visit.check_in":
      if (visit && !visit.check_in_at) {
        visit.check_in_at = change.at;
        visit.check_in_problem = d.position_problem || null;
        visit.check_in_position = d.position || null;
      }
      if (visit && ["scheduled", "missed"].includes(visit.status)) visit.status = "checked_in";
      break;
    case "visit.check_out":
      if (visit && !visit.check_out_at) {
        visit.check_out_at = change.at;
        visit.check_out_problem = d.position_problem || null;
        visit.check_out_position = d.position || null;
        visit.status = "checked_out";
      }
      break;
    case "visit.update":
      if (visit) Object.assign(visit, d.fields || {});
      break;
    case "visit.sign":
      if (visit) Object.assign(visit, { has_signature: true, signed_by: d.signed_by || null });
      break;
    case "interaction.log":
      for (const b of bundles.values()) {
        if (b.client && b.client.id === d.client_id && !b.follow_ups.some((f) => f.id === change.id)) {
          b.follow_ups.unshift({ id: change.id, kind: d.kind, occurred_at: change.at, summary: d.summary,
            outcome: d.outcome || null, next_action: d.next_action || null, author: null, pending: true });
        }
      }
      break;
  }
  if (bundle) bundle.pending = true;
  return bundles;
}

export function newVisitBundle(d, client) {
  return {
    id: d.id,
    local: true, // made on this phone: the server has not seen it yet
    visit: {
      id: d.id, client_id: d.client_id, contact_id: d.contact_id || null, project_id: null,
      scheduled_start: d.scheduled_start, scheduled_end: d.scheduled_end, site_address: d.site_address,
      purpose: d.purpose, status: "scheduled", check_in_at: null, check_out_at: null, notes: null, outcome: null,
      next_action: null, next_action_due: null, signed_by: null, has_signature: false, version: 0,
    },
    client: client || { id: d.client_id, name: "" },
    contacts: [], follow_ups: [], tasks: [], project: null,
  };
}

// The server's answer about a visit: take it, except for fields a change still waiting would set again.
export function takeServerState(bundle, state, pendingChanges) {
  const mine = new Set();
  for (const change of pendingChanges) {
    if (change.visit_id !== state.id) continue;
    if (change.kind === "visit.update") Object.keys(change.data.fields || {}).forEach((f) => mine.add(f));
    if (change.kind === "visit.check_in") ["check_in_at", "status"].forEach((f) => mine.add(f));
    if (change.kind === "visit.check_out") ["check_out_at", "status"].forEach((f) => mine.add(f));
    if (change.kind === "visit.sign") ["has_signature", "signed_by"].forEach((f) => mine.add(f));
  }
  for (const [field, value] of Object.entries(state)) {
    if (field !== "id" && !mine.has(field)) bundle.visit[field] = value;
  }
  bundle.local = false;
  return bundle;
}

// "Today" and "tomorrow" are the studio's days, whatever the phone's time zone says.
export function dayOf(iso, timeZone) {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
      .format(new Date(iso));
  } catch {
    return iso.slice(0, 10);
  }
}

export function addDays(day, n) {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}
