/* The legend in the map's corner: the metric, a swatch, range and area count per class (the
   hatched no-data swatch last), and the notes on outlines, markers and breaks. */

import { el } from "./dom.js";

/** Add the (empty) legend box to the map's bottom-right corner. */
export function addLegend(map) {
  const Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      const box = el("div", "legend");
      box.id = "legend";
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
  });
  map.addControl(new Legend());
}

/** Fill the legend box with a view's legend. */
export function drawLegend(legend) {
  const box = document.getElementById("legend");
  box.textContent = "";
  box.appendChild(el("h2", null, legend.title));
  const list = el("ul");
  for (const entry of legend.entries) {
    const item = el("li", entry.hatched ? "nodata" : null);
    const swatch = el("span", "swatch" + (entry.hatched ? " hatched" : ""));
    if (!entry.hatched) {
      swatch.style.background = entry.color;
    }
    item.appendChild(swatch);
    item.appendChild(el("span", "range", entry.label));
    item.appendChild(el("span", "count", entry.count));
    list.appendChild(item);
  }
  box.appendChild(list);
  for (const note of legend.notes) {
    box.appendChild(el("p", "note", note));
  }
}
