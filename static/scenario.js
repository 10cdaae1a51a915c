/* Scenario page: asks /api/scenario what happens if a service point closes and shows the
 * answer as tables. Every value is inserted as text. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("sb-scenario");
  const out = document.getElementById("sb-result");
  const t = JSON.parse(document.getElementById("sb-texts").textContent);
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

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren(cell("p", t.running));
    const params = new URLSearchParams(new FormData(form));
    const response = await fetch("/api/scenario?" + params.toString());
    const body = await response.json();
    if (!response.ok) {
      out.replaceChildren(cell("p", (body.parameter ? body.parameter + ": " : "") + body.detail, "sb-worse"));
      return;
    }
    const km = params.get("km");
    const key = (row, suffix) => Object.keys(row).find((k) => k.startsWith("bef_over_") && k.endsWith(suffix));
    const summary = body.summary.map((r) => [
      [t.levels[r.niva] || r.niva],
      [r.niva === "kommun" ? (t.kommuner[r.grupp] || r.grupp)
        : r.niva === "omrade" ? (t.areas[r.grupp] || r.grupp) : r.grupp],
      [number(r.befolkning, 0), "n"],
      [number(r.bef_langre_bort, 0), r.bef_langre_bort > 0 ? "n sb-worse" : "n"],
      [number(r[key(r, "km_fore")], 0), "n"],
      [number(r[key(r, "km_efter")], 0), "n"],
    ]);
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
});
