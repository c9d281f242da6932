"use strict";
// Builds the report from the embedded JSON. Every value from the data goes into the page
// as text (textContent / createTextNode), never as markup.
(function () {
  const D = JSON.parse(document.getElementById("report-data").textContent);
  D.evidence = JSON.parse(document.getElementById("report-evidence").textContent);
  const byId = (id) => document.getElementById(id);
  const RULES = Object.fromEntries(D.rules.map((r) => [r.rule_id, r]));
  const FIELDS = [
    ["beneficiary_reference_id", "Registration"], ["name", "Name"], ["gender", "Gender"],
    ["birth_year", "Birth year"], ["mobile", "Mobile"], ["photo_id_type", "Photo ID type"],
    ["photo_id", "Photo ID"], ["district_name", "District"], ["state_name", "State"],
    ["pincode", "Pincode"], ["registered_at", "Registered at"],
  ];
  const ALWAYS_DIFFER = new Set(["beneficiary_reference_id", "registered_at"]);
  const FIELD_NAMES = {name: "Name", birth_year: "Birth year", gender: "Gender",
                       photo_id: "Photo ID", mobile: "Mobile", location: "Location",
                       doses: "Doses given", bookings: "Live bookings"};

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "className") node.className = v;
      else if (k === "hidden") node.hidden = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, String(v));
    }
    return put(node, children);
  }
  function put(node, ...children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  const fmt = (n) => (typeof n === "number" ? n.toLocaleString("en-IN") : String(n ?? "—"));
  // rounded down: 0.9998 reads 99.9%, never 100% unless certain
  const pct = (p) => (p === null || p === undefined ? "—" : (Math.floor(1000 * p + 1e-9) / 10).toFixed(1) + "%");
  const human = (k) => k.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  const letter = (i) => String.fromCharCode(65 + (i % 26)) + (i >= 26 ? Math.floor(i / 26) : "");
  const riskClass = (r) => (r >= 70 ? "risk r-high" : r >= 40 ? "risk r-medium" : "risk");
  const ruleTitle = (id) => (RULES[id] ? RULES[id].title : id);
  const REVIEWS = {confirmed: "Confirmed", dismissed: "Dismissed", needs_field_visit: "Needs field visit"};
  const reviewChip = (d) => (d ? el("span", {className: "chip review-" + d}, REVIEWS[d] || d) : "");
  const signed = (w) => el("span", {className: w >= 0 ? "w-plus" : "w-minus"},
                           (w >= 0 ? "+" : "−") + Math.abs(w).toFixed(2));

  // ---- overview -------------------------------------------------------------------------
  function tile(n, label, alert) {
    return el("div", {className: "tile" + (alert ? " alert" : "")},
              el("div", {className: "n"}, fmt(n)), el("div", {className: "l"}, label));
  }

  function renderOverview() {
    const t = D.totals;
    byId("generated").textContent = D.generated_at ? "Generated " + D.generated_at : "";
    const run = D.run.length ? el("details", {className: "run"}, el("summary", {}, "Run details"),
      el("table", {}, el("tbody", {}, D.run.map(([k, v]) => el("tr", {}, el("th", {}, k),
                                                                   el("td", {}, v)))))) : null;
    byId("overview").append(
      el("h2", {}, "Tonight's summary"),
      el("div", {className: "tiles"},
         tile(t.registrations, "registrations"), tile(t.people, "people after linking"),
         tile(t.clusters, "people registered more than once"),
         tile(t.flagged, "flagged people", t.flagged > 0),
         tile(t.flagged_identifiers, "flagged mobiles and photo IDs", t.flagged_identifiers > 0)),
      run);
  }

  function renderBreakdowns() {
    const rules = el("table", {className: "list", id: "by-rule"},
      el("thead", {}, el("tr", {}, el("th", {}, "Rule"), el("th", {className: "num"}, "People"),
                         el("th", {className: "num"}, "Numbers"))),
      el("tbody", {}, D.rules.map((r) => el("tr", {
          tabindex: 0, title: r.description,
          onclick: () => r.entity_kind === "cluster" ? setFilter("rule", r.rule_id) :
                         byId("identifiers-section").scrollIntoView()},
        el("td", {}, r.title, el("span", {className: "sev " + r.severity}, r.severity)),
        el("td", {className: "num"}, fmt(r.clusters)),
        el("td", {className: "num"}, fmt(r.identifiers))))));
    const districts = el("table", {className: "list", id: "by-district"},
      el("thead", {}, el("tr", {}, el("th", {}, "District"),
                         el("th", {className: "num"}, "Flagged people"),
                         el("th", {className: "num"}, "Highest risk"))),
      el("tbody", {}, D.districts.map((d) => el("tr", {
          tabindex: 0, onclick: () => setFilter("district", d.district_name ?? "")},
        el("td", {}, d.district_name ?? "(none)"), el("td", {className: "num"}, fmt(d.flagged)),
        el("td", {className: "num"}, fmt(d.max_risk))))));
    byId("breakdowns").append(
      el("div", {}, el("h2", {}, "By rule"), el("div", {className: "table-wrap"}, rules)),
      el("div", {}, el("h2", {}, "By district"), el("div", {className: "table-wrap"}, districts)));
  }

  // ---- flagged list: filter and sort ---------------------------------------------------
  const COLUMNS = [
    ["risk_score", "Risk", "num", ""], ["cluster_id", "Person (cluster)", "", ""],
    ["district_name", "District", "", ""], ["n_registrations", "Regs", "num", "col-regs"],
    ["rules", "Rules", "", ""], ["link_confidence", "Weakest link", "num", "col-link"],
    ["review", "Review", "", ""],
  ];
  const state = {district: "*", rule: "*", minRisk: 0, text: "", sort: "risk_score", dir: -1};
  let rows = [];

  function renderFilters() {
    const districts = [...new Set(D.flagged.map((f) => f.district_name ?? ""))].sort();
    const form = byId("filters");
    form.addEventListener("submit", (e) => e.preventDefault());
    const district = el("select", {id: "f-district", name: "district"},
      el("option", {value: "*"}, "All districts"),
      districts.map((d) => el("option", {value: d}, d || "(none)")));
    const rule = el("select", {id: "f-rule", name: "rule"}, el("option", {value: "*"}, "All rules"),
      D.rules.filter((r) => r.entity_kind === "cluster")
             .map((r) => el("option", {value: r.rule_id}, r.title)));
    const risk = el("input", {id: "f-risk", type: "range", min: 0, max: 100, step: 5, value: 0});
    const riskOut = el("output", {id: "f-risk-out"}, "0");
    const text = el("input", {id: "f-text", type: "search", placeholder: "cluster or registration id"});
    district.addEventListener("change", () => { state.district = district.value; applyFilters(); });
    rule.addEventListener("change", () => { state.rule = rule.value; applyFilters(); });
    risk.addEventListener("input", () => {
      state.minRisk = Number(risk.value); riskOut.textContent = risk.value; applyFilters(); });
    text.addEventListener("input", () => { state.text = text.value.trim(); applyFilters(); });
    const reset = el("button", {type: "button", id: "f-reset", onclick: () => {
      district.value = rule.value = "*"; risk.value = 0; text.value = ""; riskOut.textContent = "0";
      Object.assign(state, {district: "*", rule: "*", minRisk: 0, text: ""}); applyFilters(); }},
      "Clear filters");
    form.append(el("label", {}, "District", district), el("label", {}, "Rule", rule),
                el("label", {}, el("span", {}, "Risk at least ", riskOut), risk),
                el("label", {}, "Find", text), reset);
  }

  function setFilter(name, value) {
    const select = byId(name === "rule" ? "f-rule" : "f-district");
    select.value = value;
    state[name] = value;
    applyFilters();
    byId("flagged-section").scrollIntoView();
  }

  function matches(f) {
    if (state.district !== "*" && (f.district_name ?? "") !== state.district) return false;
    if (state.rule !== "*" && !f.rules.includes(state.rule)) return false;
    if (f.risk_score < state.minRisk) return false;
    if (state.text) {
      const ev = D.evidence[f.cluster_id];
      const ids = ev ? ev.members.map((m) => m.beneficiary_reference_id) : [];
      if (!f.cluster_id.includes(state.text) && !ids.some((i) => i.includes(state.text))) return false;
    }
    return true;
  }

  function applyFilters() {
    let shown = 0;
    for (const {f, tr} of rows) { tr.hidden = !matches(f); if (!tr.hidden) shown++; }
    byId("shown-count").textContent = `Showing ${fmt(shown)} of ${fmt(rows.length)} listed people.`;
  }

  function sortBy(key) {
    state.dir = state.sort === key ? -state.dir : (key === "risk_score" ? -1 : 1);
    state.sort = key;
    const val = (f) => (key === "rules" ? f.rules.join(";") : f[key] ?? "");
    rows.sort((a, b) => {
      const x = val(a.f), y = val(b.f);
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return state.dir * c || a.f.cluster_id.localeCompare(b.f.cluster_id);
    });
    const body = byId("flagged").tBodies[0];
    for (const {tr} of rows) body.append(tr);
    for (const th of byId("flagged").tHead.rows[0].cells) {
      th.setAttribute("aria-sort", th.dataset.key === key ? (state.dir > 0 ? "ascending" : "descending") : "none");
    }
  }

  function renderFlagged() {
    const t = D.totals;
    byId("flagged-note").textContent = t.flagged > D.flagged.length
      ? `The ${fmt(D.flagged.length)} highest-risk of ${fmt(t.flagged)} flagged people are listed, each with a card; totals above cover all of them.`
      : "Click a row to open the person's card.";
    const table = byId("flagged");
    table.append(el("thead", {}, el("tr", {}, COLUMNS.map(([key, label, cls, hide]) =>
      el("th", {className: [cls, hide].join(" ").trim(), "data-key": key, scope: "col"},
         el("button", {type: "button", onclick: () => sortBy(key)}, label))),
      el("th", {scope: "col"}, "Why"))), el("tbody"));
    rows = D.flagged.map((f) => {
      const tr = el("tr", {tabindex: 0, "data-cluster": f.cluster_id,
                           onclick: () => openCard(f.cluster_id),
                           onkeydown: (e) => { if (e.key === "Enter") openCard(f.cluster_id); }},
        el("td", {className: "num"}, el("span", {className: riskClass(f.risk_score)}, f.risk_score)),
        el("td", {}, el("button", {type: "button", className: "link"}, f.cluster_id)),
        el("td", {}, f.district_name ?? ""),
        el("td", {className: "num col-regs"}, f.n_registrations),
        el("td", {}, f.rules.map((r) => el("span", {className: "chip", title: ruleTitle(r)}, r))),
        el("td", {className: "num col-link"}, pct(f.link_confidence)),
        el("td", {}, reviewChip(f.review)),
        el("td", {}, f.summary));
      return {f, tr};
    });
    state.dir = 1;  // sortBy flips it: highest risk first
    sortBy("risk_score");
    applyFilters();
  }

  function renderIdentifiers() {
    const table = byId("identifiers");
    if (!D.identifiers.length) {
      table.replaceWith(el("p", {className: "note"}, "No mobile number or photo ID was flagged."));
      return;
    }
    table.append(
      el("thead", {}, el("tr", {}, ["Kind", "Number", "Rules", "Registrations", "People", "What was seen"]
        .map((h) => el("th", {scope: "col"}, h)))),
      el("tbody", {}, D.identifiers.map((i) => el("tr", {},
        el("td", {}, i.identifier_kind === "mobile" ? "Mobile" : "Photo ID"),
        el("td", {}, i.identifier), el("td", {}, i.rules.split(";").map((r) =>
          el("span", {className: "chip", title: ruleTitle(r)}, r))),
        el("td", {className: "num"}, fmt(i.n_registrations)),
        el("td", {className: "num"}, fmt(i.n_people)), el("td", {}, i.explanation)))));
    if (D.totals.flagged_identifiers > D.identifiers.length) {
      table.after(el("p", {className: "note"},
        `${fmt(D.identifiers.length)} of ${fmt(D.totals.flagged_identifiers)} shown (most registrations first).`));
    }
  }

  // ---- the card -------------------------------------------------------------------------
  function diffText(ref, value) {
    // the parts of `value` that are not in `ref`, marked; words for names, characters else
    const v = String(value ?? "—"), r = String(ref ?? "—");
    if (v === r) return [v];
    const words = v.split(/(\s+)/);
    if (words.length > 1 || r.split(/\s+/).length > 1) {
      const have = new Set(r.toLowerCase().split(/\s+/));
      return words.map((w) => (/^\s+$/.test(w) || have.has(w.toLowerCase()) ? w : el("mark", {}, w)));
    }
    if (v.length === r.length) {
      return [...v].map((c, i) => (c === r[i] ? c : el("mark", {}, c)));
    }
    return [el("mark", {}, v)];
  }

  function membersTable(members) {
    return el("div", {className: "table-wrap"}, el("table", {className: "members"},
      el("thead", {}, el("tr", {}, el("th", {}, ""), members.map((m, i) =>
        el("th", {scope: "col"}, el("span", {className: "who"}, letter(i)), "Registration " + letter(i))))),
      el("tbody", {}, FIELDS.map(([key, label]) => el("tr", {}, el("th", {scope: "row"}, label),
        members.map((m, i) => {
          // ids and registration times always differ: marking them would only be noise
          const differs = i > 0 && !ALWAYS_DIFFER.has(key) &&
                          String(m[key] ?? "") !== String(members[0][key] ?? "");
          return el("td", {className: differs ? "diff" : ""},
                    differs ? diffText(members[0][key], m[key]) : String(m[key] ?? "—"));
        }))))));
  }

  function pairBox(p, who) {
    return el("div", {className: "pair"},
      el("h4", {}, `${who[p.id_l]} and ${who[p.id_r]}: ${pct(p.match_probability)} sure they are one person`),
      el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Compared"), el("th", {}, "What was seen"),
                                          el("th", {className: "num"}, "Weight"))),
        el("tbody", {},
          el("tr", {}, el("td", {}, "Starting point"), el("td", {}, "chance that two registrations are one person"),
             el("td", {className: "num"}, signed(p.prior_weight))),
          p.fields.map((f) => el("tr", {}, el("td", {}, FIELD_NAMES[f.field] || human(f.field)),
                                 el("td", {}, f.label), el("td", {className: "num"}, signed(f.weight)))),
          el("tr", {}, el("th", {}, "Total"), el("td", {}, ""),
             el("th", {className: "num"}, signed(p.total_weight))))));
  }

  function eventText(e) {
    if (e.kind === "dose") {
      return [`Dose ${e.dose} (${e.vaccine ?? "?"}) given at ${e.center_name ?? "centre " + e.center_id}`,
              ` — certificate ${e.reference}`];
    }
    return [`Booked dose ${e.dose} (${e.vaccine ?? "?"}) at ${e.center_name ?? "centre " + e.center_id}`,
            ` for ${e.session_date}${e.slot ? ", " + e.slot : ""} — `,
            el("span", {className: "status-" + String(e.status).replace(/[^A-Za-z-]/g, "")}, e.status)];
  }

  function factsView(value) {
    if (Array.isArray(value)) {
      if (value.length && value.every((v) => v && typeof v === "object" && !Array.isArray(v))) {
        const keys = [...new Set(value.flatMap(Object.keys))];
        return el("div", {className: "table-wrap"}, el("table", {className: "facts"},
          el("thead", {}, el("tr", {}, keys.map((k) => el("th", {}, human(k))))),
          el("tbody", {}, value.map((v) => el("tr", {}, keys.map((k) => el("td", {}, factsView(v[k]))))))));
      }
      return value.map(String).join(", ");
    }
    if (value && typeof value === "object") {
      return el("dl", {className: "facts"}, Object.entries(value).flatMap(([k, v]) =>
        [el("dt", {}, human(k)), el("dd", {}, factsView(v))]));
    }
    return value === null || value === undefined ? "—" : String(value);
  }

  function hitBox(h) {
    const {explanation, ...rest} = h.facts || {};
    const rule = RULES[h.rule_id] || {title: h.rule_id, description: ""};
    return el("div", {className: "hit " + h.severity},
      el("h4", {}, rule.title, el("span", {className: "sev " + h.severity}, h.severity)),
      explanation ? el("p", {className: "why"}, explanation) : null,
      el("p", {className: "note"}, rule.description),
      el("details", {}, el("summary", {}, "Facts"), factsView(rest)));
  }

  function reviewTable(history) {
    return [el("h3", {}, "Review decisions"),
      el("p", {className: "note"}, "Oldest first; the last one is in force."),
      el("div", {className: "table-wrap"}, el("table", {className: "facts reviews"},
        el("thead", {}, el("tr", {}, ["Decided at", "Decision", "Reviewer", "Note"]
          .map((h) => el("th", {scope: "col"}, h)))),
        el("tbody", {}, history.map((r) => el("tr", {}, el("td", {}, r.decided_at),
          el("td", {}, reviewChip(r.decision)), el("td", {}, r.reviewer), el("td", {}, r.note ?? ""))))))];
  }

  function openCard(cid) {
    const ev = D.evidence[cid];
    if (!ev) return;
    const who = Object.fromEntries(ev.members.map((m, i) => [m.beneficiary_reference_id, letter(i)]));
    const card = byId("card");
    card.replaceChildren();
    put(card,
      el("header", {}, el("div", {},
          el("h2", {id: "card-title"}, el("span", {className: riskClass(ev.risk_score)}, ev.risk_score),
             " Person ", ev.cluster_id),
          el("p", {className: "summary"}, ev.summary)),
        el("button", {type: "button", className: "close", "aria-label": "Close", onclick: closeCard}, "×")),
      (ev.review_history || []).length ? reviewTable(ev.review_history) : null,
      el("h3", {}, "Registrations side by side"),
      el("p", {className: "note"}, "Highlighted: what differs from registration A."),
      membersTable(ev.members),
      el("h3", {}, "Why they were linked"),
      ev.pairs.length ? [el("p", {className: "note"},
          "Each comparison adds weight for or against: +1 doubles the odds of one person, −1 halves them."),
        ev.pairs.map((p) => pairBox(p, who))]
        : el("p", {className: "note"}, "A single registration: nothing was linked."),
      el("h3", {}, "Bookings and doses"),
      ev.timeline.length ? el("ol", {className: "timeline"}, ev.timeline.map((e) =>
        el("li", {className: e.kind + (e.status === "No-show" ? " bad" : "")},
          el("span", {className: "when"}, e.at), el("span", {className: "who"}, who[e.beneficiary_reference_id] ?? "?"),
          eventText(e))))
        : el("p", {className: "note"}, "No bookings or doses recorded."),
      el("h3", {}, "Why this person is flagged"),
      ev.rule_hits.map(hitBox),
      ev.identifier_flags.length ? [el("h3", {}, "Flagged numbers this person uses"),
        el("ul", {}, ev.identifier_flags.map((f) => el("li", {},
          `${f.identifier_kind === "mobile" ? "Mobile" : "Photo ID"} ${f.identifier}: `,
          f.explanation)))] : null);
    byId("card-overlay").hidden = false;
    if (location.hash !== "#" + cid) history.replaceState(null, "", "#" + cid);
    card.focus();
  }

  function closeCard() {
    byId("card-overlay").hidden = true;
    history.replaceState(null, "", location.pathname + location.search);
  }

  byId("card-overlay").addEventListener("click", (e) => { if (e.target.id === "card-overlay") closeCard(); });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !byId("card-overlay").hidden) closeCard();
  });

  byId("risk-explanation").textContent = D.risk_explanation;
  renderOverview();
  renderBreakdowns();
  renderFilters();
  renderFlagged();
  renderIdentifiers();
  const start = decodeURIComponent(location.hash.slice(1));
  if (start && D.evidence[start]) openCard(start);
})();
