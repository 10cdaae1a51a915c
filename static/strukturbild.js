/* Strukturbild map panel: layers grouped by theme, legends, place-name labels, search, base
 * map with a fallback from the data, embed dialog, exports and print.
 * Built from a JSON config written by the server; every string is inserted as text. */
"use strict";

const SB_LABEL_FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif';
const SB_LABEL_PAD = 3; // px kept free around every label

function strukturbildPanel(map, config) {
  const t = config.texts;
  const el = (tag, props, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    children.forEach((c) => node.append(c));
    return node;
  };
  const layers = {};
  config.layers.forEach((spec) => { layers[spec.id] = { spec, layer: window[spec.var] }; });
  // Panes keep polygons < lines < points; within a pane, keep the config's order after a re-add.
  const restack = (id) => {
    const order = config.layers.map((l) => l.id);
    order.slice(order.indexOf(id) + 1).forEach((later) => {
      if (map.hasLayer(layers[later].layer)) layers[later].layer.bringToFront();
    });
  };

  // Layers drawn on demand (too large for the page): fetched once, when first shown; each
  // feature carries its style, and its popup is built here with every value as text.
  const number = new Intl.NumberFormat(config.lang === "sv" ? "sv-SE" : "en-GB",
    { maximumFractionDigits: 1 });
  const popupOf = (props, fields) => {
    const table = el("table", { className: "sb-popup" });
    fields.forEach(([column, label]) => {
      const value = props[column];
      if (value === null || value === undefined || value === "") return;
      const text = typeof value === "number" ? number.format(value) : String(value);
      table.append(el("tr", {}, el("th", { textContent: label }), el("td", { textContent: text })));
    });
    return table;
  };
  // Layers in the build's vector tiles: drawn by Leaflet.VectorGrid (SVG, one pane per
  // geometry type as for the other layers), coloured by class, a popup per clicked feature.
  const tileLayer = (spec) => {
    const tiles = spec.tiles;
    const styleOf = (props) => {
      const colour = tiles.classes && tiles.classes.colours[String(props[tiles.classes.column])];
      return Object.assign({}, tiles.style, colour ? { fillColor: colour } : {});
    };
    const grid = new (strukturbildTileGrid())(tiles.url, {
      pane: spec.pane, interactive: true, minZoom: tiles.minZoom + 1, maxZoom: 23,
      rendererFactory: L.svg.tile, vectorTileLayerStyles: { [spec.id]: styleOf },
    });
    grid.on("click", (e) => {
      L.DomEvent.stop(e);
      L.popup().setLatLng(e.latlng).setContent(popupOf(e.layer.properties, spec.popup)).openOn(map);
    });
    return grid;
  };
  const loading = {};
  const ensureData = (spec) => {
    if (spec.tiles && !loading[spec.id]) {
      loading[spec.id] = tileLayer(spec).addTo(layers[spec.id].layer);
      return;
    }
    if (!spec.url || loading[spec.id]) return;
    loading[spec.id] = fetch(spec.url)
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        L.geoJSON(data, {
          pane: spec.pane,
          style: (feature) => feature.properties._style,
          pointToLayer: (feature, latlng) => L.circleMarker(latlng,
            Object.assign({ pane: spec.pane }, feature.properties._style)),
          onEachFeature: (feature, layer) => layer.bindPopup(() => popupOf(feature.properties, spec.popup)),
        }).addTo(layers[spec.id].layer);
        restack(spec.id);
      })
      .catch(() => { delete loading[spec.id]; });
  };
  // folium's fitBounds may animate the first zoom (≤ 4 levels; Leaflet starts it in the next
  // frame): tiles are asked for once the view is final, not for the zoom it starts from
  const whenStill = (then) => (map._animatingZoom ? map.once("zoomend", then) : then());
  L.Util.requestAnimFrame(() => whenStill(
    () => config.layers.forEach((spec) => { if (spec.visible) ensureData(spec); })));

  L.control.scale({ imperial: false, metric: true, maxWidth: 150 }).addTo(map);
  const labels = strukturbildLabels(map, config.labels || []);
  const legendBox = strukturbildMapLegend(map, config, layers, el);
  strukturbildOverlays(map, config, el);
  strukturbildTileWatch(map, config, el);

  const panel = L.control({ position: "topright" });
  // on a phone the panel starts closed, so that the map stays visible
  const collapsed = config.collapsed || window.matchMedia("(max-width: 600px)").matches;
  panel.onAdd = () => {
    const root = el("div", { className: "sb-panel" + (collapsed ? " sb-collapsed" : "") });
    L.DomEvent.disableClickPropagation(root);
    L.DomEvent.disableScrollPropagation(root);
    const toggle = el("button", { className: "sb-toggle", type: "button", title: t.panel, textContent: "☰" });
    toggle.setAttribute("aria-label", t.panel);
    toggle.setAttribute("aria-expanded", String(!collapsed));
    toggle.addEventListener("click", () => {
      root.classList.toggle("sb-collapsed");
      toggle.setAttribute("aria-expanded", String(!root.classList.contains("sb-collapsed")));
    });
    const body = el("div", { className: "sb-body" });
    root.append(toggle, el("strong", { textContent: t.panel }), body);

    if (config.places) {
      const list = el("datalist", { id: "sb-places" });
      let places = [];  // fetched when the box is first used
      const search = el("input", { type: "search", placeholder: t.search });
      search.setAttribute("list", "sb-places");
      search.setAttribute("aria-label", t.search);
      search.addEventListener("focus", () => {
        if (list.childElementCount) return;
        fetch(config.places).then((r) => (r.ok ? r.json() : [])).then((names) => {
          places = names;
          names.forEach((p) => list.append(el("option", { value: p.name })));
        });
      }, { once: true });
      search.addEventListener("change", () => {
        const hit = places.find((p) => p.name === search.value);
        if (!hit) return;
        map.sbKommun = hit.kommunkod || null; // an embed made now shows this kommun
        map.fitBounds([[hit.bounds[1], hit.bounds[0]], [hit.bounds[3], hit.bounds[2]]]);
      });
      body.append(search, list);
    }

    if (config.indicators && config.indicators.length) {
      body.append(el("h2", { textContent: t.indicator }));
      const select = el("select");
      select.setAttribute("aria-label", t.indicator);
      select.append(el("option", { value: "", textContent: t.noIndicator }));
      config.indicators.forEach((ind) => {
        select.append(el("option", { value: ind.id, textContent: ind.title, selected: ind.id === config.indicator }));
      });
      select.addEventListener("change", () => {
        const params = new URLSearchParams(window.location.search);
        if (select.value) { params.set("indikator", select.value); } else { params.delete("indikator"); }
        window.location.search = params.toString();
      });
      body.append(select);
    }

    config.themes.forEach(([theme, heading]) => {
      const items = config.layers.filter((l) => l.theme === theme);
      const missing = config.missing.filter((l) => l.theme === theme);
      if (!items.length && !missing.length) return;
      body.append(el("h2", { textContent: heading }));
      items.forEach((spec) => {
        const box = el("input", { type: "checkbox", checked: spec.visible });
        box.dataset.layer = spec.id;
        const legend = strukturbildLegendRows(spec, el, "sb-legend");
        legend.hidden = !spec.visible;
        box.addEventListener("change", () => {
          const entry = layers[spec.id];
          if (box.checked) {
            ensureData(spec);
            map.addLayer(entry.layer);
            restack(spec.id);
          } else {
            map.removeLayer(entry.layer);
          }
          legend.hidden = !box.checked;
          if (legendBox) legendBox.refresh();
        });
        body.append(el("label", {}, box, " " + spec.title), legend);
      });
      missing.forEach((spec) => {
        // a disclosure, not a fake checkbox: the how-to text is reachable by keyboard
        const how = el("details", { className: "sb-off" },
          el("summary", { textContent: spec.title + " – " + t.missing }),
          el("div", { className: "sb-note", textContent: spec.how }));
        body.append(how);
      });
    });

    if (labels) {
      const box = el("input", { type: "checkbox", checked: true });
      box.dataset.labels = "1";
      box.addEventListener("change", () => labels.show(box.checked));
      body.append(el("label", {}, box, " " + t.labels));
    }

    if (config.base) {
      body.append(el("h2", { textContent: t.basemap }));
      const base = window[config.base.var];
      [[true, config.base.title], [false, t.dataBase]].forEach(([on, title]) => {
        const radio = el("input", { type: "radio", name: "sb-base", checked: on });
        radio.dataset.base = on ? "tiles" : "data";
        radio.addEventListener("change", () => {
          if (on) { map.addLayer(base); } else { map.removeLayer(base); }
        });
        body.append(el("label", {}, radio, " " + title));
      });
    }

    if (config.embed) body.append(strukturbildEmbedDialog(map, config, el));
    if (config.export) body.append(strukturbildExports(map, config, el));
    return root;
  };
  panel.addTo(map);
  strukturbildFit(map, config);
  if (config.base) map.addLayer(window[config.base.var]); // tiles of the final view only
  window.addEventListener("beforeprint", () => {
    const bounds = map.getBounds();
    map.invalidateSize();
    map.fitBounds(bounds);
  });
  window.strukturbildLayers = layers;
}

/* Vector tiles drawn 512 pixels wide, so each is the tile of one zoom up (a quarter of the
 * requests for the same detail): Leaflet.VectorGrid's URL takes the grid's zoom as it is. */
function strukturbildTileGrid() {
  if (!window.SbTileGrid) {
    window.SbTileGrid = L.VectorGrid.Protobuf.extend({
      options: { tileSize: 512 },
      _getVectorTilePromise(coords, bounds) {
        const up = L.point(coords.x, coords.y);
        up.z = coords.z - 1;
        return L.VectorGrid.Protobuf.prototype._getVectorTilePromise.call(this, up, bounds);
      },
      // a tile's point has no lat/lon of its own: a click on it is placed where the mouse is
      _createLayer(feature, pxPerExtent) {
        const layer = L.VectorGrid.Protobuf.prototype._createLayer.call(this, feature, pxPerExtent);
        if (layer.getLatLng) layer.getLatLng = null;
        return layer;
      },
    });
  }
  return window.SbTileGrid;
}

/* Fit the chosen extent (a kommun) whole into the part of the map the overlays leave free. */
function strukturbildFit(map, config) {
  if (!config.fit) return;
  const [w, s, e, n] = config.fit;
  const box = map.getContainer().getBoundingClientRect();
  const rect = (selector) => {
    const node = map.getContainer().querySelector(selector);
    return node && node.offsetParent ? node.getBoundingClientRect() : null;
  };
  const title = rect(".sb-maptitle");
  const legend = rect(".sb-maplegend");
  const bottom = [rect(".sb-source"), rect(".leaflet-control-scale")].filter(Boolean);
  const pad = 12;
  const left = legend && legend.width < box.width / 2 ? legend.right - box.left : 0;
  const top = title ? title.bottom - box.top : 0;
  const below = bottom.length ? box.bottom - Math.min(...bottom.map((r) => r.top)) : 0;
  map.fitBounds([[s, w], [n, e]], { paddingTopLeft: [pad + left, pad + top], paddingBottomRight: [pad, pad + below], animate: false });
}

/* The legend rows of one layer (swatches of the classes present, then symbol notes). */
function strukturbildLegendRows(spec, el, className) {
  const legend = el("div", { className });
  spec.legend.forEach(([colour, label]) => {
    const swatch = el("span", { className: "sb-swatch" });
    swatch.style.background = colour;
    swatch.dataset.colour = colour.toLowerCase();
    legend.append(el("div", {}, swatch, label));
  });
  (spec.symbols || []).forEach((note) => legend.append(el("div", { className: "sb-symbol", textContent: note })));
  (spec.notes || []).forEach((note) => legend.append(el("div", { className: "sb-note", textContent: note })));
  return legend;
}

/* A compact legend of the visible layers on the map itself: open in embeds, always printed. */
function strukturbildMapLegend(map, config, layers, el) {
  const control = L.control({ position: "bottomleft" });
  let box = null;
  const fill = () => {
    box.replaceChildren(el("strong", { textContent: config.texts.legend }));
    config.layers.forEach((spec) => {
      if (!map.hasLayer(layers[spec.id].layer)) return;
      box.append(el("div", { className: "sb-maplegend-title", textContent: spec.title }),
        strukturbildLegendRows({ legend: spec.legend, symbols: spec.symbols }, el, "sb-legend"));
    });
  };
  control.onAdd = () => {
    box = el("div", { className: "sb-maplegend" + (config.legendOpen ? " sb-open" : "") });
    box.setAttribute("aria-label", config.texts.legend);
    L.DomEvent.disableScrollPropagation(box);
    fill();
    return box;
  };
  control.addTo(map);
  return { refresh: fill };
}

/* Title, source line and print date on the map (embeds show them; print shows them all). */
function strukturbildOverlays(map, config, el) {
  if (config.title) {
    const title = L.control({ position: "topleft" });
    title.onAdd = () => el("div", { className: "sb-maptitle", textContent: config.title });
    title.addTo(map);
  }
  const source = L.control({ position: "bottomright" });
  source.onAdd = () => {
    const box = el("div", { className: "sb-source" + (config.legendOpen ? " sb-open" : "") });
    if (config.source) box.append(el("span", { textContent: config.source }));
    const date = new Date().toLocaleDateString(config.lang === "sv" ? "sv-SE" : "en-GB");
    box.append(el("span", { className: "sb-printdate", textContent: " · " + date }));
    return box;
  };
  source.addTo(map);
}

/* Say so on the map when the tile server cannot be reached: the data background shows. */
function strukturbildTileWatch(map, config, el) {
  if (!config.base) return;
  const base = window[config.base.var];
  let loaded = 0;
  let note = null;
  base.on("tileload", () => {
    loaded += 1;
    if (note) { note.remove(); note = null; }
  });
  base.on("tileerror", () => {
    if (loaded || note) return;
    note = L.control({ position: "topleft" });
    note.onAdd = () => {
      const box = el("div", { className: "sb-tilenote", textContent: config.texts.tilesFailed });
      box.setAttribute("role", "status");
      return box;
    };
    note.addTo(map);
  });
}

/* Kommun and tätort names: placed greedily in the server's order (larger first), each
 * shown from its zoom and skipped where it would overlap a label already placed. */
function strukturbildLabels(map, candidates) {
  if (!candidates.length) return null;
  const group = L.layerGroup().addTo(map);
  const measure = document.createElement("canvas").getContext("2d");
  let visible = true;
  const draw = () => {
    group.clearLayers();
    if (!visible) return;
    const zoom = map.getZoom();
    const placed = [];
    candidates.forEach((c) => {
      if (zoom < c.minzoom || zoom >= c.maxzoom) return;
      const weight = c.kind === "kommun" ? 600 : 700;
      measure.font = `${weight} ${c.px}px ${SB_LABEL_FONT}`;
      const text = c.kind === "kommun" ? c.name.toUpperCase() : c.name;
      const w = measure.measureText(text).width + (c.kind === "kommun" ? text.length * 0.08 * c.px : 0);
      const h = c.px * 1.25;
      const p = map.project([c.lat, c.lon], zoom);
      // a tätort name may sit beside its place when the centre is taken; a kommun's may not
      const shifts = c.kind === "kommun" ? [[0, 0]]
        : [[0, 0], [w / 2 + 8, 0], [-w / 2 - 8, 0], [0, -h], [0, h]];
      const free = shifts.map(([dx, dy]) => [p.x + dx - w / 2 - SB_LABEL_PAD, p.y + dy - h / 2 - SB_LABEL_PAD,
        p.x + dx + w / 2 + SB_LABEL_PAD, p.y + dy + h / 2 + SB_LABEL_PAD])
        .map((box, i) => [box, shifts[i]])
        .find(([box]) => !placed.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]));
      if (!free) return;
      const [box, [dx, dy]] = free;
      placed.push(box);
      const span = document.createElement("span");
      span.textContent = text;
      span.style.fontSize = c.px + "px";
      L.marker([c.lat, c.lon], {
        pane: "sbLabels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "sb-label sb-label-" + c.kind, html: span,
          iconSize: [Math.ceil(w), Math.ceil(h)], iconAnchor: [w / 2 - dx, h / 2 - dy] }),
      }).addTo(group);
    });
  };
  map.on("zoomend", draw);
  draw();
  return { show: (on) => { visible = on; draw(); } };
}

function strukturbildChosenLayers() {
  return Array.from(document.querySelectorAll(".sb-panel input[data-layer]"))
    .filter((box) => box.checked).map((box) => box.dataset.layer);
}

/* The parameters of the current view, as /embed and /karta.png|pdf take them. */
function strukturbildViewParams(map, config) {
  const params = new URLSearchParams({ lager: strukturbildChosenLayers().join(","), sprak: config.lang });
  const kommun = map.sbKommun || config.highlight;
  if (kommun) {
    params.set("kommun", kommun);
  } else {
    const b = map.getBounds();
    params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(4)).join(","));
  }
  const current = new URLSearchParams(window.location.search);
  const indicator = config.indicator || current.get("indikator");
  if (indicator) params.set("indikator", indicator);
  return params;
}

function strukturbildSnippet(map, config, width, height) {
  const url = new URL(config.embed, window.location.href);
  url.search = strukturbildViewParams(map, config).toString();
  const src = url.toString().replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  const w = width === undefined ? "100%" : width;
  const h = height === undefined ? 480 : height;
  return { url: url.toString(), html: '<iframe src="' + src + '" width="' + w + '" height="' + h +
    '" style="border:0" title="' + config.texts.title.replace(/"/g, "&quot;") + '" loading="lazy"></iframe>' };
}

/* "Bädda in": size presets, the snippet, a copy button and a live preview. */
function strukturbildEmbedDialog(map, config, el) {
  const t = config.texts;
  const wrap = el("div");
  const button = el("button", { type: "button", textContent: t.embed });
  const dialog = el("div", { className: "sb-dialog", hidden: true });
  const area = el("textarea", { readOnly: true });
  area.setAttribute("aria-label", t.embed);
  const sizes = el("fieldset", { className: "sb-sizes" }, el("legend", { textContent: t.embedSize }));
  let chosen = t.presets[1];
  const preview = el("iframe", { className: "sb-preview", title: t.embedPreview });
  const update = () => {
    const snippet = strukturbildSnippet(map, config, chosen[1], chosen[2]);
    area.value = snippet.html;
    const w = typeof chosen[1] === "number" ? chosen[1] : 640;
    preview.style.width = w + "px";
    preview.style.height = chosen[2] + "px";
    preview.style.transform = "scale(" + Math.min(1, 300 / w) + ")";
    preview.parentNode.style.height = Math.ceil(chosen[2] * Math.min(1, 300 / w)) + "px";
    if (preview.dataset.src !== snippet.url) { preview.dataset.src = snippet.url; preview.src = snippet.url; }
  };
  t.presets.forEach((preset, i) => {
    const radio = el("input", { type: "radio", name: "sb-size", checked: i === 1, value: String(i) });
    radio.addEventListener("change", () => { chosen = preset; update(); });
    const size = typeof preset[1] === "number" ? ` ${preset[1]}×${preset[2]}` : "";
    sizes.append(el("label", {}, radio, " " + preset[0] + size));
  });
  const copy = el("button", { type: "button", textContent: t.embedCopy });
  copy.addEventListener("click", () => {
    area.select();
    const done = () => { copy.textContent = t.embedCopied; };
    if (navigator.clipboard) { navigator.clipboard.writeText(area.value).then(done, done); } else { done(); }
  });
  dialog.append(el("p", { textContent: t.embedHelp }), sizes, area, copy,
    el("p", { className: "sb-note", textContent: t.embedPreview }), el("div", { className: "sb-preview-box" }, preview));
  button.addEventListener("click", () => {
    dialog.hidden = false;
    update();
    area.select();
  });
  wrap.append(button, dialog);
  return wrap;
}

/* Links to the server-rendered PNG and PDF of the current view, and print (A4/A3). */
function strukturbildExports(map, config, el) {
  const t = config.texts;
  const box = el("div", { className: "sb-exports" }, el("h2", { textContent: t.export }));
  const links = [["karta.png", "a4", t.exportPng], ["karta.pdf", "a4", t.exportPdf], ["karta.pdf", "a3", t.exportPdfA3]];
  links.forEach(([path, format, label]) => {
    const link = el("a", { textContent: label, href: "/" + path });
    link.dataset.export = path + ":" + format;
    const refresh = () => {
      const params = strukturbildViewParams(map, config);
      params.set("format", format);
      link.href = "/" + path + "?" + params.toString();
    };
    link.addEventListener("focus", refresh);
    link.addEventListener("mouseenter", refresh);
    link.addEventListener("click", refresh);
    refresh();
    box.append(link, " ");
  });
  ["a4", "a3"].forEach((size) => {
    const print = el("button", { type: "button", textContent: t.print + " " + size.toUpperCase() });
    print.addEventListener("click", () => {
      let page = document.getElementById("sb-page-size");
      if (!page) { page = el("style", { id: "sb-page-size" }); document.head.append(page); }
      const height = size === "a3" ? "255mm" : "172mm"; // the page less margins and title
      page.textContent = "@page { size: " + size.toUpperCase() + " landscape; margin: 8mm; } " +
        "@media print { .sb-map { height: " + height + " !important; } }";
      window.print();
    });
    box.append(print, " ");
  });
  return box;
}
