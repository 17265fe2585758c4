/* The map: Leaflet with the basemap (if any), the province outlines, and each view's areas
   filled by class, bold-outlined when below target, with tooltips and priority markers.
   Leaflet is the global `L` from its own (classic) script, which runs before the modules. */

import { el } from "./dom.js";
import { currentView, highlight, onHighlight, onSelect, selectedKode, strings } from "./state.js";

let map = null;
let areaLayer = null;
let markerLayer = null;
let layers = {}; // kode -> Leaflet polygon of the current view

/** Class colour (hatched when there is no data), bold outline when below target. */
function style(area, highlighted) {
  const low = area.low;
  return {
    fillColor: area.fill || "url(#nodata-hatch)",
    fillOpacity: area.fill ? 0.85 : 1,
    color: highlighted ? "#000000" : low ? "#1a1a1a" : "#6b6b6b",
    weight: highlighted ? 4.5 : low ? 2.6 : 0.6,
    className: "area" + (low ? " area-low" : ""),
  };
}

function tooltip(kode) {
  const view = currentView();
  const area = view.areas[kode];
  const box = el("div", "tip");
  box.appendChild(el("strong", null, area.name));
  box.appendChild(el("div", "tip-period", view.period));
  const table = el("table");
  const rows = view.fields.map((label, i) => [label, area.values[i]]);
  rows.push([strings["field.priority_rank"], area.rank === null ? "–" : area.rank]);
  for (const [label, value] of rows) {
    const tr = el("tr");
    tr.appendChild(el("th", null, label));
    tr.appendChild(el("td", null, value));
    table.appendChild(tr);
  }
  box.appendChild(table);
  if (area.source_note) {
    box.appendChild(el("div", "tip-note", area.source_note));
  }
  return box;
}

function highlightArea(kode, on) {
  const layer = layers[kode];
  if (!layer) {
    return;
  }
  layer.setStyle(style(currentView().areas[kode], on || kode === selectedKode()));
  if (on) {
    layer.bringToFront();
  }
}

/** Create the map in #map, with the basemap when there is one. */
export function createMap(tiles) {
  map = L.map("map", { zoomSnap: 0.25, attributionControl: true });
  if (tiles) {
    L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 18 }).addTo(map);
  }
  map.createPane("provinceLines").style.zIndex = 450;
  map.getPane("provinceLines").style.pointerEvents = "none";
  onHighlight(highlightArea);
  onSelect((kode, _previous, zoom) => {
    if (zoom && layers[kode]) {
      map.fitBounds(layers[kode].getBounds(), { maxZoom: 9 });
    }
  });
  return map;
}

/** The province outlines, over every view's areas. */
export function drawProvinceLines(provinces) {
  const options = {
    fill: false,
    color: "#404040",
    weight: 1.4,
    interactive: false,
    pane: "provinceLines",
  };
  L.featureGroup(provinces.map((shape) => L.polygon(shape.latlngs, options))).addTo(map);
}

/** Draw a view's areas from their shapes and fit the map to them; `onClick(kode)` on a click. */
export function drawAreas(view, shapes, onClick) {
  if (areaLayer) {
    map.removeLayer(areaLayer);
  }
  layers = {};
  areaLayer = L.featureGroup();
  const shown = shapes[view.layer].filter((shape) => view.areas[shape.kode]);
  // Low-coverage areas last, so that their bold outlines are not covered by neighbours.
  shown.sort((a, b) => view.areas[a.kode].low - view.areas[b.kode].low);
  for (const shape of shown) {
    const kode = shape.kode;
    const layer = L.polygon(shape.latlngs, style(view.areas[kode], false));
    layer.bindTooltip(() => tooltip(kode), { sticky: true });
    layer.on("mouseover", () => highlight(kode, true));
    layer.on("mouseout", () => highlight(kode, false));
    layer.on("click", () => onClick(kode));
    layer.addTo(areaLayer);
    layers[kode] = layer;
  }
  const bounds = areaLayer.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [8, 8] });
  }
  areaLayer.addTo(map);
  for (const [kode, layer] of Object.entries(layers)) {
    layer.getElement().setAttribute("data-kode", kode);
  }
  drawMarkers(view.priorities);
}

function drawMarkers(priorities) {
  if (markerLayer) {
    map.removeLayer(markerLayer);
  }
  const markers = priorities.map((priority) => {
    const html = el("span", null, priority.rank);
    const icon = L.divIcon({ className: "priority-marker", html, iconSize: [22, 22] });
    return L.marker(priority.latlng, { icon, interactive: false, keyboard: false });
  });
  markerLayer = L.layerGroup(markers).addTo(map);
}
