/* The browse panel's lists: the priority table (every area by rank) and the low-coverage list;
   their rows and the map's areas highlight each other through the shared state. */

import { el } from "./dom.js";
import { highlight, onHighlight, onSelect, select } from "./state.js";

let rows = {}; // kode -> priority-table row

function hoverable(node, kode) {
  node.addEventListener("mouseenter", () => highlight(kode, true));
  node.addEventListener("mouseleave", () => highlight(kode, false));
}

/** Follow highlights and selections made anywhere on the page. */
export function initTable() {
  onHighlight((kode, on) => rows[kode]?.classList.toggle("hover", !!on));
  onSelect((kode, previous) => {
    if (previous && previous !== kode) {
      rows[previous]?.classList.remove("selected");
    }
    const row = rows[kode];
    if (row) {
      row.classList.add("selected");
      row.scrollIntoView({ block: "nearest" });
    }
  });
}

function tableRow(view, kode) {
  const area = view.areas[kode];
  const tr = el("tr", area.low ? "low" : null);
  tr.setAttribute("data-kode", kode);
  tr.appendChild(el("td", "num", area.rank === null ? "–" : area.rank));
  tr.appendChild(el("td", null, area.name));
  for (const i of view.table_fields) {
    tr.appendChild(el("td", "num", area.values[i]));
  }
  hoverable(tr, kode);
  tr.tabIndex = 0;
  tr.addEventListener("click", () => select(kode, true));
  tr.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      select(kode, true);
    }
  });
  return tr;
}

/** Fill the priority table and the low-coverage list with a view's areas. */
export function drawTable(view) {
  const body = document.querySelector("#priority-table tbody");
  body.textContent = "";
  rows = {};
  for (const kode of view.ranked) {
    rows[kode] = body.appendChild(tableRow(view, kode));
  }
  const lows = document.getElementById("low-areas");
  lows.textContent = "";
  for (const kode of view.low_areas) {
    const area = view.areas[kode];
    const item = el("li", null, `${area.name} — ${area.values[0]}`);
    hoverable(item, kode);
    lows.appendChild(item);
  }
  document.getElementById("low-count").textContent = String(view.low_areas.length);
  document.getElementById("low-title").textContent = view.low_title;
}
