/* Strukturbild map panel: layers grouped by theme, legends, search, base map, embed snippet.
 * Built from a JSON config written by the server; every string is inserted as text. */
"use strict";

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
  // Keep the drawing order of the config (polygons under lines under points) after a re-add.
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
  const loading = {};
  const ensureData = (spec) => {
    if (!spec.url || loading[spec.id]) return;
    loading[spec.id] = fetch(spec.url)
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        L.geoJSON(data, {
          style: (feature) => feature.properties._style,
          pointToLayer: (feature, latlng) => L.circleMarker(latlng, feature.properties._style),
          onEachFeature: (feature, layer) => layer.bindPopup(() => popupOf(feature.properties, spec.popup)),
        }).addTo(layers[spec.id].layer);
        restack(spec.id);
      })
      .catch(() => { delete loading[spec.id]; });
  };
  config.layers.forEach((spec) => { if (spec.visible) ensureData(spec); });

  // Points and lines stay above a choropleth added after the panel, so their popups open.
  setTimeout(() => config.layers.forEach((l) => {
    if (l.front && map.hasLayer(layers[l.id].layer)) layers[l.id].layer.bringToFront();
  }), 0);

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

    if (config.places.length) {
      const list = el("datalist", { id: "sb-places" });
      config.places.forEach((p) => list.append(el("option", { value: p.name })));
      const search = el("input", { type: "search", placeholder: t.search });
      search.setAttribute("list", "sb-places");
      search.setAttribute("aria-label", t.search);
      search.addEventListener("change", () => {
        const hit = config.places.find((p) => p.name === search.value);
        if (hit) map.fitBounds([[hit.bounds[1], hit.bounds[0]], [hit.bounds[3], hit.bounds[2]]]);
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
        const legend = el("div", { className: "sb-legend" });
        spec.legend.forEach(([colour, label]) => {
          const swatch = el("span");
          swatch.style.background = colour;
          legend.append(el("div", {}, swatch, label));
        });
        (spec.notes || []).forEach((note) => legend.append(el("div", { className: "sb-note", textContent: note })));
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

    if (config.base) {
      body.append(el("h2", { textContent: t.basemap }));
      const base = window[config.base.var];
      [[true, config.base.title], [false, t.nobase]].forEach(([on, title]) => {
        const radio = el("input", { type: "radio", name: "sb-base", checked: on });
        radio.addEventListener("change", () => {
          if (on) { map.addLayer(base); } else { map.removeLayer(base); }
        });
        body.append(el("label", {}, radio, " " + title));
      });
    }

    if (config.embed) {
      const button = el("button", { type: "button", textContent: t.embed });
      const dialog = el("div", { className: "sb-dialog", hidden: true });
      const area = el("textarea", { readOnly: true });
      area.setAttribute("aria-label", t.embed);
      dialog.append(el("p", { textContent: t.embedHelp }), area);
      button.addEventListener("click", () => {
        area.value = strukturbildSnippet(map, config);
        dialog.hidden = false;
        area.select();
      });
      body.append(button, dialog);
    }
    return root;
  };
  panel.addTo(map);
  window.strukturbildLayers = layers;
}

function strukturbildSnippet(map, config) {
  const chosen = Array.from(document.querySelectorAll(".sb-panel input[data-layer]"))
    .filter((box) => box.checked).map((box) => box.dataset.layer);
  const b = map.getBounds();
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(4));
  const params = new URLSearchParams({ lager: chosen.join(","), bbox: bbox.join(","), sprak: config.lang });
  const current = new URLSearchParams(window.location.search);
  if (current.get("indikator")) params.set("indikator", current.get("indikator"));
  const url = new URL(config.embed, window.location.href);
  url.search = params.toString();
  const src = url.toString().replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  return '<iframe src="' + src + '" width="100%" height="480" style="border:0" ' +
    'title="' + config.texts.title.replace(/"/g, "&quot;") + '" loading="lazy"></iframe>';
}
