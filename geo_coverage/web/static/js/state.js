/* The page's shared state: its configuration, the view on screen and the selected area.
   The map and the priority table subscribe here to highlights and selections, so that neither
   has to import the other. */

export const config = JSON.parse(document.getElementById("map-config").textContent);
export const strings = config.strings;
export const browsing = config.mode === "browse";

let view = null;
let selected = null; // kode clicked in the table or (inside a province) on the map
const highlightListeners = []; // (kode, on) => void
const selectListeners = []; // (kode, previous, zoom) => void

/** The view on screen (the per-view JSON). */
export function currentView() {
  return view;
}

/** The selected area's code, or null. */
export function selectedKode() {
  return selected;
}

/** Put a new view on screen; nothing is selected in it yet. */
export function showView(next) {
  view = next;
  selected = null;
}

/** Call `listener(kode, on)` whenever an area is highlighted or no longer highlighted. */
export function onHighlight(listener) {
  highlightListeners.push(listener);
}

/** Call `listener(kode, previous, zoom)` whenever an area is selected. */
export function onSelect(listener) {
  selectListeners.push(listener);
}

/** Highlight an area (pointer over it on the map or in a list), or stop highlighting it. */
export function highlight(kode, on) {
  highlightListeners.forEach((listener) => listener(kode, on));
}

/** Select an area, un-highlighting the one selected before; `zoom` to bring it into view. */
export function select(kode, zoom) {
  const previous = selected;
  selected = kode;
  if (previous && previous !== kode) {
    highlight(previous, false);
  }
  highlight(kode, true);
  selectListeners.forEach((listener) => listener(kode, previous, zoom));
}
