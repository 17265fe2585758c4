/* TopoJSON decoding: quantized, delta-encoded arcs shared between neighbours; ~i is arc i
   reversed. Leaflet wants [lat, lon]. */

function decodeArcs(topology) {
  const [scaleX, scaleY] = topology.transform.scale;
  const [moveX, moveY] = topology.transform.translate;
  return topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return [y * scaleY + moveY, x * scaleX + moveX];
    });
  });
}

function ring(arcs, indexes) {
  const points = [];
  indexes.forEach((index) => {
    const arc = index >= 0 ? arcs[index] : arcs[~index].slice().reverse();
    for (let i = points.length ? 1 : 0; i < arc.length; i++) {
      points.push(arc[i]);
    }
  });
  return points;
}

/** Each object of a topology as a list of shapes: {kode, province, latlngs}. */
export function decode(topology) {
  const arcs = decodeArcs(topology);
  const shapes = {};
  for (const [name, object] of Object.entries(topology.objects)) {
    shapes[name] = object.geometries.map((geometry) => ({
      kode: String(geometry.id),
      province: geometry.properties.prov_kode,
      latlngs: geometry.arcs.map((polygon) => polygon.map((indexes) => ring(arcs, indexes))),
    }));
  }
  return shapes;
}
