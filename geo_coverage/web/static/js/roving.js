/* A table body as one Tab stop: the arrow keys, Home and End move between its rows, Enter or
   Space acts on the row (the ARIA "roving tabindex" pattern). */

const MOVES = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };

/** Make `body`'s rows one Tab stop; `act(row)` on Enter or Space. Call again after a refill. */
export function roving(body, act) {
  const rows = () => Array.from(body.rows);
  const list = rows();
  list.forEach((row, i) => {
    row.tabIndex = i === 0 ? 0 : -1;
  });
  if (body.dataset.roving) {
    return;
  }
  body.dataset.roving = "1";
  body.addEventListener("keydown", (event) => {
    const all = rows();
    const row = event.target.closest("tr");
    const at = all.indexOf(row);
    if (at < 0) {
      return;
    }
    let next = null;
    if (event.key in MOVES) {
      next = Math.max(0, Math.min(all.length - 1, at + MOVES[event.key]));
    } else if (event.key === "Home") {
      next = 0;
    } else if (event.key === "End") {
      next = all.length - 1;
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      act(row);
      return;
    } else {
      return;
    }
    event.preventDefault();
    focusRow(body, all[next]);
  });
  body.addEventListener("focusin", (event) => {
    const row = event.target.closest("tr");
    if (row && row.tabIndex !== 0) {
      focusRow(body, row, false);
    }
  });
}

/** Make `row` the body's Tab stop (and focus it unless told not to). */
export function focusRow(body, row, focus = true) {
  for (const other of body.rows) {
    other.tabIndex = other === row ? 0 : -1;
  }
  if (focus) {
    row.focus();
  }
}
