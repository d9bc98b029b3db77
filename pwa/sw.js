// The field app's service worker (a module, scope /field/). Flask fills in VERSION — a hash of every file in pwa/ —
// and the list of files to keep, so any change to the shell makes a new worker.
//
// Install: the shell and its files go into a cache named after this version. The new worker then WAITS: pages
// keep the version they started with (from the old cache) until the worker taps "reload", which tells this
// worker to take over; the page reloads once it has — never a page half old, half new. Activate: older
// versions' caches are deleted.
//
// Fetch: navigations under /field/ get the cached shell (the app then draws from IndexedDB), so the app opens
// offline and at once; the static files come from this version's cache; /field/api/ always goes to the network
// (the app keeps its own data). Background Sync: the queue is sent by the same module the page uses.

import { flush } from "./static/js/sync.js";

const VERSION = "__VERSION__";
const PRECACHE = "__PRECACHE__";
const CACHE = `atelier-field-${VERSION}`;
const RUNTIME = "atelier-field-runtime"; // the manifest and icons: the studio's, refreshed when online

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(PRECACHE.map(async (url) => {
      const response = await fetch(url, { cache: "reload", credentials: "same-origin" });
      // A redirect (to sign in) or an error is not the shell: fail the install, the old version stays.
      if (!response.ok || response.redirected) throw new Error(`precache ${url}: ${response.status}`);
      await cache.put(url, response);
    }));
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("atelier-field-") && n !== CACHE && n !== RUNTIME).map((n) => caches.delete(n)));
    await self.clients.claim(); // the first install controls the page that registered it at once
    await keepBranding();
  })());
});

// The studio's manifest and icons, kept so that an offline start finds them too (best effort).
async function keepBranding() {
  try {
    const cache = await caches.open(RUNTIME);
    const response = await fetch("/field/manifest.webmanifest", { credentials: "same-origin" });
    if (!response.ok) return;
    await cache.put("/field/manifest.webmanifest", response.clone());
    const icons = (await response.json()).icons.map((icon) => icon.src);
    await cache.addAll([...new Set([...icons, "/field/icons/192.png"])]);
  } catch {
    // offline or signed out: they are fetched again next time
  }
}

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith("/field/")) return;
  if (url.pathname.startsWith("/field/api/") || url.pathname === "/field/sw.js") return;
  if (request.mode === "navigate") {
    event.respondWith(fromCache("/field/shell.html", request));
  } else if (url.pathname.startsWith("/field/static/")) {
    event.respondWith(fromCache(url.pathname, request));
  } else if (url.pathname === "/field/manifest.webmanifest" || url.pathname.startsWith("/field/icons/")) {
    event.respondWith(freshOrKept(request));
  }
});

async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(key);
  return kept || fetch(request);
}

async function freshOrKept(request) {
  const cache = await caches.open(RUNTIME);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag !== "atelier-field-sync") return;
  event.waitUntil(flush({ why: "background" }).then((outcome) => {
    // Rejecting asks the browser to try again later, with its own backoff.
    if (outcome.status === "offline" || outcome.status === "error") throw new Error(outcome.status);
  }));
});
