/* Programmation page: totals typed so far, per pilier and for the call, against the envelopes. */
(function () {
  "use strict";
  var tableau = document.querySelector("[data-enveloppes]");
  if (!tableau) { return; }
  var format = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
  function euros(n) { return format.format(n) + "\u00a0€"; }

  function recalculer() {
    var saisis = { total: 0 };
    document.querySelectorAll("[data-ligne]").forEach(function (ligne) {
      var nature = ligne.querySelector("[data-nature]");
      var montant = ligne.querySelector("[data-montant]");
      if (!nature || !montant || nature.value !== "retenu") { return; }
      var valeur = parseInt(montant.value, 10);
      if (isNaN(valeur) || valeur < 0) { return; }
      var pilier = ligne.getAttribute("data-pilier");
      saisis[pilier] = (saisis[pilier] || 0) + valeur;
      saisis.total += valeur;
    });
    tableau.querySelectorAll("tr[data-pilier]").forEach(function (rangee) {
      var pilier = rangee.getAttribute("data-pilier");
      var saisi = saisis[pilier] || 0;
      var enveloppe = rangee.getAttribute("data-enveloppe");
      var accorde = parseInt(rangee.getAttribute("data-accorde"), 10) || 0;
      rangee.querySelector("[data-saisi]").textContent = euros(saisi);
      var celluleReste = rangee.querySelector("[data-reste]");
      if (enveloppe === "") { celluleReste.textContent = "—"; return; }
      var reste = parseInt(enveloppe, 10) - accorde - saisi;
      celluleReste.textContent = euros(reste);
      celluleReste.classList.toggle("depasse", reste < 0);
    });
  }

  document.addEventListener("input", function (e) {
    if (e.target.matches("[data-nature], [data-montant]")) { recalculer(); }
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-nature], [data-montant]")) { recalculer(); }
  });
  recalculer();
})();
