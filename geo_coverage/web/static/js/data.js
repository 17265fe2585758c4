/* Loading: the display geometry once, and each view's data from the JSON API.

   Views load latest-wins: a new request aborts the one before it, and a response that still
   arrives for a superseded request is dropped, so an older view can never replace a newer one
   (a slow answer to the first of two quick changes, or to a Back then Forward). */

import { config, strings } from "./state.js";
import { decode } from "./topology.js";

/** The display geometry, decoded: {provinces: [...], regencies: [...]}. */
export async function loadGeometry() {
  const response = await fetch(config.geometry);
  if (!response.ok) {
    throw new Error(`geometry ${response.status}`);
  }
  return decode(await response.json());
}

let latest = null; // the newest view request: {query, show, controller}

/** Fetch the view of a query string and pass it to `show`, unless a newer request is made
    meanwhile; rejects with a message for the status line when the view cannot be had. Asking
    again for the view already on its way (a form's change, then its submit) waits for it. */
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
  latest = null;
  if (!response.ok || body === null) {
    throw new Error(body?.description || strings.load_failed);
  }
  request.show(body);
}
