// Binds YASGUI to this server's /sparql and offers the example queries.
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("kg-examples").textContent);
  var endpoint = new URL("/sparql", window.location.href).href;

  // Classes and properties complete (Ctrl-Space) from this dataset, asked once per editor,
  // instead of from the LOV web service: the terms are this graph's, and nothing leaves the
  // machine. The rest of each completer (where it applies, prefixed names) is YASQE's own.
  function terms(query) {
    return function () {
      return fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/sparql-query",
                   "Accept": "application/sparql-results+json" },
        body: query,
      }).then(function (response) {
        return response.ok ? response.json() : { results: { bindings: [] } };
      }).then(function (json) {
        return json.results.bindings.map(function (b) { return b.t.value; });
      }).catch(function () { return []; });
    };
  }
  var Yasqe = Yasgui.Yasqe;
  var ours = {
    class: "SELECT DISTINCT ?t WHERE { { [] a ?t } UNION " +
           "{ ?t a <http://www.w3.org/2002/07/owl#Class> } FILTER(isIRI(?t)) } LIMIT 5000",
    property: "SELECT DISTINCT ?t WHERE { [] ?t [] } LIMIT 5000",
  };
  if (Yasqe && Yasqe.Autocompleters) {
    Object.keys(ours).forEach(function (name) {
      var base = Yasqe.Autocompleters[name];
      if (base) {
        Yasqe.registerAutocompleter(Object.assign({}, base, {
          get: terms(ours[name]), bulk: true, persistenceId: null,
        }), true);
      }
    });
  }
  // A link made with YASGUI's share button (this page + "#query=…") opens with its query;
  // whatever endpoint the link names, queries go to this server's.
  var shared = /[#&]query=/.test(window.location.hash);
  var results = document.getElementById("yasgui");
  var yasgui = new Yasgui(results, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: function (config) {
      config.requestConfig = Object.assign({}, config.requestConfig, { endpoint: endpoint });
      return config;
    },
    autofocus: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
  });
  var tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  if (examples.length && !shared) {
    tab.setQuery(examples[0].query);
  }
  window.kgYasgui = yasgui;
  // Result IRIs of this dataset (https://w3id.org/kg1978/...) open their page on this server:
  // the persistent IRI's redirect may not resolve. Rewritten when the pointer goes down or
  // the link gets focus, before any click, middle click or context menu uses it.
  var base = results.dataset.base, site = new URL(results.dataset.site, window.location.href);
  function local(event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (link && base && link.href.indexOf(base) === 0) {
      link.href = new URL(link.href.slice(base.length), site).href;
    }
  }
  results.addEventListener("mousedown", local, true);
  results.addEventListener("focusin", local, true);
  // YASGUI's fields have no labels (a screen reader announces "edit text"), nor has the row
  // number column of its result table: named here, and again as new tabs and results come.
  function labelFields() {
    [[".yasqe textarea", "SPARQL query"], ["input.autocomplete", "SPARQL endpoint"],
     [".tab input[type=text]", "Tab name"], ["select.tableSizer", "Rows per page"]
    ].forEach(function (pair) {
      results.querySelectorAll(pair[0] + ":not([aria-label])").forEach(function (field) {
        field.setAttribute("aria-label", pair[1]);
      });
    });
    results.querySelectorAll(".yasr thead th .dt-column-title:empty").forEach(function (title) {
      title.textContent = "#";  // the row-number column's header, empty in YASR
    });
    // A literal with a language tag ("Phnôm Pênh"@vi) is drawn as text and a <sup>@vi</sup>,
    // in the page's English: its element gets the tag, for a screen reader's voice and for
    // the fonts of its script (style.css, :lang(km)).
    results.querySelectorAll(".yasr td span.nonIri:not([lang])").forEach(function (literal) {
      var sup = literal.querySelector("sup");
      var tag = sup && /^@([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$/.exec(sup.textContent.trim());
      if (tag) {
        literal.setAttribute("lang", tag[1]);
        sup.setAttribute("lang", "en");  // the tag itself is not words of that language
      }
    });
  }
  labelFields();
  new MutationObserver(labelFields).observe(results, { childList: true, subtree: true });
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
      results.scrollIntoView();
      current.query();
    });
  });
})();
