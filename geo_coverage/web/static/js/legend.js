/* The legend in the map's corner: the metric, a swatch, range and area count per class (the
   hatched no-data swatch last, with the reason), the keys of the bold outline and the numbered
   markers, and the notes on the breaks. On narrow screens it folds into a button. */

import { el } from "./dom.js";
import { config, narrow, onWidthChange, strings } from "./state.js";

let box = null;
let toggle = null;
let body = null;

function setOpen(open) {
  toggle.setAttribute("aria-expanded", String(open));
  box.classList.toggle("open", open);
}

/** Add the (empty) legend box to the map's bottom-right corner. */
export function addLegend(map) {
  const Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      box = el("div", "legend");
      box.id = "legend";
      toggle = el("button", "legend-toggle", strings.legend);
      toggle.type = "button";
      toggle.setAttribute("aria-controls", "legend-body");
      toggle.addEventListener("click", () => setOpen(!box.classList.contains("open")));
      body = el("div", "legend-body");
      body.id = "legend-body";
      box.append(toggle, body);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
  });
  map.addControl(new Legend());
  setOpen(!narrow());
  onWidthChange(() => setOpen(!narrow()));
}

/** Close the legend on narrow screens (the bottom sheet needs the room). */
export function foldLegend() {
  if (narrow()) {
    setOpen(false);
  }
}

/** The room the open legend takes on a wide screen: [width, height] in pixels. */
export function legendRoom() {
  if (config.mode === "browse" && narrow()) {
    return [0, 0];
  }
  return [box.offsetWidth + 10, 0];
}

function key(kind, text) {
  const item = el("li", `key key-${kind}`);
  const sample = el("span", `sample sample-${kind}`, kind === "marker" ? "1" : null);
  sample.setAttribute("aria-hidden", "true");
  item.append(sample, el("span", "range", text));
  return item;
}

/** Fill the legend box with a view's legend. */
export function drawLegend(legend) {
  body.textContent = "";
  body.appendChild(el("h2", null, legend.title));
  const list = el("ul");
  for (const entry of legend.entries) {
    const item = el("li", entry.hatched ? "nodata" : null);
    const swatch = el("span", "swatch" + (entry.hatched ? " hatched" : ""));
    swatch.setAttribute("aria-hidden", "true");
    if (!entry.hatched) {
      swatch.style.background = entry.color;
    }
    item.appendChild(swatch);
    item.appendChild(el("span", "range", entry.label));
    item.appendChild(el("span", "count", entry.count));
    list.appendChild(item);
  }
  body.appendChild(list);
  if (legend.nodata_reason) {
    body.appendChild(el("p", "note nodata-reason", legend.nodata_reason));
  }
  const keys = el("ul", "keys");
  if (legend.outline) {
    keys.appendChild(key("outline", legend.outline));
  }
  if (legend.markers) {
    keys.appendChild(key("marker", legend.markers));
  }
  if (keys.children.length) {
    body.appendChild(keys);
  }
  // The embed has no priority table: why a first-ranked area at its target is first goes
  // under the markers' key (the browse page says it beside the table).
  if (legend.priority_why && document.body.classList.contains("embed")) {
    body.appendChild(el("p", "note priority-why", legend.priority_why));
  }
  for (const note of legend.notes) {
    body.appendChild(el("p", "note", note));
  }
}
