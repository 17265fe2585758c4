/* An embed tells the page that frames it the height it wants for its width: the map at 16:9
   plus the title above and the notes below it. A host page that pasted the embed code listens
   and sizes the frame; others simply ignore the message. */

const RATIO = 9 / 16;
const MIN_HEIGHT = 240;

function wanted() {
  const width = document.documentElement.clientWidth;
  let height = Math.round(width * RATIO);
  for (const part of document.querySelectorAll(".embed-head, .embed-foot")) {
    height += part.offsetHeight;
  }
  return Math.max(MIN_HEIGHT, height);
}

/** Post the wanted height to the framing page now and whenever the frame's width changes. */
export function initEmbedHeight() {
  if (window.parent === window) {
    return;
  }
  let width = null;
  const post = () => {
    const now = document.documentElement.clientWidth;
    if (now === width) {
      return; // a height change alone: the host did it
    }
    width = now;
    window.parent.postMessage({ "geo-coverage-embed": { height: wanted() } }, "*");
  };
  new ResizeObserver(post).observe(document.documentElement);
  post();
}
