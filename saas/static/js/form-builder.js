// The form builder: reorder questions by dragging their handle, or with the arrow keys on a focused handle;
// the new order is saved at once and the phone preview reloads. Without script, the ↑ ↓ buttons do the same.
// Also: the copy buttons of the link and the embed snippet.

const list = document.querySelector("[data-reorder]");
const state = document.querySelector("[data-save-state]");
const preview = document.querySelector("[data-preview]");
const words = {
  saving: document.documentElement.lang.startsWith("zh") ? "正在保存顺序…" : "Saving the order…",
  saved: document.documentElement.lang.startsWith("zh") ? "顺序已保存。" : "Order saved.",
  failed: document.documentElement.lang.startsWith("zh") ? "未能保存顺序，请刷新页面后重试。" : "The order could not be saved. Reload the page and try again.",
  copied: document.documentElement.lang.startsWith("zh") ? "已复制" : "Copied",
};

function items() {
  return [...list.querySelectorAll(":scope > .q-item")];
}

function refreshButtons() {
  const all = items();
  all.forEach((item, index) => {
    const [up, down] = item.querySelectorAll(".q-moves button");
    if (up) up.disabled = index === 0;
    if (down) down.disabled = index === all.length - 1;
  });
}

async function save() {
  state.textContent = words.saving;
  const order = items().map((item) => item.dataset.id);
  try {
    const response = await fetch(list.dataset.reorder, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": list.dataset.csrf, Accept: "application/json" },
      body: JSON.stringify({ order }),
    });
    if (!response.ok) throw new Error(String(response.status));
    state.textContent = words.saved;
    list.dataset.saved = order.join(",");
    if (preview) preview.contentWindow.location.reload();
  } catch {
    state.textContent = words.failed;
  }
}

function moveBy(item, step) {
  const all = items();
  const to = all.indexOf(item) + step;
  if (to < 0 || to >= all.length) return false;
  if (step < 0) list.insertBefore(item, all[to]);
  else list.insertBefore(item, all[to].nextSibling);
  refreshButtons();
  return true;
}

if (list) {
  list.addEventListener("keydown", (event) => {
    const handle = event.target.closest(".q-handle");
    if (!handle || !["ArrowUp", "ArrowDown"].includes(event.key)) return;
    event.preventDefault();
    if (moveBy(handle.closest(".q-item"), event.key === "ArrowUp" ? -1 : 1)) {
      handle.focus();
      save();
    }
  });

  let dragged = null;
  list.addEventListener("dragstart", (event) => {
    const handle = event.target.closest(".q-handle");
    if (!handle) return;
    dragged = handle.closest(".q-item");
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.id);
    event.dataTransfer.setDragImage(dragged, 20, 20);
  });
  list.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const over = event.target.closest(".q-item");
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });
  list.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    refreshButtons();
    if (items().map((item) => item.dataset.id).join(",") !== list.dataset.saved) save();
  });
  list.dataset.saved = items().map((item) => item.dataset.id).join(",");
}

document.querySelectorAll("[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy");
    }
    const label = button.textContent;
    button.textContent = words.copied;
    setTimeout(() => (button.textContent = label), 1500);
  });
});
