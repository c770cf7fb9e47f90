// Bilan form: totals of the indicators and gaps of the compte rendu, computed as people type.
(function () {
  "use strict";
  var formulaire = document.getElementById("formulaire-bilan");
  if (!formulaire) { return; }

  function entier(valeur) {
    var nettoye = String(valeur || "").replace(/[\s\u00a0\u202f€]/g, "");
    if (nettoye === "") { return 0; }
    return /^\d+$/.test(nettoye) ? parseInt(nettoye, 10) : NaN;
  }

  function nombre(n) {
    return n.toLocaleString("fr-FR");
  }

  function totaux() {
    var sommes = {};
    formulaire.querySelectorAll("input[data-total]").forEach(function (champ) {
      var cle = champ.getAttribute("data-total");
      var valeur = entier(champ.value);
      sommes[cle] = (sommes[cle] === undefined ? 0 : sommes[cle]) + valeur;
    });
    Object.keys(sommes).forEach(function (cle) {
      var sortie = document.getElementById(cle);
      if (sortie) { sortie.textContent = isNaN(sommes[cle]) ? "" : nombre(sommes[cle]); }
    });
  }

  function ecarts(champ) {
    var prevu = parseInt(champ.getAttribute("data-prevu") || "0", 10);
    var euros = formulaire.querySelector('[data-ecart-euros="' + champ.id + '"]');
    var pourcent = formulaire.querySelector('[data-ecart-pourcent="' + champ.id + '"]');
    var realise = entier(champ.value);
    if (!euros || !pourcent) { return; }
    if (champ.value.trim() === "" || isNaN(realise)) {
      euros.textContent = "";
      pourcent.textContent = "";
      return;
    }
    euros.textContent = nombre(realise - prevu) + "\u00a0€";
    pourcent.textContent = prevu ? (((realise - prevu) * 100) / prevu).toLocaleString("fr-FR", {
      minimumFractionDigits: 1, maximumFractionDigits: 1
    }) + "\u00a0%" : "";
  }

  formulaire.addEventListener("input", function (evenement) {
    var champ = evenement.target;
    if (champ.hasAttribute("data-total")) { totaux(); }
    if (champ.hasAttribute("data-prevu")) { ecarts(champ); }
  });
})();
