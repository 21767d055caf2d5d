/* rikg explorer: search, filters, legend and details panel around a vis-network graph.
   Plan text is only ever shown through textContent (never innerHTML) or as canvas labels. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("rikg-data").textContent);
  var byId = new Map();
  data.nodes.forEach(function (node) { byId.set(node.id, node); });
  var kindNames = new Map(data.legend.map(function (item) { return [item.kind, item.name]; }));
  var nodes = new vis.DataSet(data.vis_nodes);
  var edges = new vis.DataSet(data.vis_edges);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var filters = { plan: "", policy_area: "", institution: "", funding: "" };
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, text, className) {
    var element = document.createElement(tag);
    if (text !== undefined && text !== null) { element.textContent = String(text); }
    if (className) { element.className = className; }
    return element;
  }

  function nameOf(iri) { return (data.names && data.names[iri]) || iri; }

  function markReady() { document.body.dataset.ready = "true"; }
  if (!data.nodes.length) {
    markReady();
  } else if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      markReady();
    });
  } else {
    network.once("afterDrawing", markReady);
  }

  // -- legend ---------------------------------------------------------------------------------------
  function shapeElement(shape, colour) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 16");
    var points = {
      diamond: "8,1 15,8 8,15 1,8",
      star: "8,1 10,6 15,6 11,9.5 12.5,15 8,11.5 3.5,15 5,9.5 1,6 6,6",
      triangle: "8,2 15,14 1,14",
      triangleDown: "1,2 15,2 8,14",
      hexagon: "4,2 12,2 15,8 12,14 4,14 1,8",
      square: "2,2 14,2 14,14 2,14"
    }[shape];
    var figure;
    if (points) {
      figure = document.createElementNS(SVG, "polygon");
      figure.setAttribute("points", points);
    } else {
      figure = document.createElementNS(SVG, "circle");
      figure.setAttribute("cx", "8");
      figure.setAttribute("cy", "8");
      figure.setAttribute("r", "6");
    }
    figure.setAttribute("fill", colour);
    svg.appendChild(figure);
    return svg;
  }

  var legend = document.getElementById("legend-items");
  data.legend.forEach(function (item) {
    var entry = el("li");
    entry.appendChild(shapeElement(item.shape, item.colour));
    entry.appendChild(el("span", item.name));
    legend.appendChild(entry);
  });

  if (data.notice) {
    var notice = document.getElementById("notice");
    notice.textContent = data.notice;
    notice.hidden = false;
  }

  // -- filters --------------------------------------------------------------------------------------
  var PLAN_KINDS = new Set(["plan", "summary", "objective", "measure", "activity"]);
  var AREA_KINDS = new Set(["eu-objective", "national-goal", "objective", "measure", "activity"]);
  var ITEM_KINDS = new Set(["measure", "activity"]);

  /* The facet values of a node, or null when the facet does not apply to its kind (it then stays shown). */
  function facetValues(node, facet) {
    if (facet === "plan") { return PLAN_KINDS.has(node.kind) ? (node.plan ? [node.plan] : []) : null; }
    if (facet === "policy_area") { return AREA_KINDS.has(node.kind) ? node.policy_areas : null; }
    if (facet === "institution") {
      if (node.kind === "institution") { return [node.id]; }
      return ITEM_KINDS.has(node.kind) ? node.institutions : null;
    }
    if (facet === "funding") {
      if (node.kind === "funding") { return [node.id]; }
      return ITEM_KINDS.has(node.kind) ? node.funding : null;
    }
    return null;
  }

  function isShown(node) {
    return Object.keys(filters).every(function (facet) {
      var wanted = filters[facet];
      if (!wanted) { return true; }
      var values = facetValues(node, facet);
      return values === null || values.indexOf(wanted) >= 0;
    });
  }

  function applyFilters() {
    var updates = [];
    var shown = 0;
    data.nodes.forEach(function (node) {
      var visible = isShown(node);
      if (visible) { shown += 1; }
      updates.push({ id: node.id, hidden: !visible });
    });
    nodes.update(updates);
    document.getElementById("count").textContent = shown + " of " + data.nodes.length + " nodes shown" +
      (data.total_nodes > data.nodes.length ? " (" + data.total_nodes + " in all; focus to see more)" : "");
    runSearch();
  }

  document.querySelectorAll("select[data-facet]").forEach(function (select) {
    var facet = select.dataset.facet;
    var choices = (data.facets && data.facets[facet]) || [];
    select.appendChild(el("option", "all (" + choices.length + ")")).value = "";
    choices.forEach(function (pair) {
      var option = el("option", pair[1]);
      option.value = pair[0];
      select.appendChild(option);
    });
    select.disabled = choices.length === 0;
    select.addEventListener("change", function () { filters[facet] = select.value; applyFilters(); });
  });

  document.getElementById("reset").addEventListener("click", function () {
    document.querySelectorAll("select[data-facet]").forEach(function (select) {
      select.value = "";
      filters[select.dataset.facet] = "";
    });
    document.getElementById("search").value = "";
    applyFilters();
    network.unselectAll();
    network.fit();
  });

  // -- search ---------------------------------------------------------------------------------------
  function normalise(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim();
  }

  var searchBox = document.getElementById("search");
  var results = document.getElementById("results");

  function runSearch() {
    var query = normalise(searchBox.value);
    results.textContent = "";
    if (!query) { return; }
    var words = query.split(" ");
    var found = data.nodes.filter(function (node) {
      var key = node.search;
      return isShown(node) && words.every(function (word) { return key.indexOf(word) >= 0; });
    });
    found.slice(0, 40).forEach(function (node) {
      var button = el("button");
      button.type = "button";
      button.dataset.id = node.id;
      button.appendChild(el("span", kindNames.get(node.kind) || node.kind, "kind"));
      button.appendChild(el("span", (node.code ? node.code + " " : "") + node.label, "label"));
      button.addEventListener("click", function () { selectNode(node.id); results.textContent = ""; });
      var item = el("li");
      item.appendChild(button);
      results.appendChild(item);
    });
    if (found.length > 40) { results.appendChild(el("li", (found.length - 40) + " more: type more words", "hint")); }
    if (found.length === 0) { results.appendChild(el("li", "nothing found", "hint")); }
    network.selectNodes(found.slice(0, 200).map(function (node) { return node.id; }));
  }

  searchBox.addEventListener("input", runSearch);
  searchBox.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { results.textContent = ""; }
    if (event.key === "Enter") {
      var first = results.querySelector("button");
      if (first) { first.click(); }
    }
  });

  // -- details ----------------------------------------------------------------------------------------
  var info = document.getElementById("info");

  function addFact(list, name, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) { return; }
    list.appendChild(el("dt", name));
    list.appendChild(el("dd", Array.isArray(value) ? value.join("; ") : value));
  }

  function clearInfo(heading) {
    info.textContent = "";
    info.appendChild(el("h2", "Details"));
    info.appendChild(el("h3", heading));
  }

  function showNode(id) {
    var node = byId.get(id);
    if (!node) { return; }
    clearInfo((node.code ? node.code + " " : "") + node.label);
    var facts = el("dl", null, "facts");
    addFact(facts, "English", node.label_en);
    addFact(facts, "type", kindNames.get(node.kind) || node.kind);
    addFact(facts, "code", node.code);
    addFact(facts, "IRI", node.id);
    addFact(facts, "document", node.document ? nameOf(node.document) : null);
    addFact(facts, "plan", node.plan && node.plan !== node.document && node.kind !== "plan" ? nameOf(node.plan) : null);
    addFact(facts, "policy area", node.policy_areas.map(nameOf));
    addFact(facts, "institutions", node.institutions.map(nameOf));
    addFact(facts, "funding", node.funding.map(nameOf));
    info.appendChild(facts);
    if (node.source) {
      var lines = node.source.line_start === null ? "" :
        (node.source.line_end && node.source.line_end !== node.source.line_start ?
          "lines " + node.source.line_start + "–" + node.source.line_end : "line " + node.source.line_start);
      info.appendChild(el("h2", "Source"));
      info.appendChild(el("p", node.source.file + (lines ? ", " + lines : ""), "source-ref"));
      if (node.source.text) { info.appendChild(el("pre", node.source.text, "source")); }
    }
    var more = el("dl", null, "facts");
    Object.keys(node.facts).forEach(function (key) { addFact(more, key, node.facts[key]); });
    if (more.childNodes.length) {
      info.appendChild(el("h2", "More"));
      info.appendChild(more);
    }
    if (node.references.length) {
      info.appendChild(el("h2", "References"));
      var refs = el("ul", null, "links");
      node.references.forEach(function (ref) { refs.appendChild(el("li", ref)); });
      info.appendChild(refs);
    }
    var linked = edges.get({ filter: function (edge) { return edge.from === id || edge.to === id; } });
    if (linked.length) {
      info.appendChild(el("h2", "Links"));
      var list = el("ul", null, "links");
      linked.forEach(function (edge) {
        var outgoing = edge.from === id;
        var other = byId.get(outgoing ? edge.to : edge.from);
        var text = (outgoing ? edge.relation + " → " : "← " + edge.relation + " ") +
          (other ? (other.code ? other.code + " " : "") + other.label : "");
        var confidence = confidenceText(edge);
        list.appendChild(el("li", text + confidence));
      });
      info.appendChild(list);
    }
    if (node.kind === "summary") {
      info.appendChild(el("h2", "Focus"));
      info.appendChild(el("code", node.facts.focus, "command"));
    } else if (["objective", "measure", "activity"].indexOf(node.kind) >= 0) {
      info.appendChild(el("h2", "Trace"));
      info.appendChild(el("code", "rikg trace " + node.id, "command"));
    }
  }

  function confidenceText(edge) {
    return edge.confidence !== undefined && edge.confidence !== null ?
      " (confidence " + Number(edge.confidence).toFixed(2) + (edge.method ? ", " + edge.method : "") + ")" : "";
  }

  function showEdge(id) {
    var edge = edges.get(id);
    if (!edge) { return; }
    var from = byId.get(edge.from);
    var to = byId.get(edge.to);
    clearInfo(edge.relation);
    var facts = el("dl", null, "facts");
    addFact(facts, "from", from ? (from.code ? from.code + " " : "") + from.label : edge.from);
    addFact(facts, "to", to ? (to.code ? to.code + " " : "") + to.label : edge.to);
    addFact(facts, "relation", edge.relation);
    addFact(facts, "confidence", edge.confidence !== undefined && edge.confidence !== null ?
      Number(edge.confidence).toFixed(3) : null);
    addFact(facts, "method", edge.method);
    info.appendChild(facts);
  }

  function selectNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showNode(id);
  }

  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
  });

  applyFilters();
  if (data.focus && byId.has(data.focus)) {
    network.selectNodes([data.focus]);
    showNode(data.focus);
  }
  window.rikgExplorer = { network: network, nodes: nodes, edges: edges, data: data, select: selectNode };
}());
