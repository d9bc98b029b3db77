// The import's progress page: asks the small JSON document for the rows done every second and moves the bar,
// the counts and the time left; at the end it reloads once, for the outcome and the undo button. While the
// import is being undone it moves the undo's bar the same way, and reloads when the undo ends. Without
// script the page refreshes itself (a <noscript> refresh), so it works either way and survives a reload.
const box = document.querySelector("[data-import-progress]");

function show(state) {
  for (const key of ["done", "total", "created", "updated", "skipped", "failed"]) {
    const field = box.querySelector(`[data-field="${key}"]`);
    if (field) field.textContent = state[key];
  }
  box.querySelector("progress").value = state.percent;
  const undo = document.querySelector("[data-undo-progress]");
  if (undo) {
    undo.querySelector('[data-field="undo_done"]').textContent = state.undo.done;
    undo.querySelector('[data-field="undo_total"]').textContent = state.undo.total;
    undo.querySelector("progress").value = state.undo.percent;
  }
  const left = box.querySelector('[data-field="left"]');
  if (left) left.textContent = state.seconds_left == null ? "" : box.dataset.leftText.replace("{n}", state.seconds_left);
}

async function poll() {
  try {
    const response = await fetch(box.dataset.importProgress, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const state = await response.json();
      show(state);
      if (state.finished && state.status !== "undoing") {
        window.location.reload();
        return;
      }
    }
  } catch {
    // offline for a moment: try again
  }
  setTimeout(poll, 1000);
}

const running = box && box.querySelector("[data-finished-only][hidden]");
if (running || document.querySelector("[data-undo-progress]")) setTimeout(poll, 500);
