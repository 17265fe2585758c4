/* The page's shared state: its configuration, the view on screen and the selected area.
   The map, the tables and the sheet subscribe here to highlights and selections, so that none
   of them has to import another. */

export const config = JSON.parse(document.getElementById("map-config").textContent);
export const strings = config.strings;
export const browsing = config.mode === "browse";

// Below this width the legend folds into a button and an area's figures open in a bottom sheet.
const NARROW = window.matchMedia("(max-width: 799px)");

let view = null;
let selected = null; // kode clicked on the map (inside a province), in a table or found
const highlightListeners = []; // (kode, on) => void
const selectListeners = []; // (kode, previous, how) => void

/** Whether the screen is narrow (phones, small tablets). */
export function narrow() {
  return NARROW.matches;
}

/** Call `listener()` when the screen turns narrow or wide. */
export function onWidthChange(listener) {
  NARROW.addEventListener("change", listener);
}

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

/** Call `listener(kode, previous, how)` whenever an area is selected. */
export function onSelect(listener) {
  selectListeners.push(listener);
}

/** Highlight an area (pointer over it on the map or in a list), or stop highlighting it. */
export function highlight(kode, on) {
  highlightListeners.forEach((listener) => listener(kode, on));
}

/** Select an area, un-highlighting the one selected before. `how` says where it was chosen:
    {zoom: bring it into view, from: "map" | "table" | "search"}. */
export function select(kode, how = {}) {
  const previous = selected;
  selected = kode;
  if (previous && previous !== kode) {
    highlight(previous, false);
  }
  highlight(kode, true);
  selectListeners.forEach((listener) => listener(kode, previous, how));
}
