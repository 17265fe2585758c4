/* The place search: a combobox over every province and regency name. It matches names with or
   without the kind of area before them (config.name_prefixes, full or abbreviated), ignores
   case and accents, ranks whole-name matches first, and is driven by the arrow keys, Enter and
   Escape (the ARIA combobox pattern). */

import { el } from "./dom.js";
import { config, strings } from "./state.js";

const MAX_RESULTS = 8;
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const PREFIXES = new RegExp(
  `^(${config.name_prefixes.map((p) => escape(p.toLowerCase())).join("|")})\\s+`,
);

/** Lower case, no accents, single spaces. */
function fold(text) {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

const places = config.places.map((place) => {
  const full = fold(place.name);
  return { ...place, full, bare: full.replace(PREFIXES, "") };
});

/** The places matching a query, best first. */
export function findPlaces(query) {
  const full = fold(query);
  if (!full) {
    return [];
  }
  const bare = full.replace(PREFIXES, "");
  const kind = full === bare ? null : full.slice(0, full.length - bare.length).trim();
  const scored = [];
  for (const place of places) {
    let score = null;
    if (place.full === full) {
      score = 0;
    } else if (place.bare === bare) {
      score = 1;
    } else if (place.bare.startsWith(bare) || place.full.startsWith(full)) {
      score = 2;
    } else if ((" " + place.bare).includes(" " + bare)) {
      score = 3;
    } else if (place.bare.includes(bare)) {
      score = 4;
    }
    if (score === null) {
      continue;
    }
    if (kind && !place.full.startsWith(kind.replace(/\.$/, "").slice(0, 3))) {
      score += 5; // "Kota Ternate" prefers the city to a regency of the same name
    }
    scored.push([score, place]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name));
  return scored.slice(0, MAX_RESULTS).map(([, place]) => place);
}

function optionText(place) {
  return place.level === "province"
    ? `${place.name} — ${strings.province}`
    : `${place.name} — ${place.province_name}`;
}

/** Wire the search box: `go(place)` when a place is chosen. */
export function initSearch(go) {
  const input = document.getElementById("search-input");
  const list = document.getElementById("search-results");
  const status = document.getElementById("search-status");
  if (!input) {
    return;
  }
  let found = [];
  let active = -1;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function mark(index) {
    active = index;
    Array.from(list.children).forEach((item, i) => {
      item.setAttribute("aria-selected", String(i === index));
    });
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    const place = found[index];
    if (!place) {
      return;
    }
    input.value = place.name;
    close();
    go(place);
  }

  function show() {
    found = findPlaces(input.value);
    list.textContent = "";
    found.forEach((place, i) => {
      const item = el("li", null, optionText(place));
      item.id = `place-${i}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.kode = place.kode;
      item.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus
      item.addEventListener("click", () => choose(i));
      list.appendChild(item);
    });
    const open = found.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    status.textContent = input.value.trim()
      ? open
        ? strings["search.results"].replace("{count}", found.length)
        : strings["search.none"]
      : "";
    mark(-1);
  }

  input.addEventListener("input", show);
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) {
        show();
      }
      const step = event.key === "ArrowDown" ? 1 : -1;
      mark(found.length ? (active + step + found.length) % found.length : -1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      choose(active >= 0 ? active : 0);
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.stopPropagation();
        close();
      } else {
        input.value = "";
      }
    }
  });
  input.addEventListener("blur", close);
}
