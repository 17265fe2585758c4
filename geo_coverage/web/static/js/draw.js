/* The map: Leaflet with the basemap (if any), the province outlines, and each view's areas
   filled by class and edged, the bold outlines with a light halo, the numbered priority
   markers (pushed apart where they would overlap, with a leader line to their area) and the
   names of the top-ranked and selected areas. Leaflet is the global `L` from its own
   (classic) script, which runs before the modules. */

import { el } from "./dom.js";
import { areaInfo } from "./info.js";
import {
  config,
  currentView,
  highlight,
  onHighlight,
  onSelect,
  selectedKode,
  strings,
} from "./state.js";

const COLORS = config.colors;
const MARKER = 22; // marker diameter in pixels; markers closer than this are pushed apart
const PUSHES = 40; // rounds of pushing overlapping markers apart

let map = null;
let areaLayer = null;
let outlineLayer = null;
let markerLayer = null;
let labelLayer = null;
let layers = {}; // kode -> Leaflet polygon of the current view
let shapesByKode = {};

/** Class colour (hatched when there is no data), edged in dark grey; thick when highlighted. */
function style(area, highlighted) {
  return {
    fillColor: area.fill || "url(#nodata-hatch)",
    fillOpacity: area.fill ? 0.85 : 1,
    color: highlighted ? "#000000" : COLORS.edge,
    weight: highlighted ? 4.5 : 0.8,
    className: "area" + (area.low ? " area-low" : ""),
  };
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

/** Create the map in #map, with the basemap when there is one, its controls in the page's
    language. */
export function createMap(tiles) {
  map = L.map("map", { zoomSnap: 0.25, zoomControl: false, attributionControl: false });
  L.control
    .zoom({ zoomInTitle: strings["leaflet.zoom_in"], zoomOutTitle: strings["leaflet.zoom_out"] })
    .addTo(map);
  const library = el("a", null, "Leaflet");
  library.href = "https://leafletjs.com";
  library.title = strings["leaflet.library"];
  L.control.attribution({ prefix: library.outerHTML }).addTo(map);
  map.getContainer().style.background = COLORS.sea;
  if (tiles) {
    L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 18 }).addTo(map);
  }
  for (const [name, z] of [["provinceLines", 450], ["outlines", 460], ["labels", 640]]) {
    map.createPane(name).style.zIndex = z;
    map.getPane(name).style.pointerEvents = "none";
  }
  onHighlight(highlightArea);
  onSelect((kode, _previous, how) => {
    const layer = layers[kode];
    if (!layer) {
      return;
    }
    if (how.zoom) {
      map.fitBounds(layer.getBounds(), { maxZoom: 9 });
    }
    drawLabels();
    if (layer.getTooltip() && how.from !== "map") {
      layer.openTooltip(layer.getCenter()); // keyboard and search users read it too
    }
  });
  map.on("zoomend", () => {
    drawMarkers();
    drawLabels();
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

/** Draw a view's areas from their shapes and fit the map to them; `onClick(kode)` on a click.
    `padding` keeps the areas clear of the legend: [right, bottom] pixels. */
export function drawAreas(view, shapes, onClick, padding = [0, 0]) {
  for (const layer of [areaLayer, outlineLayer]) {
    if (layer) {
      map.removeLayer(layer);
    }
  }
  layers = {};
  shapesByKode = {};
  areaLayer = L.featureGroup();
  outlineLayer = L.featureGroup();
  const shown = shapes[view.layer].filter((shape) => view.areas[shape.kode]);
  for (const shape of shown) {
    const kode = shape.kode;
    const layer = L.polygon(shape.latlngs, style(view.areas[kode], false));
    layer.bindTooltip(() => areaInfo(kode), { sticky: true });
    layer.on("mouseover", () => highlight(kode, true));
    layer.on("mouseout", () => highlight(kode, false));
    layer.on("click", () => onClick(kode));
    layer.addTo(areaLayer);
    layers[kode] = layer;
    shapesByKode[kode] = shape;
    if (view.areas[kode].low) {
      // The bold outline: a light halo under a dark line, so it shows on every fill.
      const line = { fill: false, interactive: false, pane: "outlines" };
      L.polygon(shape.latlngs, { ...line, color: COLORS.halo, weight: 5, opacity: 0.9 }).addTo(
        outlineLayer,
      );
      L.polygon(shape.latlngs, {
        ...line,
        color: COLORS.outline,
        weight: 2.2,
        className: "outline",
      }).addTo(outlineLayer);
    }
  }
  const bounds = areaLayer.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { paddingTopLeft: [8, 8], paddingBottomRight: [8 + padding[0], 8 + padding[1]] });
  }
  areaLayer.addTo(map);
  outlineLayer.addTo(map);
  for (const [kode, layer] of Object.entries(layers)) {
    layer.getElement().setAttribute("data-kode", kode);
  }
  drawMarkers();
  drawLabels();
}

/** Bring into view the areas whose codes start with `prefix` (a regency's districts). */
export function zoomToCodes(prefix) {
  const bounds = L.latLngBounds([]);
  for (const [kode, layer] of Object.entries(layers)) {
    if (kode.startsWith(prefix)) {
      bounds.extend(layer.getBounds());
    }
  }
  if (bounds.isValid()) {
    map.fitBounds(bounds, { maxZoom: 11 });
  }
}

/** Marker positions pushed apart until no two overlap: [x, y] layer points. */
function spread(points) {
  const moved = points.map((p) => [p.x, p.y]);
  for (let round = 0; round < PUSHES; round++) {
    let overlaps = false;
    for (let i = 0; i < moved.length; i++) {
      for (let j = i + 1; j < moved.length; j++) {
        let dx = moved[j][0] - moved[i][0];
        let dy = moved[j][1] - moved[i][1];
        let distance = Math.hypot(dx, dy);
        if (distance >= MARKER + 1) {
          continue;
        }
        overlaps = true;
        if (distance < 0.01) {
          [dx, dy, distance] = [Math.cos(j), Math.sin(j), 1]; // same spot: a fixed direction
        }
        const push = (MARKER + 1 - distance) / 2;
        moved[i][0] -= (dx / distance) * push;
        moved[i][1] -= (dy / distance) * push;
        moved[j][0] += (dx / distance) * push;
        moved[j][1] += (dy / distance) * push;
      }
    }
    if (!overlaps) {
      break;
    }
  }
  return moved;
}

let markerSpots = {}; // kode -> latlng of its (possibly moved) marker

function drawMarkers() {
  const view = currentView();
  if (markerLayer) {
    map.removeLayer(markerLayer);
  }
  markerLayer = L.layerGroup();
  markerSpots = {};
  if (!view) {
    return;
  }
  const anchors = view.priorities.map((p) => L.latLng(p.latlng));
  const spots = spread(anchors.map((latlng) => map.latLngToLayerPoint(latlng)));
  view.priorities.forEach((priority, i) => {
    const spot = map.layerPointToLatLng(L.point(spots[i][0], spots[i][1]));
    markerSpots[priority.kode] = spot;
    if (map.latLngToLayerPoint(anchors[i]).distanceTo(L.point(spots[i])) > 3) {
      // A leader line from the area to its moved marker.
      L.polyline([anchors[i], spot], {
        color: "#111111",
        weight: 1.2,
        interactive: false,
        pane: "markerPane",
        className: "leader",
      }).addTo(markerLayer);
    }
    const html = el("span", null, priority.rank);
    html.setAttribute("aria-hidden", "true");
    const icon = L.divIcon({ className: "priority-marker", html, iconSize: [MARKER, MARKER] });
    L.marker(spot, { icon, interactive: false, keyboard: false }).addTo(markerLayer);
  });
  markerLayer.addTo(map);
}

const measure = document.createElement("canvas").getContext("2d");

/** A label's box [x0, y0, x1, y1] in map pixels when put at `spot` in a direction. */
function labelBox(spot, text, direction, gap) {
  measure.font = "600 11px system-ui, sans-serif";
  const width = measure.measureText(text).width + 12;
  const height = 18;
  const { x, y } = spot;
  if (direction === "right") {
    return [x + gap, y - height / 2, x + gap + width, y + height / 2];
  }
  if (direction === "left") {
    return [x - gap - width, y - height / 2, x - gap, y + height / 2];
  }
  if (direction === "top") {
    return [x - width / 2, y - gap - height, x + width / 2, y - gap];
  }
  return [x - width / 2, y + gap, x + width / 2, y + gap + height];
}

function overlaps(a, b) {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/** Names on the top-ranked areas (beside their markers, wherever they stay on the map and
    cover no other marker or name; otherwise left out until zoomed in) and always on the
    selected area. */
function drawLabels() {
  const view = currentView();
  if (labelLayer) {
    map.removeLayer(labelLayer);
  }
  labelLayer = L.layerGroup();
  if (!view) {
    return;
  }
  const half = MARKER / 2 + 1;
  const size = map.getSize();
  const frame = [0, 0, size.x, size.y];
  const within = (b) => b[0] >= frame[0] && b[1] >= frame[1] && b[2] <= frame[2] && b[3] <= frame[3];
  const taken = Object.values(markerSpots).map((latlng) => {
    const p = map.latLngToContainerPoint(latlng);
    return [p.x - half, p.y - half, p.x + half, p.y + half];
  });
  const chosen = selectedKode() && view.areas[selectedKode()] ? [selectedKode()] : [];
  for (const kode of [...chosen, ...view.labels.filter((k) => k !== selectedKode())]) {
    const layer = layers[kode];
    if (!layer) {
      continue;
    }
    const latlng = markerSpots[kode] || layer.getCenter();
    const spot = map.latLngToContainerPoint(latlng);
    const gap = markerSpots[kode] ? half + 2 : 0;
    const text = view.areas[kode].label;
    const direction = ["right", "left", "top", "bottom"].find((way) => {
      const box = labelBox(spot, text, way, gap);
      return within(box) && !taken.some((other) => overlaps(box, other));
    });
    const selected = kode === selectedKode();
    if (!direction && !selected) {
      continue;
    }
    const way = direction || "right";
    const box = labelBox(spot, text, way, gap);
    taken.push(box);
    const [width, height] = [box[2] - box[0], box[3] - box[1]];
    const html = el("span", null, text);
    const icon = L.divIcon({
      className: "area-label" + (selected ? " selected" : ""),
      html,
      iconSize: [width, height],
      iconAnchor: [spot.x - box[0], spot.y - box[1]],
    });
    const label = L.marker(latlng, { icon, interactive: false, keyboard: false, pane: "labels" });
    labelLayer.addLayer(label);
    label.on("add", () => label.getElement().setAttribute("aria-hidden", "true"));
  }
  labelLayer.addTo(map);
}
