/* The browse panel's lists: the priority table (every area by rank, one Tab stop moved through
   with the arrow keys) and the list of outlined areas; their rows and the map's areas
   highlight each other through the shared state. */

import { el } from "./dom.js";
import { roving } from "./roving.js";
import { highlight, onHighlight, onSelect, select } from "./state.js";

let rows = {}; // kode -> priority-table row

/** Rows and items that highlight their area while the pointer is over them. */
export function hoverable(node, kode) {
  node.addEventListener("mouseenter", () => highlight(kode, true));
  node.addEventListener("mouseleave", () => highlight(kode, false));
}

/** Follow highlights and selections made anywhere on the page. */
export function initTable() {
  onHighlight((kode, on) => rows[kode]?.classList.toggle("hover", !!on));
  onSelect((kode, previous) => {
    if (previous && previous !== kode) {
      rows[previous]?.classList.remove("selected");
      rows[previous]?.removeAttribute("aria-selected");
    }
    const row = rows[kode];
    if (row) {
      row.classList.add("selected");
      row.setAttribute("aria-selected", "true");
    }
  });
}

function tableRow(view, kode) {
  const area = view.areas[kode];
  const tr = el("tr", area.low ? "low" : null);
  tr.setAttribute("data-kode", kode);
  tr.appendChild(el("td", "num", area.rank === null ? "–" : area.rank));
  tr.appendChild(el("th", null, area.name)).setAttribute("scope", "row");
  for (const i of view.table_fields) {
    tr.appendChild(el("td", "num", area.values[i]));
  }
  hoverable(tr, kode);
  tr.addEventListener("click", () => select(kode, { zoom: true, from: "table" }));
  return tr;
}

/** Fill the priority table (with which rank it shows, and why the first is first when it has
    reached its target) and the outlined areas' list with a view's areas. */
export function drawTable(view) {
  document.getElementById("priority-rule").textContent = view.rank_rule;
  const why = document.getElementById("priority-why");
  why.textContent = view.priority_why || "";
  why.hidden = !view.priority_why;
  const body = document.querySelector("#priority-table tbody");
  body.textContent = "";
  rows = {};
  for (const kode of view.ranked) {
    rows[kode] = body.appendChild(tableRow(view, kode));
  }
  roving(body, (row) => select(row.dataset.kode, { zoom: true, from: "table" }));
  // with no area ranked (districts carrying their regency's rates) the rule says why; the
  // data table below the map still lists every area
  const unranked = !view.ranked.some((kode) => view.areas[kode].rank !== null);
  document.getElementById("priority-table").hidden = unranked;
  document.getElementById("priority-keys").hidden = unranked;
  const lows = document.getElementById("low-areas");
  lows.textContent = "";
  view.low_areas.forEach((kode, i) => {
    const item = el("li", null, `${view.areas[kode].name} — ${view.low_values[i]}`);
    hoverable(item, kode);
    lows.appendChild(item);
  });
  if (!view.low_areas.length && view.legend.outline) {
    lows.appendChild(el("li", "hint", view.legend.outline)); // why none is outlined
  }
  document.getElementById("low-section").hidden = !view.low_title;
  document.getElementById("low-count").textContent = String(view.low_areas.length);
  document.getElementById("low-title").textContent = view.low_title;
}
