/* The browse panel's controls and links: the form that changes the view, the back link, the
   language switch, downloads, the embed code, and the browser history (every view has its
   own URL, so Back, Forward and a shared link all reproduce it). */

import { el } from "./dom.js";
import { config, currentView, strings } from "./state.js";

/** The iframe code that embeds the view on screen. */
function embedCode(view) {
  const frame = document.createElement("iframe");
  frame.setAttribute("src", `${location.origin}${config.paths.embed}?${view.queries.self}`);
  frame.setAttribute("title", view.title);
  frame.setAttribute("width", "800");
  frame.setAttribute("height", "600");
  frame.setAttribute("style", "border:0");
  frame.setAttribute("loading", "lazy");
  return frame.outerHTML;
}

function formQuery(form) {
  return new URLSearchParams(new FormData(form));
}

/** Wire the controls to `navigate(query, push)`, and the history to the views on screen. */
export function initControls(navigate) {
  history.replaceState(null, "", `${config.paths.page}?${currentView().queries.self}`);
  window.addEventListener("popstate", () => navigate(location.search.replace(/^\?/, ""), false));
  const form = document.getElementById("controls");
  form.addEventListener("change", () => {
    const query = formQuery(form);
    if (form.elements.level.value === "province") {
      query.delete("province"); // provinces are not drilled into
    }
    navigate(query.toString(), true);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(formQuery(form).toString(), true);
  });
  document.getElementById("back-to-region").addEventListener("click", (event) => {
    event.preventDefault();
    navigate(currentView().queries.region, true);
  });
  const copy = document.getElementById("copy-embed");
  copy.addEventListener("click", () => {
    const code = document.getElementById("embed-code");
    code.value = embedCode(currentView());
    code.select();
    navigator.clipboard?.writeText(code.value).then(
      () => {
        copy.textContent = strings.copied;
      },
      () => {}, // not allowed here: the code stays selected to copy by hand
    );
  });
}

function syncDownloads(downloads) {
  const list = document.getElementById("download-links");
  list.textContent = "";
  for (const link of downloads) {
    const anchor = el("a", null, link.label);
    anchor.href = link.url;
    anchor.setAttribute("download", "");
    const item = el("li");
    item.appendChild(anchor);
    list.appendChild(item);
  }
}

/** Make the controls, links, title and notes show a view. */
export function syncControls(view) {
  const form = document.getElementById("controls");
  for (const [name, value] of Object.entries(view.state)) {
    const field = form.elements[name];
    if (field) {
      field.value = value === null ? "" : String(value);
    }
  }
  document.getElementById("lang-switch").href = `?${view.queries.lang}`;
  document.getElementById("download-png").href = `${config.paths.png}?${view.queries.self}`;
  const back = document.getElementById("back-to-region");
  back.href = `?${view.queries.region}`;
  back.hidden = !view.province;
  document.getElementById("drill-hint").hidden = !!view.province;
  document.getElementById("embed-code").value = embedCode(view);
  syncDownloads(view.downloads);
  document.title = view.title;
  document.getElementById("view-title").textContent = view.title;
  document.getElementById("source-line").textContent = view.source;
  document.getElementById("illustrative-note").hidden = !view.illustrative;
}
