/* Small DOM helpers: elements whose text is always set as text (stored names can hold markup),
   and the status line over the map. */

/** A new element with an optional class and text content. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  return node;
}

/** Show a message in the status line over the map, or hide it when there is none. */
export function status(message) {
  const node = document.getElementById("status");
  node.textContent = message || "";
  node.hidden = !message;
}
