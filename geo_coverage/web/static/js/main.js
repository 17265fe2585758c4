/* geo_coverage map pages (browse and embed): decode the region's overview geometry (and a
   province's detail when a view drills down into it) once, draw the view inlined in the page,
   then (browse) redraw each view the controls, the map or the history ask for, from the JSON
   API.

   Loading: the page's import map sends each module's plain URL (what "./state.js" resolves
   to) to its content-hashed one (?v=), so these modules import each other by relative paths
   while every file stays cacheable for a year: changing one module changes only its own hash,
   hence the page's import map, and the unchanged modules stay cached. */

import { loadView, shapesOf } from "./data.js";
import { status } from "./dom.js";
import { createMap, drawAreas, drawProvinceLines } from "./draw.js";
import { addLegend, drawLegend } from "./legend.js";
import { initControls, syncControls } from "./controls.js";
import { browsing, config, currentView, select, showView, strings } from "./state.js";
import { drawTable, initTable } from "./table.js";

const geometry = shapesOf(config.data); // a drill-down's first paint needs only its province
let provinceLines = false;

function render(view, shapes) {
  if (shapes.provinces && !provinceLines) {
    drawProvinceLines(shapes.provinces); // from the overview, the first time it is drawn
    provinceLines = true;
  }
  showView(view);
  drawAreas(view, shapes, onAreaClick);
  drawLegend(view.legend);
  if (browsing) {
    drawTable(view);
    syncControls(view);
  }
}

/** Show the view of a query string; `push` to give it a new history entry. */
function navigate(query, push) {
  status(null);
  return loadView(query, (view, shapes) => {
    render(view, shapes);
    if (push) {
      history.pushState(null, "", `${config.paths.page}?${view.queries.self}`);
    }
  }).catch((error) => status(error.message || strings.load_failed));
}

/** Region-wide, a click opens the area's province; inside a province it selects the area. */
function onAreaClick(kode) {
  if (!browsing) {
    return;
  }
  const view = currentView();
  if (view.province) {
    select(kode, false);
  } else {
    const province = view.level === "province" ? kode : view.areas[kode].province;
    navigate(view.queries.provinces[province], true);
  }
}

function painted() {
  requestAnimationFrame(() => {
    performance.mark("choropleth-painted");
    document.documentElement.setAttribute("data-painted", "1");
  });
}

const map = createMap(config.tiles);
addLegend(map);
geometry
  .then((shapes) => {
    render(config.data, shapes);
    status(null);
    painted();
    // Controls act only once the first view is drawn: until then the form is a plain form.
    if (browsing) {
      initTable();
      initControls(navigate);
    }
  })
  .catch((error) => {
    status(strings.load_failed);
    console.error(error);
  });
