// The report builder (saas/staff/templates/staff/reports/form.html) with script: every change of a select or a
// date asks the server for the same page the "Preview" button would bring (the options of the chosen source and
// the chart) as a fragment of the page, and puts its form in place of this one. Without script, the button does
// exactly that with a page load.

import { drawCharts } from "./charts.js";

const form = document.querySelector("[data-report-builder]");
let pending = null;

async function refresh(changed) {
  const body = new FormData(form);
  body.set("action", "preview");
  pending?.abort();
  pending = new AbortController();
  let answer;
  try {
    answer = await fetch(form.getAttribute("action"), {
      method: "POST", body, signal: pending.signal, credentials: "same-origin",
      headers: { "X-Fragment": "report-builder" },
    });
  } catch {
    return; // superseded, or offline: the button still works
  }
  const holder = document.createElement("template"); // inert: nothing in it runs or loads
  holder.innerHTML = await answer.text();
  const fresh = holder.content.querySelector("[data-report-builder]");
  if (!fresh) return;
  form.replaceChildren(...fresh.childNodes);
  form.querySelector(`[name="${changed}"]`)?.focus();
  drawCharts(form);
}

if (form) {
  form.addEventListener("change", (event) => {
    if (event.target.name && event.target.name !== "name") refresh(event.target.name);
  });
}
