// PDFs of a dossier prepared in the background: while one is being prepared, ask for the
// « Documents PDF » block again and show it as soon as it changes (the link appears). Without
// JavaScript, reloading the page shows it too.
(function () {
  "use strict";
  var DELAI_MS = 2000;

  function suivre() {
    var bloc = document.getElementById("fichiers-dossier");
    var url = bloc && bloc.getAttribute("data-suivi-url");
    if (!url) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (reponse) {
        if (!reponse.ok) { throw new Error(String(reponse.status)); }
        return reponse.text();
      })
      .then(function (html) {
        var nouveau = new DOMParser().parseFromString(html, "text/html")
          .getElementById("fichiers-dossier");
        if (!nouveau) { return; }
        if (nouveau.innerHTML !== bloc.innerHTML) { bloc.innerHTML = nouveau.innerHTML; }
        if (nouveau.hasAttribute("data-suivi-url")) {
          window.setTimeout(suivre, DELAI_MS);
        } else {
          bloc.removeAttribute("data-suivi-url");
        }
      })
      .catch(function () { window.setTimeout(suivre, DELAI_MS * 3); });
  }

  window.setTimeout(suivre, DELAI_MS);
})();
