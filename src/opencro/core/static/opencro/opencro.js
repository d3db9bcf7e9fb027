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
// It also runs when the page opens if a control already differs from what was rendered (a choice made before
// the script attached, or restored by the browser); answers older than the latest request are ignored.
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
  if (changedSinceRendered(form)) refresh(); // nothing to ask when the page shows what the server rendered
}

// True when a control no longer holds the value the page was rendered with (typed before the script ran, or
// restored by the browser).
function changedSinceRendered(form) {
  return [...form.elements].some((el) => {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      const initial = [...el.options].find((option) => option.defaultSelected) || el.options[0];
      return initial !== undefined && el.value !== initial.value;
    }
    if (el.type === "file" || el.type === "hidden" || !("defaultValue" in el)) return false;
    return el.value !== el.defaultValue;
  });
}
