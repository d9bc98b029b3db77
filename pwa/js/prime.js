// Priming: while online, the app stores the worker's visits of today and tomorrow with everything each needs on
// site (client, contacts, site, open tasks, recent follow-ups, the project's stage), and the clients they may
// log a follow-up or a new visit with. The queued changes are projected again on top, so refreshing never hides
// unsent work, and visits made on the phone stay until the server knows them.

import { all, getMeta, setMeta, transact } from "./db.js";
import { project } from "./local.js";
import { announce } from "./outbox.js";

export async function refresh() {
  try {
    const [visits, clients] = await Promise.all([
      fetch("/field/api/visits", { credentials: "same-origin", headers: { Accept: "application/json" } }),
      fetch("/field/api/clients", { credentials: "same-origin", headers: { Accept: "application/json" } }),
    ]);
    if (visits.status === 401) {
      await setMeta("auth", "expired");
      return "expired";
    }
    if (!visits.ok) return "error";
    await store(await visits.json(), clients.ok ? (await clients.json()).data : null);
    return "ok";
  } catch {
    return "offline";
  }
}

// `primed` is what /field/api/visits answers (also carried by the shell for the first paint): kept only if newer
// than what the phone has.
export async function store(primed, clients = null) {
  const before = await getMeta("primed_at");
  if (before && primed.at && primed.at <= before) return false;
  const queue = await all("outbox");
  const waiting = queue.filter((c) => c.state !== "attention");
  await transact(["visits", "clients", "meta"], "readwrite", async (s, done) => {
    const old = new Map((await done(s.visits.getAll())).map((b) => [b.id, b]));
    const bundles = new Map(primed.data.map((b) => [b.visit.id, { id: b.visit.id, ...b }]));
    // A visit the server no longer lists is dropped, unless this phone still has something to say about it.
    for (const [id, bundle] of old) {
      if (!bundles.has(id) && queue.some((c) => c.visit_id === id || (c.kind === "visit.create" && c.data.id === id))) {
        bundles.set(id, bundle);
      }
    }
    for (const change of waiting) project(bundles, change);
    s.visits.clear();
    for (const bundle of bundles.values()) s.visits.put(bundle);
    if (clients) {
      const local = (await done(s.clients.getAll())).filter((c) => c.local);
      s.clients.clear();
      for (const client of [...clients, ...local]) s.clients.put(client);
    }
    s.meta.put({ key: "primed_at", value: primed.at || new Date().toISOString() });
    s.meta.put({ key: "today", value: primed.today });
  });
  announce();
  return true;
}

// Another person signed in on this phone, or this one signed out: their clients and visits leave the phone. The
// queue and its photos stay, under the person who made them, and are sent when that person signs in again.
export async function forget() {
  await transact(["visits", "clients", "conflicts", "meta"], "readwrite", async (s) => {
    s.visits.clear();
    s.clients.clear();
    s.conflicts.clear();
    for (const key of ["session", "primed_at", "today"]) s.meta.delete(key);
  });
}

export async function adoptSession(session) {
  const before = await getMeta("session");
  if (before && before.user_id !== session.user_id) await forget();
  await setMeta("session", session);
  await setMeta("auth", "ok");
}
