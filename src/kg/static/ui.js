// Binds YASGUI to this server's /sparql and offers the example queries.
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("kg-examples").textContent);
  var endpoint = new URL("/sparql", window.location.href).href;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
  });
  var tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  if (examples.length) {
    tab.setQuery(examples[0].query);
  }
  window.kgYasgui = yasgui;
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var current = yasgui.getTab();
      current.setQuery(examples[Number(button.dataset.index)].query);
      current.query();
    });
  });
})();
