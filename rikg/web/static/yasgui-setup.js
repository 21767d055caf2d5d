// YASGUI set up for this server: queries go to /sparql here, and nothing is fetched from elsewhere.
// Off: the class/property autocompleters (they ask lov.linkeddata.es), prefix.cc look-ups (the
// prefixes autocompleter uses the list bundled in yasgui.min.js), the CORS proxy, and the stock
// list of public endpoints.
(function () {
  "use strict";
  var endpoint = new URL("/sparql", window.location.href).href;
  var offline = ["prefixes", "variables"];
  function keepOnly(list, names) {
    list.length = 0;
    names.forEach(function (name) { list.push(name); });
  }
  keepOnly(Yasgui.Yasqe.defaults.autocompleters, offline);
  if (Yasgui.defaults.yasqe.autocompleters) {
    keepOnly(Yasgui.defaults.yasqe.autocompleters, offline);
  }
  delete Yasgui.Yasqe.Autocompleters["class"];
  delete Yasgui.Yasqe.Autocompleters["property"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  Yasgui.defaults.yasqe.prefixCcApi = null;

  var example = [
    "PREFIX rikg: <https://w3id.org/rikg/ontology#>",
    "PREFIX dcterms: <http://purl.org/dc/terms/>",
    "",
    "# The municipal plans and their titles",
    "SELECT ?plan ?title WHERE {",
    "  ?plan a rikg:MunicipalActionPlan ;",
    "        dcterms:title ?title .",
    "}",
    "ORDER BY ?plan",
    "LIMIT 100",
  ].join("\n");
  Yasgui.defaults.yasqe.value = example;

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    corsProxy: undefined,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
    },
    persistenceId: "rikg-yasgui",
  });
  // Tabs kept in this browser from an older session may point elsewhere: point them here.
  Object.keys(yasgui._tabs || {}).forEach(function (id) {
    var tab = yasgui.getTab(id);
    if (tab && typeof tab.setEndpoint === "function" && tab.getEndpoint() !== endpoint) {
      tab.setEndpoint(endpoint);
    }
  });
  // The server cuts answers at its row limit and says so in a header: say it on the page too.
  // Only each tab's editor (Yasqe) passes the HTTP response on, so hook each editor once.
  var note = document.getElementById("truncated");
  function showCut() {
    // Yasqe calls this with (yasqe, response, duration).
    var response = Array.prototype.slice.call(arguments).filter(function (argument) {
      return argument && argument.headers && typeof argument.headers.get === "function";
    })[0];
    var cut = Boolean(response && response.headers.get("X-Rikg-Truncated") === "true");
    note.hidden = !cut;
    note.textContent = cut
      ? "Only the first " + response.headers.get("X-Rikg-Row-Limit") +
        " rows are shown: the result has more (the server's result limit). Narrow the query."
      : "";
  }
  var hooked = new WeakSet();
  yasgui.on("query", function (_yasgui, tab) {
    var yasqe = tab && tab.getYasqe && tab.getYasqe();
    if (note && yasqe && !hooked.has(yasqe)) {
      hooked.add(yasqe);
      yasqe.on("queryResponse", showCut);
    }
  });
  window.rikgYasgui = yasgui;
})();
