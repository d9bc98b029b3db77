// Sending the queue, in order, exactly once as far as anyone can tell: the server keeps every change's answer
// under the id minted on the phone, so a change sent again (the page closed mid-flush, the network dropped
// before the answer) gets its first answer back and changes nothing. Shared by the page and the service worker
// (Background Sync), which take turns through a Web Lock.
//
// Outcomes per change: applied -> leaves the queue; merged -> leaves the queue, conflicts are kept for the
// worker; refused -> stays as "needs attention" with the reason, and the changes after it go on. A network
// failure, a server error or an ended session stops the flush: the queue waits for the next attempt.

import { del, get, getMeta, put, setMeta, transact } from "./db.js";
import { takeServerState } from "./local.js";
import { adoptSession } from "./prime.js";
import { PHOTO, announce, pending } from "./outbox.js";

export const BATCH = 100; // changes per request (the server takes up to 200)
const BATCH_BYTES = 400_000; // and well under the server's 1 MB body limit (a signature is ~50 KB)

let running = null; // one flush per JavaScript realm; the Web Lock serialises page and worker

export function flush(options = {}) {
  if (running) return running;
  const work = () => flushLocked(options);
  const locked = self.navigator && navigator.locks
    ? navigator.locks.request("atelier-field-sync", work)
    : work();
  running = locked.finally(() => (running = null));
  return running;
}

async function flushLocked({ fetcher = fetch } = {}) {
  const session = await fetchSession(fetcher);
  if (session.status !== "ok") return finish(session.status);
  let csrf = session.data.csrf_token;
  let csrfRetried = false;
  let sent = 0;
  for (;;) {
    const queue = await pending(session.data.user_id);
    if (!queue.length) break;
    if (queue[0].kind === PHOTO) {
      const outcome = await uploadPhoto(queue[0], csrf, fetcher);
      if (outcome !== "done") return finish(outcome, sent);
      sent += 1;
      continue;
    }
    const batch = takeBatch(queue);
    await markSending(batch);
    let response;
    try {
      response = await fetcher("/field/api/sync", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify({ device: await deviceId(), changes: batch.map(wire) }),
      });
    } catch {
      return finish("offline", sent); // the batch stays queued; sent again, it is answered from the server's record
    }
    if (response.status === 401) return finish("expired", sent);
    if (response.status === 400 && !csrfRetried) {
      const again = await fetchSession(fetcher); // the CSRF token outlived its session: take a fresh one, once
      if (again.status !== "ok") return finish(again.status, sent);
      csrf = again.data.csrf_token;
      csrfRetried = true;
      continue;
    }
    if (response.status === 422 || response.status === 413) {
      // The batch itself was refused (never its changes one by one): say so on each, keep going.
      const body = await response.json().catch(() => ({}));
      await refuseAll(batch, response.status, body.errors || {});
      continue;
    }
    if (!response.ok) return finish("error", sent);
    const { results } = await response.json();
    await takeAnswers(batch, results, session.data.user_id);
    sent += batch.length;
  }
  return finish("saved", sent);
}

async function finish(status, sent = 0) {
  if (status === "expired") await setMeta("auth", "expired");
  if (status === "saved") await setMeta("last_sync", new Date().toISOString());
  announce({ sync: status, sent });
  return { status, sent };
}

export async function fetchSession(fetcher = fetch) {
  let response;
  try {
    response = await fetcher("/field/api/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    return { status: "offline" };
  }
  if (response.status === 401) return { status: "expired" };
  if (!response.ok) return { status: "error" };
  const data = await response.json();
  await adoptSession(data);
  return { status: "ok", data };
}

async function deviceId() {
  let id = await getMeta("device");
  if (!id) {
    id = crypto.randomUUID();
    await setMeta("device", id);
  }
  return id;
}

function takeBatch(queue) {
  const batch = [];
  let bytes = 0;
  for (const change of queue) {
    if (change.kind === PHOTO) break; // a photo goes after what precedes it (its visit may be new)
    const size = JSON.stringify(wire(change)).length;
    if (batch.length && (batch.length >= BATCH || bytes + size > BATCH_BYTES)) break;
    batch.push(change);
    bytes += size;
  }
  return batch;
}

// Exactly what the server keeps a digest of: the same change is always sent with the same body.
export function wire(change) {
  const body = { id: change.id, kind: change.kind, at: change.at, data: change.data };
  if (change.visit_id) body.visit_id = change.visit_id;
  return body;
}

async function markSending(batch) {
  await transact("outbox", "readwrite", async (s) => {
    for (const change of batch) s.outbox.put({ ...change, state: "sending" });
  });
  announce();
}

async function refuseAll(batch, status, errors) {
  await transact("outbox", "readwrite", async (s) => {
    for (const change of batch) s.outbox.put({ ...change, state: "attention", error: { status, errors } });
  });
}

// One transaction for a whole batch's answers: the queue, the visits and the conflicts move together.
async function takeAnswers(batch, results, userId) {
  const byId = new Map(results.filter(Boolean).map((r) => [r.id, r]));
  const stillQueued = (await pending(userId)).filter((c) => !batch.some((b) => b.seq === c.seq));
  await transact(["outbox", "visits", "conflicts", "clients"], "readwrite", async (s, done) => {
    for (const change of batch) {
      const answer = byId.get(change.id);
      if (!answer) {
        s.outbox.put({ ...change, state: "waiting" }); // not answered: it goes again next time
        continue;
      }
      if (answer.result === "refused") {
        s.outbox.put({ ...change, state: "attention", error: { status: answer.status, errors: answer.errors } });
        continue;
      }
      s.outbox.delete(change.seq);
      if (answer.visit) {
        const bundle = await done(s.visits.get(answer.visit.id));
        if (bundle) s.visits.put(takeServerState(bundle, answer.visit, stillQueued));
      }
      if (answer.result === "merged" && answer.conflicts) {
        const kept = (await done(s.conflicts.get(change.visit_id))) || { visit_id: change.visit_id, fields: {} };
        Object.assign(kept.fields, answer.conflicts);
        s.conflicts.put(kept);
      }
      if (change.kind === "client.create") {
        const client = await done(s.clients.get(change.data.id));
        if (client) s.clients.put({ ...client, local: false });
      }
    }
  });
  announce();
}

// A photo goes straight to the bucket (a presigned POST) or, without S3, to the app; then it is completed. Its id
// was minted on the phone, so a begin sent again returns the same upload rather than a second one.
async function uploadPhoto(change, csrf, fetcher) {
  const photo = await get("photos", change.id);
  if (!photo || !photo.blob) {
    await del("outbox", change.seq);
    return "done";
  }
  const json = { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf };
  const call = async (url, init) => {
    try {
      return await fetcher(url, { credentials: "same-origin", redirect: "manual", ...init });
    } catch {
      return null;
    }
  };
  const begin = await call("/app/files", {
    method: "POST",
    headers: json,
    body: JSON.stringify({
      id: change.id, name: photo.name, size: photo.blob.size, content_type: "image/jpeg", purpose: "photo",
      owner_kind: "visit", owner_id: change.visit_id,
    }),
  });
  const problem = await httpProblem(begin);
  if (problem === "refused") {
    const body = await begin.json().catch(() => ({}));
    const errors = body.errors || {};
    if (begin.status === 422 && Object.keys(errors).join() === "id") return uploaded(change, photo); // done before
    return refuse(change, begin.status, errors);
  }
  if (problem) return problem;
  const ticket = await begin.json();
  let sent;
  if (ticket.upload.method === "POST") {
    const form = new FormData();
    for (const [key, value] of Object.entries(ticket.upload.fields || {})) form.append(key, value);
    form.append("file", photo.blob, photo.name);
    try {
      sent = await fetcher(ticket.upload.url, { method: "POST", body: form }); // the bucket: no cookies
    } catch {
      return "offline";
    }
  } else {
    sent = await call(ticket.upload.url, {
      method: "PUT", body: photo.blob, headers: { "Content-Type": "image/jpeg", "X-CSRFToken": csrf },
    });
  }
  const sendProblem = await httpProblem(sent);
  if (sendProblem === "refused") return refuse(change, sent.status, { file: [await sent.text().catch(() => "")] });
  if (sendProblem) return sendProblem;
  const complete = await call(ticket.complete_url, { method: "POST", headers: json });
  const completeProblem = await httpProblem(complete);
  if (completeProblem === "refused") {
    const body = await complete.json().catch(() => ({}));
    return refuse(change, complete.status, body.errors || {});
  }
  if (completeProblem) return completeProblem;
  return uploaded(change, photo);
}

async function httpProblem(response) {
  if (!response) return "offline";
  if (response.type === "opaqueredirect" || response.status === 401) return "expired"; // sent to sign in
  if (response.ok) return null;
  if ([400, 403, 404, 413, 422].includes(response.status)) return "refused";
  return "error"; // 409 (a busy database), 429, 5xx: try again later
}

async function uploaded(change, photo) {
  // The full-size picture leaves the phone; its small thumbnail stays for the visit's page.
  await transact(["photos", "outbox"], "readwrite", async (s) => {
    s.photos.put({ ...photo, blob: null, uploaded: true });
    s.outbox.delete(change.seq);
  });
  announce();
  return "done";
}

async function refuse(change, status, errors) {
  await put("outbox", { ...change, state: "attention", error: { status, errors } });
  announce();
  return "done"; // refused: the worker sees why; the queue goes on
}
