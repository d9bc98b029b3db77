// Small helpers for drawing the app: elements built with the DOM (never innerHTML, so nothing a client's name
// holds can become markup), the messages of the person's language, and dates in the studio's time zone.

let messages = {};
let locale = "zh_CN";
let timeZone = "Asia/Shanghai";

export function setLanguage(newLocale, newMessages) {
  locale = newLocale === "en" ? "en" : "zh_CN";
  messages = newMessages || {};
  document.documentElement.lang = locale === "en" ? "en" : "zh-CN";
}

export const currentLocale = () => locale;
export function setTimeZone(zone) {
  if (zone) timeZone = zone;
}
export const studioZone = () => timeZone;

// t("queue.waiting", {count: 3}): "{count}" placeholders; a key ending in _one/_other is picked by count.
export function t(key, params = {}) {
  let text = messages[key];
  if ("count" in params && messages[`${key}_one`] !== undefined) {
    text = messages[params.count === 1 ? `${key}_one` : `${key}_other`];
  }
  if (text === undefined) text = key;
  return text.replace(/\{(\w+)\}/g, (_m, name) => (params[name] ?? ""));
}

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = value;
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key in element && typeof value !== "string") element[key] = value;
    else element.setAttribute(key, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

const lang = () => (locale === "en" ? "en-GB" : "zh-CN");

export function time(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(lang(), { timeZone, hour: "2-digit", minute: "2-digit", hour12: false })
    .format(new Date(iso));
}

export function dayLabel(day) {
  return new Intl.DateTimeFormat(lang(), { timeZone: "UTC", month: "short", day: "numeric", weekday: "short" })
    .format(new Date(`${day}T12:00:00Z`));
}

export function dateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(lang(), {
    timeZone, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false,
  }).format(new Date(iso));
}

export function date(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat(lang(), { timeZone: "UTC", month: "short", day: "numeric" })
    .format(new Date(`${value.slice(0, 10)}T12:00:00Z`));
}

// A short message at the bottom of the screen, for a moment.
export function toast(text) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 3500);
}
