/* Loading: the display geometry (the region's overview, and each province's detail when a view
   drills down into it), each file once, and each view's data from the JSON API. The geometry
   URLs carry the shapes' version, so the browser keeps them for a year.

   Views load latest-wins: a new request aborts the one before it, and a response that still
   arrives for a superseded request is dropped, so an older view can never replace a newer one
   (a slow answer to the first of two quick changes, or to a Back then Forward). */

import { config, strings } from "./state.js";
import { decode } from "./topology.js";

const topologies = new Map(); // URL -> promise of its decoded shapes

async function fetchTopology(url) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`geometry ${response.status}`);
  }
  return decode(await response.json());
}

function loadTopology(url) {
  if (!topologies.has(url)) {
    const loading = fetchTopology(url);
    loading.catch(() => topologies.delete(url)); // a later view asks again
    topologies.set(url, loading);
  }
  return topologies.get(url);
}

/** The region's overview, decoded: {provinces: [...], regencies: [...]}. */
function loadGeometry() {
  return loadTopology(config.geometry);
}

/** The districts of every province (their details), with the overview's province lines. */
async function loadAllDistricts() {
  const parts = await Promise.all(
    [loadGeometry(), ...Object.values(config.detail).map(loadTopology)],
  );
  return { provinces: parts[0].provinces, districts: parts.slice(1).flatMap((p) => p.districts) };
}

/** The shapes a view is drawn from: inside a province its detail ({regencies, districts}),
    region-wide districts from every province's detail, otherwise the overview. */
export function shapesOf(view) {
  if (view.province) {
    return loadTopology(config.detail[view.province]);
  }
  return view.level === "district" ? loadAllDistricts() : loadGeometry();
}

let latest = null; // the newest view request: {query, show, controller}

/** Fetch the view of a query string and its shapes and pass both to `show(view, shapes)`,
    unless a newer request is made meanwhile; rejects with a message for the status line when
    the view cannot be had. Asking again for the view already on its way (a form's change, then
    its submit) waits for it. */
export function loadView(query, show) {
  if (latest?.query === query) {
    latest.show = show;
    return latest.done;
  }
  latest?.controller.abort();
  const request = { query, show, controller: new AbortController() };
  latest = request;
  request.done = fetchView(request);
  return request.done;
}

async function fetchView(request) {
  let response;
  let body;
  try {
    response = await fetch(`${config.paths.api}?${request.query}`, {
      headers: { Accept: "application/json" },
      signal: request.controller.signal,
    });
    body = await response.json().catch(() => null);
  } catch (error) {
    if (request !== latest) {
      return; // aborted by a newer request
    }
    latest = null;
    throw error;
  }
  if (request !== latest) {
    return; // superseded while its body was read
  }
  if (!response.ok || body === null) {
    latest = null;
    throw new Error(body?.description || strings.load_failed);
  }
  let shapes;
  try {
    shapes = await shapesOf(body);
  } catch {
    if (request === latest) {
      latest = null;
      throw new Error(strings.load_failed);
    }
    return;
  }
  if (request !== latest) {
    return; // superseded while its shapes were loaded
  }
  latest = null;
  request.show(body, shapes);
}
