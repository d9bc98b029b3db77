// The queue of changes made on this phone, in the order they were made (IndexedDB's autoIncrement key). Each
// change carries an id minted here (UUIDv4), which the server keeps with its answer: sending a change twice is
// harmless, so anything not known to be answered is simply sent again.
//
// States: waiting (not sent, or sent without hearing back), sending (in flight now), attention (the server
// refused it: the reason is kept, the worker decides). Answered changes leave the queue.

import { all, del, get, getMeta, put, transact } from "./db.js";
import { project } from "./local.js";

export const PHOTO = "file.photo"; // a local kind: uploaded through /app/files, not through /field/api/sync

export async function enqueue(kind, visitId, data, extra = {}) {
  const session = await getMeta("session");
  const change = {
    id: extra.id || crypto.randomUUID(),
    kind,
    visit_id: visitId || null,
    at: new Date().toISOString(),
    data,
    state: "waiting",
    user_id: session ? session.user_id : null, // only this person's session sends it
    client: extra.client, // for a new visit: the client's name to show until the server answers
  };
  // The change and its effect on the stored visit are written together: the phone never shows work it lost.
  await transact(["outbox", "visits"], "readwrite", async (s, done) => {
    change.seq = await done(s.outbox.add(change));
    const touched = change.kind === "visit.create" ? change.data.id : change.visit_id;
    const bundles = new Map();
    if (change.kind === "interaction.log") {
      for (const b of await done(s.visits.getAll())) if (b.client && b.client.id === data.client_id) bundles.set(b.id, b);
    } else if (touched) {
      const b = await done(s.visits.get(touched));
      if (b) bundles.set(b.id, b);
    }
    project(bundles, change);
    for (const b of bundles.values()) s.visits.put(b);
  });
  announce();
  return change;
}

export async function entries(userId) {
  const rows = await all("outbox");
  return rows.filter((c) => !userId || !c.user_id || c.user_id === userId);
}

export async function pending(userId) {
  return (await entries(userId)).filter((c) => c.state === "waiting" || c.state === "sending");
}

export async function counts(userId) {
  const rows = await entries(userId);
  const conflicts = (await all("conflicts")).filter((c) => Object.keys(c.fields).length).length;
  return {
    waiting: rows.filter((c) => c.state !== "attention").length,
    attention: rows.filter((c) => c.state === "attention").length + conflicts,
  };
}

// A refused change is kept under its id on the server with its refusal: trying again needs a new id.
export async function retry(seq) {
  const change = await get("outbox", seq);
  if (!change) return;
  await del("outbox", seq);
  const { seq: _old, error: _error, ...rest } = change;
  await transact("outbox", "readwrite", (s, done) =>
    done(s.outbox.add({ ...rest, id: change.kind === PHOTO ? change.id : crypto.randomUUID(), state: "waiting" })));
  announce();
}

export async function discard(seq) {
  const change = await get("outbox", seq);
  await del("outbox", seq);
  if (change && change.kind === PHOTO) await del("photos", change.id);
  announce();
}

// Pages and the service worker tell each other that the queue or the stored visits changed.
let channel = null;
export function announce(detail = {}) {
  try {
    channel = channel || new BroadcastChannel("atelier-field");
    channel.postMessage({ type: "changed", ...detail });
  } catch {
    // no BroadcastChannel: the page re-reads on its own events
  }
  if (typeof self !== "undefined" && self.dispatchEvent && typeof CustomEvent !== "undefined") {
    self.dispatchEvent(new CustomEvent("field-changed", { detail }));
  }
}
