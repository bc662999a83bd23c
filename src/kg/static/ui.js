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
  // The examples are folded away (the editor is on screen at load); a chosen one folds them
  // again and brings the editor, then its results, into view.
  var box = document.getElementById("examples-box");
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var current = yasgui.getTab();
      current.setQuery(examples[Number(button.dataset.index)].query);
      if (box) {
        box.open = false;
      }
      document.getElementById("yasgui").scrollIntoView();
      current.query();
    });
  });
})();
