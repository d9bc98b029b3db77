// The phone's own store (IndexedDB), shared by the page and the service worker: what was primed for offline
// use, the queue of changes (the outbox), photos as Blobs until they are uploaded, conflicts to resolve, and the
// last session. Every function opens one short transaction; nothing here knows about the page.

const NAME = "atelier-field";
const VERSION = 1;

let opening = null;

export function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta", { keyPath: "key" }); // session, primed_at, device id, auth state
      db.createObjectStore("visits", { keyPath: "id" }); // one bundle per visit: the visit and what it needs
      db.createObjectStore("clients", { keyPath: "id" }); // clients one may log a follow-up or a visit with
      db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true }); // seq keeps the order of changes
      db.createObjectStore("photos", { keyPath: "id" }).createIndex("visit_id", "visit_id");
      db.createObjectStore("conflicts", { keyPath: "visit_id" }); // fields changed on both sides, per visit
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => db.close(); // a newer app needs the store: let it upgrade
      resolve(db);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("IndexedDB blocked"));
  });
  opening.catch(() => (opening = null));
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Run `work(stores)` in one transaction over `names`; resolves with its result once the transaction committed,
// so a caller never reads back a write that might still be rolled back.
export async function transact(names, mode, work) {
  const db = await open();
  const tx = db.transaction(names, mode);
  const committed = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
  const stores = Object.fromEntries([].concat(names).map((n) => [n, tx.objectStore(n)]));
  const result = await work(stores, done);
  await committed;
  return result;
}

export const get = (store, key) => transact(store, "readonly", (s) => done(s[store].get(key)));
export const all = (store) => transact(store, "readonly", (s) => done(s[store].getAll()));
export const put = (store, value) => transact(store, "readwrite", (s) => done(s[store].put(value)));
export const del = (store, key) => transact(store, "readwrite", (s) => done(s[store].delete(key)));
export const clear = (store) => transact(store, "readwrite", (s) => done(s[store].clear()));

export async function getMeta(key, fallback = null) {
  const row = await get("meta", key);
  return row ? row.value : fallback;
}

export const setMeta = (key, value) => put("meta", { key, value });

export async function photosOf(visitId) {
  return transact("photos", "readonly", (s) => done(s.photos.index("visit_id").getAll(visitId)));
}
