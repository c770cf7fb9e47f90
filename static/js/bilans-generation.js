// Progress of a bilan built in the background: poll its state until the file is ready.
(function () {
  "use strict";
  var bloc = document.getElementById("generation");
  if (!bloc) { return; }
  var url = bloc.getAttribute("data-etat-url");
  var etat = document.getElementById("generation-etat");
  var barre = document.getElementById("generation-progression");
  var lien = document.getElementById("generation-lien");

  function suivre() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (reponse) { return reponse.json(); })
      .then(function (donnees) {
        etat.textContent = "État : " + donnees.etat_libelle + " — " + donnees.progression + " %";
        barre.value = donnees.progression;
        barre.textContent = donnees.progression + " %";
        if (donnees.fichier) {
          lien.textContent = "";
          var a = document.createElement("a");
          a.href = donnees.fichier;
          a.className = "btn btn-primary";
          a.textContent = "Télécharger le fichier";
          lien.appendChild(a);
        } else if (donnees.etat !== "echec") {
          window.setTimeout(suivre, 2000);
        } else {
          etat.textContent = "État : " + donnees.etat_libelle + ". " + donnees.message;
        }
      })
      .catch(function () { window.setTimeout(suivre, 5000); });
  }
  if (!lien.querySelector(".btn-primary")) { window.setTimeout(suivre, 1000); }
})();
