/* An area's figures, as the tooltip (wide screens) and the bottom sheet (narrow) show them. */

import { el } from "./dom.js";
import { currentView, strings } from "./state.js";

/** A box with an area's name, period, figures, and its notes (source, why no data). */
export function areaInfo(kode) {
  const view = currentView();
  const area = view.areas[kode];
  const box = el("div", "tip");
  box.appendChild(el("strong", null, area.name));
  box.appendChild(el("div", "tip-period", view.period));
  const table = el("table");
  const rows = view.fields.map((label, i) => [label, area.values[i]]);
  if (view.base) {
    // A comparison: the coverage now and at the baseline, each named by its period.
    rows.splice(0, 1, [view.table.columns[1], area.table[1][0]]);
    rows.splice(1, 0, [view.table.columns[2], area.table[2][0]]);
  }
  rows.push([strings["field.priority_rank"], area.rank === null ? "–" : area.rank]);
  for (const [label, value] of rows) {
    const tr = el("tr");
    tr.appendChild(el("th", null, label));
    tr.appendChild(el("td", null, value));
    table.appendChild(tr);
  }
  box.appendChild(table);
  if (!area.fill && view.legend.nodata_reason) {
    box.appendChild(el("div", "tip-note", view.legend.nodata_reason));
  }
  if (area.source_note) {
    box.appendChild(el("div", "tip-note", area.source_note));
  }
  return box;
}

/** One line for screen readers: the area's name and the mapped figure. */
export function areaSummary(kode) {
  const view = currentView();
  const area = view.areas[kode];
  return `${area.name}: ${view.table.columns[0]} ${area.table[0][0]}`;
}
