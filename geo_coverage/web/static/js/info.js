/* An area's figures, as the tooltip (wide screens) and the bottom sheet (narrow) show them:
   the view's figures (a modelled coverage with its likely range), the figures published for
   the area around the period, and what the figures are (modelled, differing, no data). */

import { el } from "./dom.js";
import { config, currentView, strings } from "./state.js";

/** The sources page of one area, in the view's language. */
function sourcesUrl(view, kode) {
  const query = new URLSearchParams({ kode });
  if (view.lang !== "id") {
    query.set("lang", view.lang);
  }
  return `${config.paths.sources}?${query}`;
}

/** The published figures of an area around the period: date, metric, value, qualifier and
    source, nearest first; `links` adds a link to all of them (the sheet, where it can be
    followed). */
function publishedFigures(view, kode, links) {
  const evidence = view.areas[kode].evidence;
  const part = el("div", "tip-figures");
  if (evidence.figures.length) {
    part.appendChild(el("div", "tip-heading", strings["figure.heading"]));
    const list = el("ul");
    for (const figure of evidence.figures) {
      const flags = figure.conflicting
        ? `${figure.qualifier}, ${strings["figure.conflicting"]}`
        : figure.qualifier;
      const item = el("li", figure.conflicting ? "conflicting" : null);
      item.append(
        el("span", "tip-when", `${figure.period} · `),
        `${figure.metric}: `,
        el("strong", null, figure.value),
        ` (${flags}) — ${figure.source}`,
      );
      list.appendChild(item);
    }
    part.appendChild(list);
  }
  if (evidence.more) {
    const more = strings["figure.more"].replace("{count}", evidence.more);
    if (links) {
      const link = el("a", "tip-more", more);
      link.href = sourcesUrl(view, kode);
      part.appendChild(link);
    } else {
      part.appendChild(el("div", "tip-more", more));
    }
  }
  return part.children.length ? part : null;
}

/** A box with an area's name, period, figures, the published figures around the period and
    its notes (source, why no data, how the shown figure compares with the published ones). */
export function areaInfo(kode, { links = false } = {}) {
  const view = currentView();
  const area = view.areas[kode];
  const box = el("div", "tip");
  box.appendChild(el("strong", null, area.name));
  box.appendChild(el("div", "tip-period", view.period));
  if (area.figures_of) {
    box.appendChild(el("div", "tip-note tip-figures-of", area.figures_of));
  }
  const table = el("table");
  const rows = view.fields.map((label, i) => [label, area.values[i]]);
  if (view.base) {
    // A comparison: the coverage now and at the baseline, each named by its period.
    rows.splice(0, 1, [view.table.columns[1], area.table[1][0]]);
    rows.splice(1, 0, [view.table.columns[2], area.table[2][0]]);
  }
  for (const [label, value] of rows) {
    const tr = el("tr");
    tr.appendChild(el("th", null, label));
    tr.appendChild(el("td", null, value));
    table.appendChild(tr);
  }
  box.appendChild(table);
  if (!area.fill && view.legend.nodata_reason) {
    box.appendChild(el("div", "tip-note", view.legend.nodata_reason));
  }
  if (area.source_note) {
    box.appendChild(el("div", "tip-note", area.source_note));
  }
  if (area.evidence.note) {
    box.appendChild(el("div", "tip-note tip-differs", area.evidence.note));
  }
  const published = publishedFigures(view, kode, links);
  if (published) {
    box.appendChild(published);
  }
  return box;
}

/** One line for screen readers: the area's name and the mapped figure. */
export function areaSummary(kode) {
  const view = currentView();
  const area = view.areas[kode];
  return `${area.name}: ${view.table.columns[0]} ${area.table[0][0]}`;
}
