"""Generate a realistic volume for one call (or many contracts' calls): dossiers, bilans (bulk)."""

import datetime
import random
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from candidatures.dossiers.selectors import champs_prevision
from candidatures.dossiers.services.montants import actualiser_montants_demandes
from candidatures.models import (
    CompteurReferences,
    Dossier,
    HistoriqueStatut,
    LigneBudget,
    PrevisionIndicateur,
    Statut,
    Structure,
)
from evaluation.management.volume import Cible, Insertions, codes_libres, copier_contrat
from evaluation.models import (
    Avis,
    Bilan,
    Decision,
    Instruction,
    LigneCompteRendu,
    RealisationIndicateur,
)
from referentiel.models import Contrat, Indicateur

# Dossiers generated per contract and slice: bounds the memory used for many contracts.
TRANCHE = 1000
# Share of dossiers ending in each status (sums to 1): most are retained, most bilans validated.
REPARTITION = [
    (Statut.DEPOSE, 0.02), (Statut.EN_INSTRUCTION, 0.04), (Statut.INSTRUIT, 0.02),
    (Statut.NON_RETENU, 0.08), (Statut.CLASSE_SANS_SUITE, 0.02), (Statut.RETIRE, 0.02),
    (Statut.EN_COURS, 0.08), (Statut.BILAN_A_REMETTRE, 0.08), (Statut.BILAN_DEPOSE, 0.12),
    (Statut.BILAN_A_CORRIGER, 0.04), (Statut.CLOTURE, 0.48),
]
INSTRUITS = {
    Statut.INSTRUIT, Statut.NON_RETENU, Statut.CLASSE_SANS_SUITE, Statut.EN_COURS,
    Statut.BILAN_A_REMETTRE, Statut.BILAN_DEPOSE, Statut.BILAN_A_CORRIGER, Statut.CLOTURE,
}
RETENUS = {
    Statut.EN_COURS, Statut.BILAN_A_REMETTRE, Statut.BILAN_DEPOSE, Statut.BILAN_A_CORRIGER,
    Statut.CLOTURE,
}
AVEC_BILAN = {Statut.BILAN_A_REMETTRE, Statut.BILAN_DEPOSE, Statut.BILAN_A_CORRIGER,
              Statut.CLOTURE}
STATUTS = [s for s, _ in REPARTITION]
POIDS = [p for _, p in REPARTITION]
COLONNES = ["valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons"]
FINANCEURS_SECONDAIRES = ["74_region", "74_departement", "74_communes", "74_caf", "74_prive"]
FORMES = ["Association", "Collectif", "Centre social", "Maison de quartier", "Compagnie", "Club"]
THEMES = ["des habitants", "de la Grand-Rue", "Arc-en-ciel", "Cévennes solidaires", "du Soleil",
          "Trait d'union", "Passerelles", "Les Tamaris", "Prés-Saint-Jean", "Jeunesse et avenir"]


def _siret(n):
    siren = f"{n:08d}" + luhn.calc_check_digit(f"{n:08d}")
    debut = siren + "0001"
    return debut + luhn.calc_check_digit(debut)


class Command(BaseCommand):
    help = (
        "Génère un volume réaliste de dossiers sur un appel (structures, dossiers sur toutes les "
        "actions, instructions, décisions, bilans avec valeurs F/H), par insertions groupées. "
        "Avec --copies N, crée aussi N contrats copiés de l'arbre du contrat et génère le même "
        "nombre de dossiers sur l'appel de chacun, entremêlés comme en vrai."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=1000,
                            help="Nombre de dossiers par contrat.")
        parser.add_argument("--annee", type=int, default=None,
                            help="Année de l'appel (par défaut l'année dernière).")
        parser.add_argument("--graine", type=int, default=42, help="Graine du hasard.")
        parser.add_argument(
            "--si-vide",
            action="store_true",
            help="Ne rien faire si l'appel de cette année a déjà des dossiers (démonstration).",
        )
        parser.add_argument(
            "--contrat", default=None,
            help="Code du contrat dont l'appel reçoit les dossiers (par défaut le contrat par "
                 "défaut).",
        )
        parser.add_argument(
            "--copies", type=int, default=0,
            help="Nombre de contrats à créer en copiant l'arbre du contrat (codes volume-NN), "
                 "chacun avec son appel et ses dossiers.",
        )

    def handle(self, *args, dossiers, annee, graine, si_vide=False, contrat=None, copies=0,
               **options):
        debut = time.perf_counter()
        if dossiers < 1:
            raise CommandError("--dossiers doit être positif.")
        if copies < 0:
            raise CommandError("--copies ne peut pas être négatif.")
        source = self._contrat(contrat)
        annee = annee or timezone.localdate().year - 1
        if si_vide and Dossier.objects.filter(appel__contrat=source, appel__annee=annee).exists():
            self.stdout.write(f"L'appel {annee} a déjà des dossiers : rien n'est généré.")
            return
        with transaction.atomic():
            contrats = [source] + [copier_contrat(source, code) for code in codes_libres(copies)]
            compte = Generateur(contrats, annee, graine).generer(dossiers)
        duree = time.perf_counter() - debut
        if copies:
            self.stdout.write(
                f"{copies} contrats copiés de « {source.code} » ; {dossiers} dossiers générés "
                f"sur l'appel {annee} de chacun des {len(contrats)} contrats, soit "
                f"{dossiers * len(contrats)}, en {duree:.1f} s ({compte} lignes insérées)."
            )
        else:
            self.stdout.write(
                f"{dossiers} dossiers générés sur l'appel {annee} en {duree:.1f} s "
                f"({compte} lignes insérées)."
            )

    def _contrat(self, code):
        if code:
            contrat = Contrat.objects.filter(code=code).first()
            if contrat is None:
                raise CommandError(f"Aucun contrat n'a le code « {code} ».")
            return contrat
        contrat = Contrat.objects.par_defaut()
        if contrat is None:
            raise CommandError("Chargez d'abord le référentiel : manage.py loaddata referentiel.")
        return contrat


@dataclass
class Fiche:
    """What is kept of a dossier once inserted."""

    statut: str
    objectif_id: int
    public_6_11: bool
    pk: int | None = None


class Generateur(Insertions):
    def __init__(self, contrats, annee, graine):
        super().__init__()
        self.contrats = contrats
        self.annee = annee
        self.graine = graine
        self.fuseau = timezone.get_current_timezone()
        self.depot = datetime.datetime(annee - 1, 12, 1, tzinfo=self.fuseau)

    def _jour(self, r, mois_debut, mois_fin, heure=10):
        """A random moment of the call's year between two months (comité, bilans…)."""
        debut = datetime.date(self.annee, mois_debut, 1)
        fin = datetime.date(self.annee, mois_fin, 28)
        jour = debut + datetime.timedelta(days=r.randint(0, (fin - debut).days))
        return datetime.datetime(jour.year, jour.month, jour.day, heure, tzinfo=self.fuseau)

    def _structures(self, cibles, nombre):
        existants = set(Structure.objects.values_list("siret", flat=True))
        base = 70_000_000 + Structure.objects.count()
        structures, n = [], base
        for cible in cibles:
            r = cible.r
            while len(cible.structures) < nombre:
                n += 1
                siret = _siret(n)
                if siret in existants:
                    continue
                cible.structures.append(Structure(
                    raison_sociale=f"{r.choice(FORMES)} {r.choice(THEMES)} n°{n - base}",
                    type=Structure.Type.ASSOCIATION, siret=siret,
                    rna=f"W30{n % 10_000_000:07d}", adresse=f"{r.randint(1, 120)} rue d'Avéjan",
                    code_postal="30100", commune="Alès", representant_nom="Martin",
                    representant_prenom="Claire", representant_fonction="présidente",
                ))
            structures += cible.structures
        self._inserer(Structure, structures)

    def generer(self, nombre):
        """``nombre`` dossiers on each contract's call, by slices of ``TRANCHE`` per contract.

        Within a slice, the contracts' dossiers alternate one by one (and so do their budget
        lines, bilans…), as when many territories take submissions at the same time.
        """
        cibles = [
            Cible(contrat, self.annee, random.Random(self.graine + 7919 * rang))
            for rang, contrat in enumerate(self.contrats)
        ]
        self.numeriques = {}
        for indicateur in Indicateur.objects.filter(
            objectif__contrat__in=self.contrats, nature=Indicateur.Nature.NOMBRE
        ):
            self.numeriques.setdefault(indicateur.objectif_id, []).append(indicateur)
        self._structures(cibles, max(nombre // 8, 10))
        for debut in range(0, nombre, TRANCHE):
            self._tranche(cibles, min(TRANCHE, nombre - debut))
        for cible in cibles:
            CompteurReferences.objects.filter(pk=cible.appel.pk).update(
                dernier_numero=cible.premier + nombre
            )
        # The requested amount kept on each dossier (the queue sorts on it), in one UPDATE.
        actualiser_montants_demandes(
            Dossier.objects.filter(appel__in=[cible.appel for cible in cibles])
        )
        return self.lignes

    def _dossier(self, cible):
        """One dossier's columns, and what the later steps read of it (``Fiche``)."""
        r, i = cible.r, cible.faits
        cible.faits += 1
        numero = cible.premier + i + 1
        statut = r.choices(STATUTS, POIDS)[0]
        adultes, mineurs = r.random() < 0.8, r.random() < 0.5
        action = r.choice(cible.actions)
        colonnes = {
            "structure_id": r.choice(cible.structures).pk, "appel_id": cible.appel.pk,
            "statut": statut, "numero": numero,
            "reference": f"{cible.prefixe}-{self.annee}-{numero:04d}",
            "cree_le": self._le(self.depot - datetime.timedelta(days=r.randint(1, 40))),
            "modifie_le": self._le(self.depot),
            "depose_le": self._le(self.depot + datetime.timedelta(minutes=i % 5000)),
            "action_principale_id": action.pk,
            "intitule": f"Action de proximité n°{numero}",
            "resume": "Ateliers et animations dans les quartiers.",
            "date_debut": self._date(datetime.date(self.annee, 2, 1)),
            "date_fin": self._date(datetime.date(self.annee, 11, 30)),
            "lieux": "Quartiers prioritaires", "part_beneficiaires_qpv": r.randint(50, 100),
            "public_26_64": adultes, "public_6_11": mineurs,
            "beneficiaires_femmes": r.randint(5, 80) if adultes else None,
            "beneficiaires_hommes": r.randint(5, 80) if adultes else None,
            "beneficiaires_filles": r.randint(5, 60) if mineurs else None,
            "beneficiaires_garcons": r.randint(5, 60) if mineurs else None,
        }
        return colonnes, Fiche(statut=statut, objectif_id=action.objectif_id, public_6_11=mineurs)

    def _tranche(self, cibles, taille):
        paires = [(c, self._dossier(c)) for _ in range(taille) for c in cibles]
        cles = self._inserer_objets(Dossier, [colonnes for _c, (colonnes, _f) in paires],
                                    retour=True)
        paires = [(c, fiche) for (c, (_colonnes, fiche)) in paires]
        for (_c, fiche), pk in zip(paires, cles, strict=True):
            fiche.pk = pk
        self._inserer_brut(Dossier.quartiers.through, ["dossier", "quartierprioritaire"], [
            (d.pk, q)
            for c, d in paires if c.r.random() < 0.85
            for q in c.r.sample(c.quartiers, 1 if c.r.random() < 0.8 else 2)
        ])
        self._inserer_objets(HistoriqueStatut, [
            {"dossier_id": d.pk, "appel_id": c.appel.pk, "de": Statut.DEPOSE, "vers": d.statut,
             "le": self._le(self.depot)}
            for c, d in paires
        ])
        budgets, demandes = self._budgets(paires)
        previsions = self._previsions(paires)
        self._instructions_et_decisions(paires, demandes)
        self._bilans(paires, budgets, previsions)

    def _budgets(self, paires):
        budgets, demandes = [], {}
        for c, d in paires:
            r = c.r
            total = r.randint(30, 400) * 100
            etat, epci = total * r.randint(20, 35) // 100, total * r.randint(15, 30) // 100
            secondaire = total * r.randint(0, 20) // 100
            lignes = {
                "60": total * 20 // 100, "64": total * 70 // 100,
                "74_etat_pv": etat, "74_epci": epci,
                r.choice(FINANCEURS_SECONDAIRES): secondaire,
            }
            lignes["ci"] = total - lignes["60"] - lignes["64"]
            lignes["75"] = total - etat - epci - secondaire
            demandes[d.pk] = etat + epci
            budgets += [
                (c, d.pk, code, montant) for code, montant in lignes.items() if montant > 0
            ]
        self._inserer_brut(LigneBudget, ["dossier", "appel", "code", "montant", "precision"],
                           [(d, c.appel.pk, code, montant, "") for c, d, code, montant in budgets])
        return budgets, demandes

    def _previsions(self, paires):
        previsions = []
        for c, d in paires:
            for indicateur in self.numeriques.get(d.objectif_id, []):
                champs = champs_prevision(indicateur)
                previsions.append((c, d.pk, indicateur, {k: c.r.randint(0, 60) for k in champs}))
        self._inserer_brut(
            PrevisionIndicateur, ["dossier", "appel", "indicateur", *COLONNES],
            [(d, c.appel.pk, i.pk, *(v.get(k) for k in COLONNES)) for c, d, i, v in previsions],
        )
        return previsions

    def _instructions_et_decisions(self, paires, demandes):
        """Instructions concluded in January or February of the call's year, decisions taken
        by the comité between March and May of that year."""
        instructions = []
        for c, d in paires:
            if d.statut not in INSTRUITS | {Statut.EN_INSTRUCTION}:
                continue
            conclue = self._jour(c.r, 1, 2) if d.statut in INSTRUITS else None
            instructions.append({
                "dossier_id": d.pk, "appel_id": c.appel.pk, "montant_demande": demandes[d.pk],
                "avis": Avis.DEFAVORABLE if d.statut == Statut.NON_RETENU else (
                    Avis.FAVORABLE if d.statut in INSTRUITS else ""
                ),
                "montant_propose": None
                if d.statut in (Statut.NON_RETENU, Statut.EN_INSTRUCTION)
                else demandes[d.pk] * c.r.randint(70, 100) // 100,
                "commencee_le": self._le(self.depot + datetime.timedelta(days=10)),
                "conclue_le": self._le(conclue), "modifiee_le": self._le(conclue),
            })
        self._inserer_objets(Instruction, instructions)
        limite = self._date(datetime.date(self.annee + 1, 6, 30))
        decisions = []
        for c, d in paires:
            if d.statut in RETENUS:
                decisions.append({
                    "dossier_id": d.pk, "appel_id": c.appel.pk,
                    "nature": Decision.Nature.RETENU,
                    "montant_demande": demandes[d.pk],
                    "montant_accorde": max(demandes[d.pk] * c.r.randint(60, 100) // 100, 1),
                    "date_limite_bilan": limite, "decidee_le": self._le(self._jour(c.r, 3, 5)),
                })
            elif d.statut in (Statut.NON_RETENU, Statut.CLASSE_SANS_SUITE):
                decisions.append({
                    "dossier_id": d.pk, "appel_id": c.appel.pk, "nature": d.statut,
                    "montant_demande": demandes[d.pk],
                    "motif": "Action hors des priorités de l'année.",
                    "decidee_le": self._le(self._jour(c.r, 3, 5)),
                })
        self._inserer_objets(Decision, decisions)

    def _bilans(self, paires, budgets, previsions):
        """Bilans begun, sent and validated in December of the call's year (actions end on
        30 November)."""
        lignes, avec_bilan = [], [(c, d) for c, d in paires if d.statut in AVEC_BILAN]
        for c, d in avec_bilan:
            cree = self._jour(c.r, 12, 12, heure=9)
            depose = cree + datetime.timedelta(hours=2)
            valide = depose + datetime.timedelta(days=1)
            lignes.append({
                "dossier_id": d.pk, "appel_id": c.appel.pk,
                "realisation": "Ateliers hebdomadaires et deux temps forts.",
                "date_debut": self._date(datetime.date(self.annee, 2, 1)),
                "date_fin": self._date(datetime.date(self.annee, 11, 30)),
                "lieux": "Quartiers prioritaires",
                "beneficiaires_femmes": c.r.randint(5, 90),
                "beneficiaires_hommes": c.r.randint(5, 90),
                "beneficiaires_filles": c.r.randint(0, 60) if d.public_6_11 else 0,
                "beneficiaires_garcons": c.r.randint(0, 60) if d.public_6_11 else 0,
                "profil_beneficiaires": "Familles des quartiers.",
                "objectifs_atteints": c.r.choice(Bilan.Atteinte.values), "difficultes": "Aucune.",
                "perspectives": "Reconduction.", "cree_le": self._le(cree),
                "modifie_le": self._le(depose),
                "depose_le": self._le(depose) if d.statut != Statut.BILAN_A_REMETTRE else None,
                "valide_le": self._le(valide) if d.statut == Statut.CLOTURE else None,
            })
        cles = self._inserer_objets(Bilan, lignes, retour=True)
        bilan_du_dossier = {d.pk: cle for (_c, d), cle in zip(avec_bilan, cles, strict=True)}
        realisations = []
        for c, dossier_id, indicateur, valeurs in previsions:
            bilan = bilan_du_dossier.get(dossier_id)
            if bilan is None:
                continue
            atteint = {k: max(v + c.r.randint(-15, 20), 0) for k, v in valeurs.items()}
            realisations.append((bilan, indicateur.pk, *(atteint.get(k) for k in COLONNES), ""))
        self._inserer_brut(
            RealisationIndicateur, ["bilan", "indicateur", *COLONNES, "texte"], realisations
        )
        comptes_rendus = []
        for c, dossier_id, code, montant in budgets:
            bilan = bilan_du_dossier.get(dossier_id)
            if bilan is None:
                continue
            realise = montant * c.r.randint(80, 120) // 100
            explication = (
                "Activité ajustée en cours d'année."
                if abs(realise - montant) * 100 > 15 * montant else ""
            )
            comptes_rendus.append((bilan, code, montant, realise, explication))
        self._inserer_brut(
            LigneCompteRendu, ["bilan", "code", "prevu", "realise", "explication"],
            comptes_rendus,
        )
