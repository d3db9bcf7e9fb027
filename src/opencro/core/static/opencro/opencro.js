// OpenCRO page behaviour: no inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
  document.querySelectorAll("form[data-preview-url]").forEach(livePreview);
});

// eCRF branching and derivations: the server evaluates the build's own expressions on what is
// typed (nothing is saved) and answers which fields are hidden and what calculated items show.
// It also runs once when the page opens, so a choice made (or restored by the browser) before the
// page finished loading is reflected; answers older than the latest request are ignored.
function livePreview(form) {
  let pending = null;
  let sent = 0;
  const refresh = async () => {
    const ticket = ++sent;
    const body = new FormData(form);
    [...body.keys()].filter((name) => name.startsWith("file:")).forEach((name) => body.delete(name)); // files go up on save only
    const response = await fetch(form.dataset.previewUrl, {
      method: "POST",
      body,
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const state = await response.json();
    if (ticket !== sent) return; // a newer request is on its way
    const hidden = new Set(state.hidden);
    form.querySelectorAll("[data-field-key]").forEach((el) => {
      el.hidden = hidden.has(el.dataset.fieldKey);
    });
    Object.entries(state.values).forEach(([key, value]) => {
      const out = form.querySelector(`[data-calc="${CSS.escape(key)}"]`);
      if (out) out.textContent = value;
    });
    form.dataset.previewed = String(Number(form.dataset.previewed || 0) + 1);
  };
  form.addEventListener("change", () => {
    clearTimeout(pending);
    pending = setTimeout(refresh, 150);
  });
  refresh();
}
