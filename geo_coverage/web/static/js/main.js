/* geo_coverage map pages (browse and embed): decode the region's overview geometry (and a
   province's detail when a view drills down into it) once, draw the view inlined in the page,
   then (browse) redraw each view the controls, the search, the map or the history ask for,
   from the JSON API.

   Loading: the page's import map sends each module's plain URL (what "./state.js" resolves
   to) to its content-hashed one (?v=), so these modules import each other by relative paths
   while every file stays cacheable for a year: changing one module changes only its own hash,
   hence the page's import map, and the unchanged modules stay cached. */

import { initControls, syncControls } from "./controls.js";
import { loadView, shapesOf } from "./data.js";
import { drawDataTable, initDataTable, resetOrder } from "./datatable.js";
import { status } from "./dom.js";
import { createMap, drawAreas, drawProvinceLines, zoomToCodes } from "./draw.js";
import { initEmbedHeight } from "./embed.js";
import { areaSummary } from "./info.js";
import { addLegend, drawLegend, legendRoom } from "./legend.js";
import { drawBanner } from "./notice.js";
import { initSearch } from "./search.js";
import { closeSheet, initSheet } from "./sheet.js";
import {
  browsing,
  config,
  currentView,
  narrow,
  onSelect,
  onWidthChange,
  select,
  selectedKode,
  showView,
  strings,
} from "./state.js";
import { drawTable, initTable } from "./table.js";

const geometry = shapesOf(config.data); // a drill-down's first paint needs only its province
let provinceLines = false;

/** Tooltips follow the pointer, except on a narrow browse page, where the sheet shows an
    area's figures instead (the stylesheet hides tooltips in this mode). */
function useSheet() {
  document.body.classList.toggle("sheet-mode", browsing && narrow());
}

function render(view, shapes) {
  if (shapes.provinces && !provinceLines) {
    drawProvinceLines(shapes.provinces); // from the overview, the first time it is drawn
    provinceLines = true;
  }
  const kind = currentView() && `${currentView().state.metric}|${currentView().level}`;
  showView(view);
  closeSheet();
  drawBanner(view);
  drawLegend(view.legend);
  drawAreas(view, shapes, onAreaClick, legendRoom());
  if (browsing) {
    if (kind !== `${view.state.metric}|${view.level}`) {
      resetOrder();
    }
    drawTable(view);
    drawDataTable(view);
    syncControls(view);
  }
}

/** Show the view of a query string; `push` to give it a new history entry. */
function navigate(query, push) {
  status(null);
  return loadView(query, (view, shapes) => {
    render(view, shapes);
    const url = `${config.paths.page}?${view.queries.self}`;
    if (push && url !== location.pathname + location.search) {
      history.pushState(null, "", url);
    }
  }).catch((error) => status(error.message || strings.load_failed));
}

/** Region-wide, a click opens the area's province; inside a province it selects the area, and
    a click on the regency already selected opens its districts. */
function onAreaClick(kode, from = "map") {
  if (!browsing) {
    return;
  }
  const view = currentView();
  const again = from === "map" && selectedKode() === kode;
  if (view.province && view.level === "regency" && again) {
    navigate(view.queries.districts, true).then(() => zoomToCodes(`${kode}.`));
  } else if (view.province || (from !== "map" && view.level !== "province")) {
    select(kode, { zoom: from !== "map", from });
  } else {
    const province = view.level === "province" ? kode : view.areas[kode].province;
    navigate(view.queries.provinces[province], true);
  }
}

/** Go to a place found by the search: a province opens, a regency is selected in its province
    (or, on the district map, its districts are brought into view). */
function goTo(place) {
  const view = currentView();
  if (place.level === "province") {
    navigate(view.queries.provinces[place.kode], true);
  } else if (view.level === "regency" && view.areas[place.kode]) {
    select(place.kode, { zoom: true, from: "search" });
  } else if (view.level === "district" && view.province === place.province) {
    zoomToCodes(`${place.kode}.`);
  } else {
    navigate(view.queries.provinces[place.province], true).then(() => {
      if (currentView().areas[place.kode]) {
        select(place.kode, { zoom: true, from: "search" });
      } else if (currentView().level === "district") {
        zoomToCodes(`${place.kode}.`);
      }
    });
  }
}

function painted() {
  requestAnimationFrame(() => {
    performance.mark("choropleth-painted");
    document.documentElement.setAttribute("data-painted", "1");
  });
}

useSheet();
const map = createMap(config.tiles);
addLegend(map);
if (!browsing) {
  initEmbedHeight();
}
geometry
  .then((shapes) => {
    render(config.data, shapes);
    status(null);
    painted();
    // Controls act only once the first view is drawn: until then the form is a plain form.
    if (browsing) {
      initTable();
      initDataTable((kode) => onAreaClick(kode, "table"));
      initSheet();
      initControls(navigate);
      initSearch(goTo);
      onSelect((kode) => {
        document.getElementById("announce").textContent = strings.selected.replace(
          "{name}",
          areaSummary(kode),
        );
      });
      onWidthChange(useSheet);
    }
  })
  .catch((error) => {
    status(strings.load_failed);
    console.error(error);
  });
