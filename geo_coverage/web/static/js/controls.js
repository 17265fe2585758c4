/* The browse panel's controls and links: the form that changes the view (a select applies
   when a choice is made: a click in its list, or Enter or leaving it after the arrow keys),
   the back link, the language switch, downloads, the embed code, and the browser history
   (every view has its own URL and one history entry, so Back, Forward and a shared link all
   reproduce it). */

import { el } from "./dom.js";
import { config, currentView, strings } from "./state.js";

// Keys that move a closed select's choice in Chromium without opening its list.
const MOVING_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End",
  "PageUp", "PageDown"]);

/** The code that embeds the view on screen: a frame that fills its container's width at 16:9
    (never taller than its container), and a few lines that let the frame set its own height. */
export function embedCode(view) {
  const frame = document.createElement("iframe");
  frame.setAttribute("src", `${location.origin}${config.paths.embed}?${view.queries.self}`);
  frame.setAttribute("title", view.title);
  frame.setAttribute(
    "style",
    "display:block;width:100%;aspect-ratio:16/9;max-height:100%;border:0",
  );
  frame.setAttribute("loading", "lazy");
  frame.setAttribute("data-geo-coverage", "");
  const script =
    "<script>addEventListener('message',function(e){var m=e.data&&e.data['geo-coverage-embed'];" +
    "if(!m)return;document.querySelectorAll('iframe[data-geo-coverage]').forEach(function(f){" +
    "if(f.contentWindow===e.source){f.style.aspectRatio='auto';f.style.height=m.height+'px';}" +
    "});});</" +
    "script>";
  return frame.outerHTML + "\n" + script;
}

/** The form's query, made consistent: a metric about one segment takes no segment, only a
    comparison takes a baseline (before the period), a threshold means its outline. */
function formQuery(form) {
  const query = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (value !== "") {
      query.set(name, value.trim());
    }
  }
  const metric = query.get("metric");
  if (config.metric_segments[metric]) {
    query.delete("segment");
  }
  if (metric !== "change" || (query.get("base") || "") >= (query.get("period") || "")) {
    query.delete("base");
  }
  if (query.get("outline") === "threshold") {
    query.delete("outline"); // the threshold says it
    if (!query.get("threshold")) {
      return null; // wait for a number
    }
  } else {
    query.delete("threshold");
  }
  return query.toString();
}

/** Enable the fields that apply to the form's choices. */
function syncFields(form) {
  const metric = form.elements.metric.value;
  form.elements.segment.disabled = !!config.metric_segments[metric];
  form.elements.base.disabled = metric !== "change";
  const period = form.elements.period.value;
  for (const option of form.elements.base.options) {
    option.disabled = option.value !== "" && option.value >= period;
  }
  form.elements.threshold.disabled = form.elements.outline.value !== "threshold";
}

/** Wire the controls to `navigate(query, push)`, and the history to the views on screen. */
export function initControls(navigate) {
  history.replaceState(null, "", `${config.paths.page}?${currentView().queries.self}`);
  window.addEventListener("popstate", () => {
    const query = location.search.replace(/^\?/, "");
    if (query !== currentView().queries.self) {
      navigate(query, false); // not for a jump within the page (a skip link's #map)
    }
  });
  const form = document.getElementById("controls");
  let keyed = false; // the last change came from keys that only move the choice
  let pending = false; // a select's choice not yet applied

  function apply() {
    pending = false;
    const query = formQuery(form);
    if (query !== null) {
      navigate(query, true);
    }
  }

  form.addEventListener("keydown", (event) => {
    if (event.target.tagName !== "SELECT") {
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault();
      apply();
    } else {
      keyed = (MOVING_KEYS.has(event.key) && !event.altKey) || event.key.length === 1;
    }
  });
  form.addEventListener("pointerdown", () => {
    keyed = false;
  });
  form.addEventListener("change", (event) => {
    const field = event.target;
    if (field.name === "province" && field.value && form.elements.level.value === "province") {
      form.elements.level.value = "regency"; // a province shows its regencies (or districts)
    } else if (field.name === "level" && field.value === "province") {
      form.elements.province.value = ""; // provinces are not drilled into
    }
    syncFields(form);
    if (field.name === "outline" && field.value === "threshold" && !form.elements.threshold.value) {
      form.elements.threshold.focus(); // a threshold is needed first
      return;
    }
    if (field.tagName === "SELECT" && keyed) {
      keyed = false;
      pending = true; // applied on Enter or when the select is left
      return;
    }
    if (field.name === "threshold" && !field.checkValidity()) {
      return;
    }
    apply();
  });
  form.addEventListener("focusout", (event) => {
    if (pending && event.target.tagName === "SELECT") {
      apply();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  document.getElementById("back-to-region").addEventListener("click", (event) => {
    event.preventDefault();
    navigate(currentView().queries.region, true);
  });
  const copy = document.getElementById("copy-embed");
  const copyStatus = document.getElementById("copy-status");
  copy.addEventListener("click", () => {
    const code = document.getElementById("embed-code");
    code.value = embedCode(currentView());
    code.focus();
    code.select();
    const byHand = () => {
      copyStatus.textContent = strings.copy_hint; // the code stays selected to copy by hand
    };
    if (!navigator.clipboard || !window.isSecureContext) {
      byHand(); // plain HTTP on an intranet host: no clipboard API
      return;
    }
    navigator.clipboard.writeText(code.value).then(() => {
      copyStatus.textContent = strings.copied;
      copy.textContent = strings.copied;
    }, byHand);
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

function syncSegments(form, view) {
  for (const option of form.elements.segment.options) {
    const why = view.unavailable[option.value];
    option.disabled = !!why;
    const name = option.dataset.name || option.textContent.replace(/ \(.*\)$/, "");
    option.dataset.name = name;
    option.textContent = why ? `${name} (${why})` : name;
  }
  document.getElementById("segment-hint").textContent = view.segment_hint || "";
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
  syncSegments(form, view);
  syncFields(form);
  document.getElementById("lang-switch").href = `?${view.queries.lang}`;
  for (const format of ["png", "svg", "pdf", "html"]) {
    document.getElementById(`download-${format}`).href = `${config.paths[format]}?${view.queries.self}`;
  }
  const back = document.getElementById("back-to-region");
  back.href = `?${view.queries.region}`;
  back.hidden = !view.province;
  document.getElementById("drill-hint").hidden = !!view.province;
  document.getElementById("district-hint").hidden = !(view.province && view.level === "regency");
  document.getElementById("embed-code").value = embedCode(view);
  syncDownloads(view.downloads);
  document.title = view.title;
  document.getElementById("map").setAttribute(
    "aria-label",
    strings.map_label.replace("{title}", view.title),
  );
  document.getElementById("view-title").textContent = view.title;
  document.getElementById("source-line").textContent = view.source;
  const figuresNote = document.getElementById("figures-note");
  figuresNote.textContent = view.figures_note || "";
  figuresNote.hidden = !view.figures_note;
}
