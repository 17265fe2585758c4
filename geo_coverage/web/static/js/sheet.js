/* The bottom sheet: on narrow screens a tapped or chosen area's figures slide up from the
   bottom, over everything else, until closed. */

import { areaInfo } from "./info.js";
import { foldLegend } from "./legend.js";
import { narrow, onSelect, onWidthChange } from "./state.js";

const sheet = document.getElementById("sheet");

/** Close the sheet. */
export function closeSheet() {
  if (sheet) {
    sheet.hidden = true;
  }
}

/** Open the sheet with an area's figures. */
export function openSheet(kode) {
  if (!sheet) {
    return;
  }
  const body = document.getElementById("sheet-body");
  body.textContent = "";
  body.appendChild(areaInfo(kode, { links: true }));
  foldLegend();
  sheet.hidden = false;
}

/** Show a selected area in the sheet while the screen is narrow. */
export function initSheet() {
  if (!sheet) {
    return;
  }
  document.getElementById("sheet-close").addEventListener("click", closeSheet);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeSheet();
    }
  });
  onSelect((kode) => {
    if (narrow()) {
      openSheet(kode);
    }
  });
  onWidthChange(() => {
    if (!narrow()) {
      closeSheet();
    }
  });
}
