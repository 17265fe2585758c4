/* The data table under the map: every area of the view with the mapped figure, its numerator
   and denominator (or the coverage before and after a comparison), sortable by any column;
   its rows and the map's areas highlight and select each other. For screen readers it is the
   map's content. */

import { el } from "./dom.js";
import { roving } from "./roving.js";
import { onHighlight, onSelect, strings } from "./state.js";
import { hoverable } from "./table.js";

let rows = {}; // kode -> row
let sorted = { column: null, descending: false };
let act = null; // what Enter or a click on a row does: (kode) => void

function columns(view) {
  const names = [strings.area];
  if (view.level !== "province" && !view.province) {
    names.push(strings.province);
  }
  return [...names, ...view.table.columns];
}

function cells(view, kode) {
  const area = view.areas[kode];
  const out = [[area.name, area.name]];
  if (view.level !== "province" && !view.province) {
    out.push([area.province_name, area.province_name]);
  }
  return [...out, ...area.table.map(([text, number]) => [text, number])];
}

function compare(a, b) {
  if (a === b) {
    return 0;
  }
  if (a === null) {
    return 1; // missing figures last, whichever way
  }
  if (b === null) {
    return -1;
  }
  return typeof a === "number" ? a - b : String(a).localeCompare(String(b));
}

function order(view) {
  const codes = Object.keys(view.areas);
  if (sorted.column === null) {
    return codes;
  }
  const value = (kode) => cells(view, kode)[sorted.column][1];
  return codes.sort((x, y) => {
    const [a, b] = [value(x), value(y)];
    const by = a === null || b === null ? compare(a, b) : compare(a, b) * (sorted.descending ? -1 : 1);
    return by || x.localeCompare(y);
  });
}

function header(view) {
  const tr = document.querySelector("#data-table thead tr");
  tr.textContent = "";
  columns(view).forEach((name, i) => {
    const th = el("th");
    th.scope = "col";
    if (i === sorted.column) {
      th.setAttribute("aria-sort", sorted.descending ? "descending" : "ascending");
    }
    const button = el("button", "sort", name);
    button.type = "button";
    button.title = strings.sort_by.replace("{column}", name);
    button.addEventListener("click", () => {
      sorted = {
        column: i,
        descending: sorted.column === i ? !sorted.descending : false,
      };
      drawDataTable(view);
      document.querySelectorAll("#data-table thead button")[i].focus();
    });
    th.appendChild(button);
    if (i > (columns(view).length - view.table.columns.length - 1)) {
      th.classList.add("num");
    }
    tr.appendChild(th);
  });
}

/** Follow highlights and selections; `onActivate(kode)` when a row is clicked or entered. */
export function initDataTable(onActivate) {
  act = onActivate;
  onHighlight((kode, on) => rows[kode]?.classList.toggle("hover", !!on));
  onSelect((kode, previous) => {
    if (previous && previous !== kode) {
      rows[previous]?.classList.remove("selected");
      rows[previous]?.removeAttribute("aria-selected");
    }
    rows[kode]?.classList.add("selected");
    rows[kode]?.setAttribute("aria-selected", "true");
  });
}

/** Fill the data table with a view's areas, in the chosen order. */
export function drawDataTable(view) {
  document.getElementById("data-caption").textContent = view.table.caption;
  header(view);
  const body = document.querySelector("#data-table tbody");
  body.textContent = "";
  rows = {};
  const names = columns(view).length - view.table.columns.length;
  for (const kode of order(view)) {
    const tr = el("tr", view.areas[kode].low ? "low" : null);
    tr.setAttribute("data-kode", kode);
    cells(view, kode).forEach(([text], i) => {
      const cell = el(i === 0 ? "th" : "td", i >= names ? "num" : null, text);
      if (i === 0) {
        cell.scope = "row";
      }
      tr.appendChild(cell);
    });
    hoverable(tr, kode);
    tr.addEventListener("click", () => act(kode));
    rows[kode] = body.appendChild(tr);
  }
  roving(body, (row) => act(row.dataset.kode));
}

/** Forget the chosen order (a new kind of view). */
export function resetOrder() {
  sorted = { column: null, descending: false };
}
