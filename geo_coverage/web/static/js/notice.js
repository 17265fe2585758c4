/* The banner at the top of the map pages: how many of the areas shown are modelled, linked to
   the sources page (of the province shown); hidden when every figure shown is published. */

import { config } from "./state.js";

/** Show a view's banner, or hide it. */
export function drawBanner(view) {
  const banner = document.getElementById("banner");
  if (!banner) {
    return;
  }
  banner.hidden = !view.banner;
  document.body.classList.toggle("has-banner", !!view.banner);
  document.getElementById("banner-text").textContent = view.banner || "";
  const query = view.sources_query;
  document.getElementById("banner-link").href = config.paths.sources + (query ? `?${query}` : "");
}
