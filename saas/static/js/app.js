// Progressive enhancement only: every page works without this file.

// Selects marked data-autosubmit submit their form on change (language, role, audit filter).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});

// Buttons with data-confirm ask before submitting (deactivating a member, ...).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// Only one dropdown open at a time; a click elsewhere closes them.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.dropdown[open]").forEach((details) => {
    if (!details.contains(event.target)) details.removeAttribute("open");
  });
});

// The sidebar menu is a <details>: always open on wide screens; on phones a sheet under the header that closes on
// navigation (a tapped link, or coming back to the page), on Escape and on a tap outside it.
const nav = document.querySelector("details[data-nav]");
if (nav) {
  const wide = window.matchMedia("(min-width: 721px)");
  const header = nav.closest(".sidebar");
  const close = () => { if (!wide.matches) nav.removeAttribute("open"); };
  const sync = () => {
    if (wide.matches) nav.setAttribute("open", "");
    else close();
    document.body.classList.toggle("nav-open", !wide.matches && nav.open);
  };
  nav.addEventListener("toggle", () => {
    if (header) document.documentElement.style.setProperty("--nav-top", `${header.getBoundingClientRect().bottom}px`);
    document.body.classList.toggle("nav-open", !wide.matches && nav.open);
  });
  nav.querySelectorAll("nav a").forEach((link) => link.addEventListener("click", close));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.open && !wide.matches) { close(); nav.querySelector("summary").focus(); }
  });
  document.addEventListener("click", (event) => { if (!nav.contains(event.target)) close(); });
  window.addEventListener("pageshow", sync);  // back to a page kept in the browser's cache with its menu open
  sync();
  wide.addEventListener("change", sync);
}

// Panels marked data-fold (the client list's filters) are open on wide screens and folded on phones.
document.querySelectorAll("details[data-fold]").forEach((fold) => {
  const wide = window.matchMedia("(min-width: 721px)");
  const sync = () => { if (wide.matches) fold.setAttribute("open", ""); };
  sync();
  wide.addEventListener("change", sync);
});

document.documentElement.classList.add("js");

// The project board: drag a card onto another column. The card's own "Move to" form (kept for keyboards and
// phones) is what gets submitted, asking for JSON, so both paths go through the same server rule.
const board = document.querySelector("[data-board]");
const boardWrap = document.querySelector("[data-board-wrap]");
if (board && boardWrap) {
  // More columns than fit: a fade on the right edge says so, and the stage strip above scrolls to a column.
  const edge = () => boardWrap.classList.toggle("more-right", board.scrollLeft + board.clientWidth < board.scrollWidth - 4);
  board.addEventListener("scroll", edge, { passive: true });
  window.addEventListener("resize", edge);
  edge();
  document.querySelectorAll("[data-stage-link]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const column = board.querySelector(`[data-stage="${link.dataset.stageLink}"]`);
      if (!column) return;
      event.preventDefault();
      board.scrollTo({ left: column.offsetLeft - board.offsetLeft, behavior: "smooth" });
    });
  });
}
if (board) {
  let dragged = null;
  board.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("[data-card]");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.card);
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    board.querySelectorAll(".drop-target").forEach((el) => el.classList.remove("drop-target"));
  });
  board.addEventListener("dragover", (event) => {
    const list = event.target.closest("[data-drop]");
    if (!list || !dragged) return;
    event.preventDefault();
    board.querySelectorAll(".drop-target").forEach((el) => { if (el !== list) el.classList.remove("drop-target"); });
    list.classList.add("drop-target");
  });
  board.addEventListener("drop", async (event) => {
    const list = event.target.closest("[data-drop]");
    if (!list || !dragged) return;
    event.preventDefault();
    list.classList.remove("drop-target");
    const card = dragged;
    dragged = null;
    const from = card.closest("[data-stage]");
    const to = list.closest("[data-stage]");
    if (from === to) return;
    const form = card.querySelector("form.board-move");
    const data = new FormData(form);
    data.set("stage_id", to.dataset.stage);
    const response = await fetch(form.action, { method: "POST", body: data, headers: { Accept: "application/json" } });
    if (!response.ok) { window.location.reload(); return; }
    list.prepend(card);
    // Totals, counts and ordering come from the server: re-read the board rather than recompute them here.
    const url = new URL(window.location.href);
    url.searchParams.set("fragment", "board");
    const fresh = await fetch(url);
    if (fresh.ok) board.innerHTML = await fresh.text();
  });
}

// File uploads: ask the app for a ticket, send the bytes where it says (the bucket with S3, else the app), then
// ask the app to check them. The page reloads to show the files once every one is done.
async function uploadOne(box, file) {
  const csrf = box.dataset.csrf;
  const json = { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" };
  const body = { name: file.name, size: file.size, content_type: file.type || null,
    purpose: box.dataset.draft ? "draft" : "attachment", project_id: box.dataset.project || null,
    draft_id: box.dataset.draft || null };
  const begun = await fetch(box.dataset.begin, { method: "POST", headers: json, body: JSON.stringify(body) });
  const ticket = await begun.json();
  if (!begun.ok) return ticket.errors;
  let sent;
  if (ticket.upload.method === "POST") {
    const form = new FormData();
    for (const [key, value] of Object.entries(ticket.upload.fields)) form.append(key, value);
    form.append("file", file);
    sent = await fetch(ticket.upload.url, { method: "POST", body: form });
  } else {
    sent = await fetch(ticket.upload.url, { method: "PUT", body: file, headers: { "X-CSRFToken": csrf } });
  }
  if (!sent.ok) return { file: [String(sent.status)] };
  const done = await fetch(ticket.complete_url, { method: "POST", headers: json });
  return done.ok ? null : (await done.json()).errors;
}

document.querySelectorAll("[data-upload]").forEach((box) => {
  const input = box.querySelector("input[type=file]");
  const status = box.querySelector(".upload-status");
  input.addEventListener("change", async () => {
    let failed = false;
    for (const file of input.files) {
      status.textContent = box.dataset.sending.replace("{name}", file.name);
      const errors = await uploadOne(box, file);
      if (errors) {
        failed = true;
        status.textContent = `${box.dataset.failed.replace("{name}", file.name)} ${Object.values(errors).flat().join(" ")}`;
      }
    }
    if (!failed) window.location.reload();
  });
});

// Draft review: zoom the pages, and in pin mode turn a click or tap on a page into a comment at that spot (the
// spot is sent as fractions of the page, so it stays put at any size).
document.querySelectorAll("[data-review]").forEach((review) => {
  const levels = [0.5, 0.75, 1, 1.5, 2, 3];
  let level = 2;
  const output = review.querySelector("[data-zoom-level]");
  review.querySelectorAll("[data-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      level = Math.min(levels.length - 1, Math.max(0, level + Number(button.dataset.zoom)));
      review.querySelectorAll("[data-zoomable]").forEach((box) => box.style.setProperty("--zoom", levels[level]));
      output.textContent = `${Math.round(levels[level] * 100)}%`;
    });
  });
  const form = review.querySelector("[data-pin-form]");
  if (!form) return;
  let marker = null;
  const clear = () => { if (marker) marker.remove(); marker = null; form.hidden = true; };
  review.querySelectorAll(".sheet-canvas.pinnable").forEach((canvas) => {
    canvas.addEventListener("click", (event) => {
      if (event.target.closest(".pin")) return;
      const box = canvas.getBoundingClientRect();
      const x = (event.clientX - box.left) / box.width;
      const y = (event.clientY - box.top) / box.height;
      if (x < 0 || x > 1 || y < 0 || y > 1) return;
      if (marker) marker.remove();
      marker = document.createElement("span");
      marker.className = "pin pending";
      marker.textContent = "+";
      marker.style.left = `${x * 100}%`;
      marker.style.top = `${y * 100}%`;
      canvas.appendChild(marker);
      form.elements.file_id.value = canvas.dataset.file;
      form.elements.page.value = canvas.dataset.page;
      form.elements.x.value = x.toFixed(4);
      form.elements.y.value = y.toFixed(4);
      form.hidden = false;
      form.elements.body.focus();
    });
  });
  form.querySelector("[data-pin-cancel]").addEventListener("click", clear);
});

// Replies: one form serves every thread; "Reply" moves it under its thread instead of reloading the page.
document.querySelectorAll("[data-reply]").forEach((link) => {
  link.addEventListener("click", (event) => {
    const form = document.querySelector("[data-reply-form]");
    if (!form) return;
    event.preventDefault();
    link.parentElement.appendChild(form);
    form.elements.parent_id.value = link.dataset.reply;
    form.hidden = false;
    form.elements.body.focus();
  });
});

// Charts (dashboards, reports) load their library only on the pages that have one.
if (document.querySelector("figure[data-chart]")) import("./charts.js");

// Forms that take files (a form's file questions, public or in the portal; a ticket's attachments, staff or
// portal): with S3 the page names where to ask for a presigned POST (data-direct-upload). On send, each chosen
// file goes straight to the bucket and the form carries its upload id instead of the bytes (a hidden
// "<input>.upload"). Whatever fails here — no script, an old browser, a refused offer, a network error — the file
// simply goes with the form as before, and the server says what is wrong beside the input.
async function sendDirect(form, input, file) {
  const csrf = form.querySelector("[name=csrf_token]");
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (csrf) headers["X-CSRFToken"] = csrf.value;
  const body = JSON.stringify({ input: input.name, name: file.name, size: file.size, content_type: file.type || null });
  const offered = await fetch(form.dataset.directUpload, { method: "POST", headers, body });
  if (offered.status !== 201) return null;
  const ticket = await offered.json();
  const bytes = new FormData();
  for (const [key, value] of Object.entries(ticket.upload.fields)) bytes.append(key, value);
  bytes.append("file", file);
  const sent = await fetch(ticket.upload.url, { method: "POST", body: bytes });
  return sent.ok ? ticket.id : null;
}

document.querySelectorAll("form[data-direct-upload]").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    const inputs = [...form.querySelectorAll("input[type=file]")].filter((input) => input.files.length && input.name);
    if (!inputs.length || form.dataset.sent) return;
    event.preventDefault();
    const button = event.submitter || form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    // form.submit() below sends no button: the one pressed says what the form does (a reply or an internal note).
    if (event.submitter && event.submitter.name) {
      const pressed = document.createElement("input");
      Object.assign(pressed, { type: "hidden", name: event.submitter.name, value: event.submitter.value });
      form.append(pressed);
    }
    for (const input of inputs) {
      const ids = [];
      for (const file of input.files) {
        if (form.dataset.sending) button && (button.textContent = form.dataset.sending.replace("{name}", file.name));
        try {
          const id = await sendDirect(form, input, file);
          if (!id) { ids.length = 0; break; }
          ids.push(id);
        } catch (_error) { ids.length = 0; break; }
      }
      if (ids.length !== input.files.length) continue; // this input's files go with the form, as without script
      for (const id of ids) {
        const hidden = document.createElement("input");
        Object.assign(hidden, { type: "hidden", name: `${input.name}.upload`, value: id });
        form.append(hidden);
      }
      input.disabled = true; // a disabled input is not sent: the bytes are in the bucket already
    }
    form.dataset.sent = "1";
    form.submit();
  });
});
