/* Budget grids (dossier budget, structure's annual budget, compte rendu financier): when details
   of a line are typed (613, 641, 645…), the line becomes their sum as the server will compute it
   on saving (only when they add up to more than 0). The new total is announced politely. Without
   this file nothing is lost: the server sets the line on saving. */
(function () {
  "use strict";

  function entier(valeur) {
    var propre = String(valeur || "").replace(/[\s\u00a0\u202f€]/g, "");
    if (propre === "") { return 0; }
    return /^\d+$/.test(propre) ? parseInt(propre, 10) : NaN;
  }

  function libelle(champ) {
    var etiquette = champ.form && champ.form.querySelector('label[for="' + champ.id + '"]');
    return etiquette ? etiquette.textContent.replace(/\s+/g, " ").trim() : champ.name;
  }

  function annonce(formulaire) {
    var zone = formulaire.querySelector(".annonce-sous-lignes");
    if (!zone) {
      zone = document.createElement("p");
      zone.className = "annonce-sous-lignes visually-hidden";
      zone.setAttribute("aria-live", "polite");
      formulaire.appendChild(zone);
    }
    return zone;
  }

  function reporter(detail) {
    var formulaire = detail.form;
    var code = detail.getAttribute("data-parent");
    var parent = null;
    formulaire.querySelectorAll("input[data-cote]").forEach(function (champ) {
      if (champ.name.slice(-(code.length + 1)) === "_" + code) { parent = champ; }
    });
    if (!parent) { return; }
    var somme = 0;
    formulaire.querySelectorAll('input[data-parent="' + code + '"]').forEach(function (champ) {
      somme += entier(champ.value);
    });
    if (isNaN(somme) || somme <= 0) { return; }
    var texte = somme.toLocaleString("fr-FR");
    if (parent.value === texte) { return; }
    parent.value = texte;
    // The page's own scripts (totals, gaps, autosave) see the change as if it were typed.
    parent.dispatchEvent(new Event("input", { bubbles: true }));
    annonce(formulaire).textContent =
      libelle(parent) + " : " + texte + "\u00a0€, somme des détails.";
  }

  document.querySelectorAll("form").forEach(function (formulaire) {
    if (formulaire.querySelector("input[data-parent]")) { annonce(formulaire); }
  });
  document.addEventListener("input", function (evenement) {
    var champ = evenement.target;
    if (champ.form && champ.hasAttribute && champ.hasAttribute("data-parent")) {
      reporter(champ);
    }
  });
})();
