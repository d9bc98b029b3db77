// The field app's page: it starts from what the phone stored (so it opens offline, at once), then — when there is
// a network — sends the queue and refreshes today's and tomorrow's visits. The status bar always says where the
// queue stands; the service worker is registered here and a new version is offered, never forced mid-work.

import { getMeta, setMeta } from "./db.js";
import { counts } from "./outbox.js";
import { adoptSession, forget, store as storePrimed, refresh } from "./prime.js";
import { fetchSession, flush } from "./sync.js";
import { h, replace, setLanguage, setTimeZone, t, toast } from "./ui.js";
import * as views from "./views.js";

const boot = JSON.parse(document.getElementById("field-boot").textContent || "{}");
const view = document.getElementById("view");
const RETRY = [5, 15, 30, 60, 120, 300]; // seconds between attempts after a failure, then every 5 minutes

const app = {
  session: null,
  current: null, // the drawn screen's { refresh } when it can redraw in place
  failures: 0,
  timer: null,
  syncing: false,
  changed: () => onChanged(),
  sync: (why) => sync(why),
};

async function start() {
  if (boot.session) await adoptSession(boot.session);
  app.session = boot.session || (await getMeta("session"));
  if (!app.session && navigator.onLine) {
    // The cached shell carries no one's data: ask who is signed in (or send them to sign in).
    const asked = await fetchSession();
    if (asked.status === "expired") return location.assign("/login?next=/field/");
    if (asked.status === "ok") app.session = asked.data;
  }
  const locale = (app.session && app.session.locale) || (navigator.language.startsWith("zh") ? "zh_CN" : "en");
  setLanguage(locale, boot.messages || (await loadMessages(locale)));
  if (app.session) {
    setTimeZone(app.session.timezone);
    brand(app.session);
  }
  if (boot.primed) await storePrimed(boot.primed);
  if (!app.session) {
    // Never signed in on this phone (or the server is unreachable): nothing to show yet.
    replace(view, h("p", { class: "empty", text: t("app.sign_in_online") }));
    return;
  }
  wire();
  await route();
  await drawStatus();
  registerWorker();
  if (navigator.onLine) {
    await sync("start");
    if ((await getMeta("auth")) !== "expired") await refreshVisits();
  }
}

async function loadMessages(locale) {
  try {
    return await (await fetch(`/field/static/i18n/${locale === "en" ? "en" : "zh_CN"}.json`)).json();
  } catch {
    return {};
  }
}

function brand(session) {
  // CSSOM, not a style attribute: the CSP allows no inline styles.
  document.documentElement.style.setProperty("--brand", session.brand_color || "#2f6f5e");
  document.getElementById("studio").textContent = session.studio;
  document.title = `${session.studio} · ${t("app.title")}`;
  const theme = document.querySelector("meta[name=theme-color]");
  if (theme) theme.content = session.brand_color || "#2f6f5e";
}

function wire() {
  addEventListener("hashchange", route);
  addEventListener("online", () => {
    drawStatus();
    sync("online");
  });
  addEventListener("offline", drawStatus);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && navigator.onLine && sync("visible"));
  try {
    new BroadcastChannel("atelier-field").onmessage = () => redraw(); // the service worker flushed the queue
  } catch {
    // older browsers: the page's own events redraw
  }
  document.getElementById("menu-button").addEventListener("click", openMenu);
  addEventListener("beforeunload", () => (app.leaving = true));
}

async function route() {
  const hash = location.hash || "#/";
  const [path, query] = hash.slice(1).split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  app.current = null;
  scrollTo(0, 0);
  if (parts[0] === "visit" && parts[1]) app.current = await views.visitPage(view, app, parts[1]);
  else if (parts[0] === "follow-up") await views.followUpForm(view, app, parts[1], params.get("visit"));
  else if (parts[0] === "new-visit") await views.newVisitForm(view, app, params.get("client"));
  else if (parts[0] === "new-lead") await views.newLeadForm(view, app);
  else if (parts[0] === "queue") app.current = { refresh: () => views.queuePage(view, app) }, await views.queuePage(view, app);
  else app.current = { refresh: () => views.visitsList(view, app) }, await views.visitsList(view, app);
}

// Something changed on the phone: redraw what shows it, and send it if there is a network.
async function onChanged() {
  await redraw();
  if (navigator.onLine) sync("change");
  requestBackgroundSync();
}

// Changes arrive in bursts (a flush answers a hundred at once): one redraw at a time, the last one catching up.
let drawing = null;
let drawAgain = false;
function redraw() {
  if (drawing) {
    drawAgain = true;
    return drawing;
  }
  drawing = (async () => {
    do {
      drawAgain = false;
      await drawStatus();
      if (app.current && app.current.refresh) await app.current.refresh();
    } while (drawAgain);
  })().finally(() => (drawing = null));
  return drawing;
}

async function sync(why) {
  if (app.syncing) return (app.again = true);
  app.syncing = true;
  await drawStatus();
  let outcome;
  try {
    outcome = await flush({ why });
  } finally {
    app.syncing = false;
  }
  const session = await getMeta("session");
  if (session && app.session && session.user_id !== app.session.user_id) {
    app.session = session; // someone else signed in on this phone meanwhile
    brand(session);
    await route();
  } else if (session) {
    app.session = session;
  }
  if (outcome.status === "saved") {
    app.failures = 0;
    clearTimeout(app.timer);
  } else if (outcome.status !== "expired") {
    scheduleRetry();
  }
  if (outcome.status === "saved" && outcome.sent && (await getMeta("auth")) === "ok") await refreshVisits();
  await redraw();
  if (app.again) {
    app.again = false;
    return sync("again");
  }
  return outcome;
}

// After a failure, try again later (5 s, 15 s, ... 5 min), whatever else triggers a flush before.
function scheduleRetry() {
  clearTimeout(app.timer);
  const seconds = RETRY[Math.min(app.failures, RETRY.length - 1)];
  app.failures += 1;
  app.timer = setTimeout(() => sync("retry"), seconds * 1000);
}

async function refreshVisits() {
  const outcome = await refresh();
  if (outcome === "ok") await redraw();
}

function requestBackgroundSync() {
  // Where the browser has Background Sync, the service worker sends the queue even if this page is closed.
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.sync && registration.sync.register("atelier-field-sync"))
    .catch(() => {});
}

async function drawStatus() {
  const box = document.getElementById("queue-status");
  const c = await counts(app.session && app.session.user_id);
  let text;
  let state;
  if (c.attention) {
    text = t("sync.attention", { count: c.attention });
    if (c.waiting) text = `${t("sync.waiting", { count: c.waiting })} · ${text}`;
    state = "attention";
  } else if (c.waiting) {
    text = app.syncing && navigator.onLine ? t("sync.syncing", { count: c.waiting }) : t("sync.waiting", { count: c.waiting });
    state = "waiting";
  } else {
    text = t("sync.saved");
    state = "saved";
  }
  box.textContent = text;
  box.dataset.state = state;
  box.dataset.waiting = c.waiting;
  box.dataset.attention = c.attention;
  const notices = document.getElementById("notices");
  const expired = (await getMeta("auth")) === "expired";
  replace(notices,
    navigator.onLine ? null : h("p", { class: "notice offline", id: "offline-notice", text: t("notice.offline") }),
    expired ? h("p", { class: "notice expired", id: "expired-notice" }, t("notice.expired"), " ",
      h("a", { class: "button", href: "/login?next=/field/", text: t("action.sign_in") })) : null,
    app.update ? h("p", { class: "notice update", id: "update-notice" }, t("notice.update"), " ",
      h("button", { class: "button primary", type: "button", id: "update-now", text: t("action.reload"), onclick: takeUpdate })) : null);
}

// --- the service worker and its updates -------------------------------------------------------------------------

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    const registration = await navigator.serviceWorker.register("/field/sw.js", { type: "module", scope: "/field/", updateViaCache: "none" });
    app.registration = registration;
    if (registration.waiting && navigator.serviceWorker.controller) offerUpdate();
    registration.addEventListener("updatefound", () => {
      const installing = registration.installing;
      installing && installing.addEventListener("statechange", () => {
        // A new version installed next to the one in use: it waits until the worker chooses to reload.
        if (installing.state === "installed" && navigator.serviceWorker.controller) offerUpdate();
      });
    });
    setInterval(() => registration.update().catch(() => {}), 60 * 60 * 1000);
  } catch (error) {
    console.warn("service worker not registered", error);
  }
}

function offerUpdate() {
  app.update = true;
  drawStatus();
}

function takeUpdate() {
  const waiting = app.registration && app.registration.waiting;
  if (!waiting) return location.reload();
  // The page reloads only once the new worker controls it, so it never runs half old, half new.
  navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
  waiting.postMessage({ type: "skip-waiting" });
}

// --- menu and signing out ---------------------------------------------------------------------------------------

function openMenu() {
  const sheet = document.getElementById("sheet");
  document.getElementById("toast").hidden = true; // nothing covers the sheet's buttons
  const close = () => (sheet.hidden = true);
  replace(sheet,
    h("div", { class: "sheet-body" },
      h("p", { class: "who", text: app.session ? `${app.session.name} · ${app.session.studio}` : "" }),
      h("button", { class: "button", type: "button", text: t("menu.refresh"), onclick: async () => {
        close();
        if (!navigator.onLine) return toast(t("notice.offline"));
        await sync("manual");
        await refreshVisits();
        toast(t("menu.refreshed"));
      } }),
      h("a", { class: "button", href: "#/queue", onclick: close, text: t("menu.queue") }),
      h("a", { class: "button", href: "/app/", text: t("menu.workspace") }),
      h("button", { class: "button danger", type: "button", id: "sign-out", text: t("menu.sign_out"), onclick: signOut }),
      h("button", { class: "button", type: "button", text: t("action.close"), onclick: close }),
      h("small", { class: "version", text: `v ${boot.version || ""}` })));
  sheet.hidden = false;
}

async function signOut() {
  const c = await counts(app.session && app.session.user_id);
  const sheet = document.getElementById("sheet");
  if (!navigator.onLine) return toast(t("signout.offline"));
  const go = async () => {
    const session = await fetch("/field/api/session", { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
    // Unsent changes stay on the phone under this person: they are sent after they sign in again.
    await forget();
    if (!session) return location.assign("/login?next=/field/");
    const form = h("form", { method: "post", action: "/logout" }, h("input", { type: "hidden", name: "csrf_token", value: session.csrf_token }));
    document.body.append(form);
    form.submit();
  };
  if (!c.waiting && !c.attention) return go();
  replace(sheet,
    h("div", { class: "sheet-body caution", id: "sign-out-warning" },
      h("h2", { text: t("signout.title") }),
      h("p", { text: t("signout.pending", { count: c.waiting + c.attention }) }),
      h("button", { class: "button primary", type: "button", text: t("signout.stay"), onclick: () => (sheet.hidden = true, location.hash = "#/queue") }),
      h("button", { class: "button danger", type: "button", id: "sign-out-anyway", text: t("signout.anyway"), onclick: go })));
  sheet.hidden = false;
}


start().catch((error) => {
  console.error(error);
  replace(view, h("p", { class: "empty", text: String(error) }));
});
