// Size job progress bars from data-percent: the Content-Security-Policy forbids inline style attributes,
// but not setting a style from a same-origin script. Runs on page load and after every HTMX swap.
(() => {
  const size = (root) => {
    root.querySelectorAll(".bar > span[data-percent]").forEach((el) => {
      const percent = Math.max(0, Math.min(100, Number(el.dataset.percent) || 0));
      el.style.width = `${percent}%`;
    });
  };
  document.addEventListener("htmx:load", (event) => size(event.detail.elt));
  document.addEventListener("DOMContentLoaded", () => size(document));
})();
