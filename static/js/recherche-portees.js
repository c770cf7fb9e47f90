// Territory and contract pickers: a text field whose <datalist> is filled, as one types, from a
// search URL (the portal may hold hundreds of contracts: never one <select> of all of them).
// Without this script the fields still work: the code or the exact name is checked on the server.
(function () {
  "use strict";
  document.querySelectorAll("[data-recherche-url]").forEach(function (bloc) {
    var url = bloc.getAttribute("data-recherche-url");
    bloc.querySelectorAll("input[data-recherche]").forEach(function (champ) {
      var liste = document.getElementById(champ.getAttribute("list"));
      var minuterie = null;
      var derniere = null;
      if (!liste) { return; }

      function remplir(resultats) {
        liste.textContent = "";
        resultats.forEach(function (r) {
          var option = document.createElement("option");
          option.value = r.valeur;
          option.textContent = r.libelle;
          liste.appendChild(option);
        });
      }

      function chercher() {
        var parametres = new URLSearchParams({ type: champ.getAttribute("data-recherche"), q: champ.value });
        var territoire = bloc.querySelector("input[data-recherche='territoire']");
        if (territoire && territoire !== champ) { parametres.set("territoire", territoire.value); }
        var requete = parametres.toString();
        if (requete === derniere) { return; }
        derniere = requete;
        fetch(url + "?" + requete, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (reponse) { return reponse.ok ? reponse.json() : { resultats: [] }; })
          .then(function (donnees) { if (requete === derniere) { remplir(donnees.resultats); } })
          .catch(function () { derniere = null; });
      }

      champ.addEventListener("input", function () {
        window.clearTimeout(minuterie);
        minuterie = window.setTimeout(chercher, 200);
      });
      champ.addEventListener("focus", chercher);
    });
  });
})();
