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

// The sidebar menu is a <details>: open on wide screens, collapsible on phones.
const nav = document.querySelector("details[data-nav]");
if (nav) {
  const wide = window.matchMedia("(min-width: 721px)");
  const sync = () => { if (wide.matches) nav.setAttribute("open", ""); };
  sync();
  wide.addEventListener("change", sync);
}
