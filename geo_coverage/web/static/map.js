/* geo_coverage map pages: decode the display TopoJSON once, draw each view's classes on it.
   Per-view data comes inlined in the page and, after a change, from the JSON API. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var S = config.strings;
  var browse = config.mode === "browse";
  var geometryRequest = fetch(config.geometry).then(function (r) {
    if (!r.ok) { throw new Error("geometry " + r.status); }
    return r.json();
  });

  var map, shapes, areaLayer, markerLayer, data;
  var layers = {};      // kode -> Leaflet polygon of the current view
  var rows = {};        // kode -> priority-table row
  var selected = null;  // kode clicked in the table or (inside a province) on the map

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function status(message) {
    var node = document.getElementById("status");
    node.textContent = message || "";
    node.hidden = !message;
  }

  /* TopoJSON: quantized, delta-encoded arcs; ~i is arc i reversed. Leaflet wants [lat, lon]. */
  function decodeArcs(topology) {
    var scale = topology.transform.scale, translate = topology.transform.translate;
    return topology.arcs.map(function (arc) {
      var x = 0, y = 0;
      return arc.map(function (point) {
        x += point[0];
        y += point[1];
        return [y * scale[1] + translate[1], x * scale[0] + translate[0]];
      });
    });
  }

  function ring(arcs, indexes) {
    var points = [];
    indexes.forEach(function (index) {
      var arc = index >= 0 ? arcs[index] : arcs[~index].slice().reverse();
      for (var i = points.length ? 1 : 0; i < arc.length; i++) { points.push(arc[i]); }
    });
    return points;
  }

  function decode(topology) {
    var arcs = decodeArcs(topology), out = {};
    Object.keys(topology.objects).forEach(function (name) {
      out[name] = topology.objects[name].geometries.map(function (g) {
        return {
          kode: String(g.id),
          prov: g.properties.prov_kode,
          latlngs: g.arcs.map(function (polygon) {
            return polygon.map(function (r) { return ring(arcs, r); });
          })
        };
      });
    });
    return out;
  }

  /* Styles: class colour (hatched when there is no data), bold outline when below target. */
  function style(area, highlighted) {
    var low = area.low;
    return {
      fillColor: area.f || "url(#nodata-hatch)",
      fillOpacity: area.f ? 0.85 : 1,
      color: highlighted ? "#000000" : (low ? "#1a1a1a" : "#6b6b6b"),
      weight: highlighted ? 4.5 : (low ? 2.6 : 0.6),
      className: "area" + (low ? " area-low" : "")
    };
  }

  function highlight(kode, on) {
    var layer = layers[kode];
    if (layer) {
      layer.setStyle(style(data.areas[kode], on || kode === selected));
      if (on) { layer.bringToFront(); }
    }
    if (rows[kode]) { rows[kode].classList.toggle("hover", !!on); }
  }

  function tooltip(kode) {
    var area = data.areas[kode];
    var box = el("div", "tip");
    box.appendChild(el("strong", null, area.n));
    box.appendChild(el("div", "tip-period", data.period));
    var table = el("table");
    data.fields.forEach(function (label, i) {
      var tr = el("tr");
      tr.appendChild(el("th", null, label));
      tr.appendChild(el("td", null, area.v[i]));
      table.appendChild(tr);
    });
    var rank = el("tr");
    rank.appendChild(el("th", null, S["field.priority_rank"]));
    rank.appendChild(el("td", null, area.r === null ? "–" : area.r));
    table.appendChild(rank);
    box.appendChild(table);
    if (area.s) { box.appendChild(el("div", "tip-note", area.s)); }
    return box;
  }

  function onAreaClick(kode) {
    if (!browse) { return; }
    var area = data.areas[kode];
    if (!data.province) {
      navigate(data.queries.provinces[data.level === "province" ? kode : area.p], true);
    } else {
      select(kode, false);
    }
  }

  function drawAreas() {
    if (areaLayer) { map.removeLayer(areaLayer); }
    layers = {};
    areaLayer = L.featureGroup();
    var shown = shapes[data.layer].filter(function (shape) { return data.areas[shape.kode]; });
    // Low-coverage areas last, so that their bold outlines are not covered by neighbours.
    shown.sort(function (a, b) { return data.areas[a.kode].low - data.areas[b.kode].low; });
    shown.forEach(function (shape) {
      var area = data.areas[shape.kode];
      var layer = L.polygon(shape.latlngs, style(area, false));
      layer.bindTooltip(function () { return tooltip(shape.kode); }, {sticky: true});
      layer.on("mouseover", function () { highlight(shape.kode, true); });
      layer.on("mouseout", function () { highlight(shape.kode, false); });
      layer.on("click", function () { onAreaClick(shape.kode); });
      layer.addTo(areaLayer);
      layers[shape.kode] = layer;
    });
    var bounds = areaLayer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, {padding: [8, 8]}); }
    areaLayer.addTo(map);
    Object.keys(layers).forEach(function (kode) {
      layers[kode].getElement().setAttribute("data-kode", kode);
    });
    if (markerLayer) { map.removeLayer(markerLayer); }
    markerLayer = L.layerGroup(data.priorities.map(function (p) {
      var icon = L.divIcon({className: "priority-marker", html: el("span", null, p.r),
                            iconSize: [22, 22]});
      return L.marker(p.ll, {icon: icon, interactive: false, keyboard: false});
    })).addTo(map);
  }

  function drawLegend(container) {
    container.textContent = "";
    container.appendChild(el("h2", null, data.legend.title));
    var list = el("ul");
    data.legend.entries.forEach(function (entry) {
      var item = el("li", entry.hatched ? "nodata" : null);
      var swatch = el("span", "swatch" + (entry.hatched ? " hatched" : ""));
      if (!entry.hatched) { swatch.style.background = entry.color; }
      item.appendChild(swatch);
      item.appendChild(el("span", "range", entry.label));
      item.appendChild(el("span", "count", entry.count));
      list.appendChild(item);
    });
    container.appendChild(list);
    data.legend.notes.forEach(function (note) {
      container.appendChild(el("p", "note", note));
    });
  }

  var legendControl = L.Control.extend({
    options: {position: "bottomright"},
    onAdd: function () {
      var box = el("div", "legend");
      box.id = "legend";
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });

  function drawTable() {
    var body = document.querySelector("#priority-table tbody");
    body.textContent = "";
    rows = {};
    data.order.forEach(function (kode) {
      var area = data.areas[kode];
      var tr = el("tr", area.low ? "low" : null);
      tr.setAttribute("data-kode", kode);
      tr.appendChild(el("td", "num", area.r === null ? "–" : area.r));
      tr.appendChild(el("td", null, area.n));
      data.table.forEach(function (i) { tr.appendChild(el("td", "num", area.v[i])); });
      tr.addEventListener("mouseenter", function () { highlight(kode, true); });
      tr.addEventListener("mouseleave", function () { highlight(kode, false); });
      tr.tabIndex = 0;
      tr.addEventListener("click", function () { select(kode, true); });
      tr.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          select(kode, true);
        }
      });
      body.appendChild(tr);
      rows[kode] = tr;
    });
    var lows = document.getElementById("low-areas");
    lows.textContent = "";
    data.low.forEach(function (kode) {
      var item = el("li", null, data.areas[kode].n + " — " + data.areas[kode].v[0]);
      item.addEventListener("mouseenter", function () { highlight(kode, true); });
      item.addEventListener("mouseleave", function () { highlight(kode, false); });
      lows.appendChild(item);
    });
    document.getElementById("low-count").textContent = String(data.low.length);
    document.getElementById("low-title").textContent = data.low_title;
  }

  function select(kode, zoom) {
    var previous = selected;
    selected = kode;
    if (previous && previous !== kode) {
      highlight(previous, false);
      if (rows[previous]) { rows[previous].classList.remove("selected"); }
    }
    highlight(kode, true);
    if (rows[kode]) {
      rows[kode].classList.add("selected");
      rows[kode].scrollIntoView({block: "nearest"});
    }
    if (zoom && layers[kode]) { map.fitBounds(layers[kode].getBounds(), {maxZoom: 9}); }
  }

  function syncControls() {
    var form = document.getElementById("controls");
    Object.keys(data.state).forEach(function (name) {
      var field = form.elements[name];
      if (field) { field.value = data.state[name] === null ? "" : String(data.state[name]); }
    });
    document.getElementById("lang-switch").href = "?" + data.queries.lang;
    document.getElementById("download-png").href = config.paths.png + "?" + data.queries.self;
    document.getElementById("back-to-region").href = "?" + data.queries.region;
    document.getElementById("back-to-region").hidden = !data.province;
    document.getElementById("drill-hint").hidden = !!data.province;
    document.getElementById("embed-code").value = embedCode();
    var downloads = document.getElementById("download-links");
    downloads.textContent = "";
    data.downloads.forEach(function (link) {
      var anchor = el("a", null, link.label);
      anchor.href = link.url;
      anchor.setAttribute("download", "");
      var item = el("li");
      item.appendChild(anchor);
      downloads.appendChild(item);
    });
    document.title = data.title;
    document.getElementById("view-title").textContent = data.title;
    document.getElementById("source-line").textContent = data.source;
    document.getElementById("illustrative-note").hidden = !data.illustrative;
  }

  function embedCode() {
    var frame = document.createElement("iframe");
    frame.setAttribute("src", location.origin + config.paths.embed + "?" + data.queries.self);
    frame.setAttribute("title", data.title);
    frame.setAttribute("width", "800");
    frame.setAttribute("height", "600");
    frame.setAttribute("style", "border:0");
    frame.setAttribute("loading", "lazy");
    return frame.outerHTML;
  }

  function render(next) {
    data = next;
    selected = null;
    drawAreas();
    drawLegend(document.getElementById("legend"));
    if (browse) { drawTable(); syncControls(); }
  }

  function navigate(query, push) {
    status(null);
    return fetch(config.paths.api + "?" + query, {headers: {Accept: "application/json"}})
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.description || S.load_failed); }
          return body;
        });
      })
      .then(function (next) {
        render(next);
        if (push) { history.pushState(null, "", config.paths.page + "?" + next.queries.self); }
      })
      .catch(function (error) { status(error.message || S.load_failed); });
  }

  function start() {
    map = L.map("map", {zoomSnap: 0.25, attributionControl: true});
    if (config.tiles) {
      L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution, maxZoom: 18})
        .addTo(map);
    }
    map.createPane("provinceLines").style.zIndex = 450;
    map.getPane("provinceLines").style.pointerEvents = "none";
    map.addControl(new legendControl());
    geometryRequest.then(function (topology) {
      shapes = decode(topology);
      L.featureGroup(shapes.provinces.map(function (p) {
        return L.polygon(p.latlngs, {fill: false, color: "#404040", weight: 1.4,
                                     interactive: false, pane: "provinceLines"});
      })).addTo(map);
      render(config.data);
      status(null);
      requestAnimationFrame(function () {
        performance.mark("choropleth-painted");
        document.documentElement.setAttribute("data-painted", "1");
      });
    }).catch(function (error) {
      status(S.load_failed);
      console.error(error);
    });

    if (!browse) { return; }
    history.replaceState(null, "", config.paths.page + "?" + config.data.queries.self);
    window.addEventListener("popstate", function () {
      navigate(location.search.replace(/^\?/, ""), false);
    });
    var form = document.getElementById("controls");
    form.addEventListener("change", function () {
      var query = new URLSearchParams(new FormData(form));
      if (form.elements.level.value === "province") { query.delete("province"); }
      navigate(query.toString(), true);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      navigate(new URLSearchParams(new FormData(form)).toString(), true);
    });
    document.getElementById("back-to-region").addEventListener("click", function (event) {
      event.preventDefault();
      navigate(data.queries.region, true);
    });
    document.getElementById("copy-embed").addEventListener("click", function () {
      var code = document.getElementById("embed-code");
      code.value = embedCode();
      code.select();
      var done = function () { document.getElementById("copy-embed").textContent = S.copied; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(code.value).then(done, function () {});
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
