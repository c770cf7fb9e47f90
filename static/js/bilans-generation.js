// Progress of a file built in the background (bilans, exports, compte rendu financier,
// decision letter): poll its state until the file is ready, then offer it and say so to
// screen readers. Without JavaScript, the page's link (« Actualiser », « Recharger ») does the
// same by hand.
(function () {
  "use strict";
  var bloc = document.getElementById("generation");
  if (!bloc) { return; }
  var url = bloc.getAttribute("data-etat-url");
  var etat = document.getElementById("generation-etat");
  var barre = document.getElementById("generation-progression");
  var lien = document.getElementById("generation-lien");

  function pret(donnees) {
    lien.textContent = "";
    var a = document.createElement("a");
    a.href = donnees.fichier;
    a.className = "btn btn-primary";
    a.textContent = "Télécharger le fichier";
    lien.appendChild(a);
    if (barre) {
      barre.value = 100;
      barre.textContent = "100 %";
    }
    etat.textContent = "État : " + donnees.etat_libelle + " — 100 %. Le fichier est prêt : "
      + "vous pouvez le télécharger.";
  }

  function suivre() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (reponse) {
        if (!reponse.ok || reponse.headers.get("Content-Type") !== "application/json") {
          // The build is gone (failed, or replaced by newer data): reloaded, the page says
          // what to do next.
          etat.textContent = "La préparation s'est interrompue : actualisez la page.";
          return null;
        }
        return reponse.json();
      })
      .then(function (donnees) {
        if (!donnees) { return; }
        if (donnees.etat === "absent") {
          etat.textContent = "La préparation s'est interrompue : actualisez la page.";
          return;
        }
        if (donnees.fichier) { pret(donnees); return; }
        if (barre) {
          etat.textContent = "État : " + donnees.etat_libelle + " — " + donnees.progression + " %";
          barre.value = donnees.progression;
          barre.textContent = donnees.progression + " %";
        }
        if (donnees.etat !== "echec") {
          window.setTimeout(suivre, 2000);
        } else {
          etat.textContent = "État : " + donnees.etat_libelle + ". " + donnees.message;
        }
      })
      .catch(function () { window.setTimeout(suivre, 5000); });
  }
  if (!lien.querySelector(".btn-primary")) { window.setTimeout(suivre, 1000); }
})();
