/* Scenario page: asks /api/scenario what happens if a service point closes and shows the
 * answer as tables and on a map (kommun borders, the closing point, the origins that get
 * farther). Every value is inserted as text. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("sb-scenario");
  const out = document.getElementById("sb-result");
  const t = JSON.parse(document.getElementById("sb-texts").textContent);
  const mapData = JSON.parse(document.getElementById("sb-map-data").textContent);
  const map = L.map("sb-scenario-map", { zoomSnap: 0.25 });
  const borders = L.geoJSON(mapData.kommuner, {
    interactive: false, style: { color: "#555555", weight: 1, fill: false },
  }).addTo(map);
  map.fitBounds(borders.getBounds());
  const others = L.layerGroup().addTo(map);
  const closed = L.layerGroup().addTo(map);
  const origins = L.layerGroup().addTo(map);
  const showClosed = (id) => {
    closed.clearLayers();
    others.clearLayers();
    const point = mapData.punkter[id];
    if (!point) return;
    Object.values(mapData.punkter).filter((p) => p[2] === point[2]).forEach((p) => {
      L.circleMarker([p[1], p[0]], {
        radius: 3, weight: 1, color: "#1f3a5f", fillOpacity: 0.6, interactive: false,
        className: "sb-same-kind",
      }).addTo(others);
    });
    L.circleMarker([point[1], point[0]], {
      radius: 9, color: "#a11111", weight: 3, fill: false, className: "sb-closed",
    }).bindTooltip(t.closed).addTo(closed);
  };
  const textPopup = (lines) => {
    const box = document.createElement("div");
    lines.forEach((line) => box.append(cell("div", line)));
    return box;
  };
  const cell = (tag, text, className) => {
    const node = document.createElement(tag);
    node.textContent = text;
    if (className) node.className = className;
    return node;
  };
  const number = (value, digits) => (value === null || value === undefined) ? "–"
    : Number(value).toLocaleString(form.dataset.lang === "sv" ? "sv-SE" : "en-GB",
                                   { maximumFractionDigits: digits });
  const table = (caption, headers, rows) => {
    const tbl = document.createElement("table");
    tbl.append(cell("caption", caption));
    const head = document.createElement("tr");
    headers.forEach((h) => head.append(cell("th", h)));
    tbl.append(head);
    rows.forEach((values) => {
      const tr = document.createElement("tr");
      values.forEach(([text, cls]) => tr.append(cell("td", text, cls)));
      tbl.append(tr);
    });
    return tbl;
  };

  form.elements.ta_bort.addEventListener("change", (event) => showClosed(event.target.value));
  showClosed(form.elements.ta_bort.value);

  // The scenario is in the page's address (?ta_bort=…&km=…), so it can be shared.
  const asked = new URLSearchParams(window.location.search);
  const byEffect = (a, b) => (b.km_diff || 0) - (a.km_diff || 0) || (b.befolkning || 0) - (a.befolkning || 0);
  const levels = Object.keys(t.levels);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren(cell("p", t.running));
    const params = new URLSearchParams(new FormData(form));
    const address = new URLSearchParams({ sprak: form.dataset.lang, ta_bort: params.get("ta_bort"), km: params.get("km") });
    window.history.replaceState(null, "", "?" + address.toString());
    const response = await fetch("/api/scenario?" + params.toString());
    const body = await response.json();
    if (!response.ok) {
      out.replaceChildren(cell("p", (body.parameter ? body.parameter + ": " : "") + body.detail, "sb-worse"));
      return;
    }
    const km = params.get("km");
    const key = (row, suffix) => Object.keys(row).find((k) => k.startsWith("bef_over_") && k.endsWith(suffix));
    // most affected first: per level, by the people who get farther
    const rows = [...body.summary].sort((a, b) => levels.indexOf(a.niva) - levels.indexOf(b.niva)
      || (b.bef_langre_bort || 0) - (a.bef_langre_bort || 0));
    const summary = rows.map((r) => [
      [t.levels[r.niva] || r.niva],
      [r.niva === "kommun" ? (t.kommuner[r.grupp] || r.grupp)
        : r.niva === "omrade" ? (t.areas[r.grupp] || r.grupp) : r.grupp],
      [number(r.befolkning, 0), "n"],
      [number(r.bef_langre_bort, 0), r.bef_langre_bort > 0 ? "n sb-worse" : "n"],
      [number(r[key(r, "km_fore")], 0), "n"],
      [number(r[key(r, "km_efter")], 0), "n"],
    ]);
    showClosed(params.get("ta_bort"));
    origins.clearLayers();
    body.changed.sort(byEffect);
    const biggest = Math.max(1, ...body.changed.map((r) => r.km_diff || 0));
    body.changed.forEach((r) => {
      const share = Math.min(1, (r.km_diff || 0) / biggest);
      L.circleMarker([r.lat, r.lon], {
        radius: 4 + Math.sqrt(r.befolkning || 0) / 10, weight: 1, color: "#333333",
        fillColor: `rgb(${Math.round(253 - 120 * share)}, ${Math.round(174 - 150 * share)}, 97)`,
        fillOpacity: 0.85, className: "sb-changed",
      }).bindPopup(textPopup([
        r.namn, t.kommuner[r.kommunkod] || r.kommunkod,
        `${t.changedHeaders[4]}: ${number(r.km_fore, 1)} · ${t.changedHeaders[5]}: ${number(r.km_efter, 1)}`,
      ])).addTo(origins);
    });
    // zoom to the affected area: the closing point and the origins that get farther
    const point = mapData.punkter[params.get("ta_bort")];
    const area = L.latLngBounds(body.changed.map((r) => [r.lat, r.lon]));
    if (point) area.extend([point[1], point[0]]);
    if (area.isValid()) map.fitBounds(area.pad(0.3), { maxZoom: 11 });
    const changed = body.changed.map((r) => [
      [r.namn], [t.kommuner[r.kommunkod] || r.kommunkod], [t.areas[r.omrade] || r.omrade], [number(r.befolkning, 0), "n"],
      [number(r.km_fore, 1), "n"], [number(r.km_efter, 1), "n"], [number(r.km_diff, 1), "n sb-worse"],
    ]);
    out.replaceChildren(
      cell("p", t.method + ": " + body.metod + " · " + t.build + " " + body.build_id),
      table(t.summaryCaption.replace("{km}", km), t.summaryHeaders, summary),
      changed.length ? table(t.changedCaption, t.changedHeaders, changed) : cell("p", t.noChange),
    );
  });

  if (asked.get("ta_bort") && mapData.punkter[asked.get("ta_bort")]) {
    form.elements.ta_bort.value = asked.get("ta_bort");
    if (asked.get("km")) form.elements.km.value = asked.get("km");
    showClosed(form.elements.ta_bort.value);
    form.requestSubmit();
  }
});
