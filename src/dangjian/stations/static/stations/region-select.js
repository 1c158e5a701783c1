// 省份 → 城市: narrow the city select to the chosen province's cities. Without this script the
// city select lists every province's cities in groups (optgroup labels are province names), and
// the server checks that the city lies in the province.
(function () {
  "use strict";
  if (window.dangjianRegionSelect) return; // the widget may appear more than once on a page
  window.dangjianRegionSelect = true;

  function bind(box) {
    const province = box.querySelector('select[data-region="province"]');
    const city = box.querySelector('select[data-region="city"]');
    if (!province || !city || box.dataset.bound) return;
    box.dataset.bound = "1";
    const groups = Array.from(city.querySelectorAll("optgroup")).map((g) => g.cloneNode(true));
    function narrow() {
      const chosen = province.options[province.selectedIndex];
      const name = chosen && chosen.value ? chosen.text : "";
      const keep = city.value;
      city.querySelectorAll("optgroup").forEach((g) => g.remove());
      for (const g of groups) {
        if (!name || g.label === name) city.appendChild(g.cloneNode(true));
      }
      city.value = Array.from(city.options).some((o) => o.value === keep) ? keep : "";
    }
    province.addEventListener("change", narrow);
    narrow();
  }

  function bindAll() {
    document.querySelectorAll("[data-region-select]").forEach(bind);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bindAll);
  else bindAll();
  document.addEventListener("htmx:afterSwap", bindAll);
})();
