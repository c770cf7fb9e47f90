"""Generate a realistic volume for one call: structures, dossiers, decisions, bilans (bulk)."""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from stdnum import luhn

from candidatures.dossiers.selectors import champs_prevision
from candidatures.models import (
    AppelAProjets,
    CompteurReferences,
    Dossier,
    HistoriqueStatut,
    LigneBudget,
    PrevisionIndicateur,
    Statut,
    Structure,
)
from evaluation.models import (
    Avis,
    Bilan,
    Decision,
    Instruction,
    LigneCompteRendu,
    RealisationIndicateur,
)
from referentiel.models import Action, Contrat, Indicateur

LOT = 5000
LOT_BRUT = 1000
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
        "actions, instructions, décisions, bilans avec valeurs F/H), par insertions groupées."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=1000)
        parser.add_argument("--annee", type=int, default=None,
                            help="Année de l'appel (par défaut l'année dernière).")
        parser.add_argument("--graine", type=int, default=42, help="Graine du hasard.")
        parser.add_argument(
            "--si-vide",
            action="store_true",
            help="Ne rien faire si l'appel de cette année a déjà des dossiers (démonstration).",
        )

    def handle(self, *args, dossiers, annee, graine, si_vide=False, **options):
        debut = time.perf_counter()
        if dossiers < 1:
            raise CommandError("--dossiers doit être positif.")
        contrat = Contrat.objects.par_defaut()
        if contrat is None:
            raise CommandError("Chargez d'abord le référentiel : manage.py loaddata referentiel.")
        annee = annee or timezone.localdate().year - 1
        if si_vide and Dossier.objects.filter(appel__contrat=contrat, appel__annee=annee).exists():
            self.stdout.write(f"L'appel {annee} a déjà des dossiers : rien n'est généré.")
            return
        with transaction.atomic():
            compte = Generateur(contrat, annee, random.Random(graine)).generer(dossiers)
        self.stdout.write(
            f"{dossiers} dossiers générés sur l'appel {annee} en "
            f"{time.perf_counter() - debut:.1f} s ({compte} lignes insérées)."
        )


class Generateur:
    def __init__(self, contrat, annee, hasard):
        self.contrat = contrat
        self.annee = annee
        self.r = hasard
        self.lignes = 0

    def _inserer(self, modele, objets):
        cree = modele.objects.bulk_create(objets, batch_size=LOT)
        self.lignes += len(cree)
        return cree

    def _inserer_brut(self, modele, colonnes, lignes):
        """Multi-row INSERTs of plain values: rows whose keys are not needed back, 10× faster."""
        table = connection.ops.quote_name(modele._meta.db_table)
        noms = ", ".join(
            connection.ops.quote_name(modele._meta.get_field(c).column) for c in colonnes
        )
        ligne = "(" + ", ".join(["%s"] * len(colonnes)) + ")"
        with connection.cursor() as curseur:
            for debut in range(0, len(lignes), LOT_BRUT):
                lot = lignes[debut:debut + LOT_BRUT]
                curseur.execute(
                    f"INSERT INTO {table} ({noms}) VALUES {', '.join([ligne] * len(lot))}",
                    [v for valeurs in lot for v in valeurs],
                )
        self.lignes += len(lignes)

    def _appel(self):
        fuseau = timezone.get_current_timezone()
        appel, _ = AppelAProjets.objects.get_or_create(
            contrat=self.contrat, annee=self.annee,
            defaults={
                "titre": f"Appel à projets {self.annee} du contrat de ville",
                "ouverture": datetime.datetime(self.annee - 1, 10, 1, tzinfo=fuseau),
                "cloture": datetime.datetime(self.annee - 1, 12, 15, 12, tzinfo=fuseau),
                "enveloppe_totale": 400000,
            },
        )
        return appel

    def _structures(self, nombre):
        existants = set(Structure.objects.values_list("siret", flat=True))
        base = 70_000_000 + Structure.objects.count()
        structures, n = [], base
        while len(structures) < nombre:
            n += 1
            siret = _siret(n)
            if siret in existants:
                continue
            structures.append(Structure(
                raison_sociale=f"{self.r.choice(FORMES)} {self.r.choice(THEMES)} n°{n - base}",
                type=Structure.Type.ASSOCIATION, siret=siret, rna=f"W30{n % 10_000_000:07d}",
                adresse=f"{self.r.randint(1, 120)} rue d'Avéjan", code_postal="30100",
                commune="Alès", representant_nom="Martin", representant_prenom="Claire",
                representant_fonction="présidente",
            ))
        return self._inserer(Structure, structures)

    def generer(self, nombre):
        r = self.r
        appel = self._appel()
        structures = self._structures(max(nombre // 8, 10))
        actions = list(
            Action.objects.filter(
                contrat=self.contrat,
                objectif__hors_appel_a_projets=False, renvois__isnull=True,
            ).select_related("objectif")
        )
        numeriques = {}
        for indicateur in Indicateur.objects.filter(
            objectif__contrat=self.contrat, nature=Indicateur.Nature.NOMBRE
        ):
            numeriques.setdefault(indicateur.objectif_id, []).append(indicateur)
        quartiers = list(self.contrat.quartiers.values_list("pk", flat=True))
        statuts = [s for s, _ in REPARTITION]
        poids = [p for _, p in REPARTITION]
        CompteurReferences.objects.get_or_create(appel=appel)
        premier = CompteurReferences.objects.select_for_update().get(pk=appel.pk).dernier_numero
        fuseau = timezone.get_current_timezone()
        depot = datetime.datetime(self.annee - 1, 12, 1, tzinfo=fuseau)

        dossiers = []
        for i in range(nombre):
            numero = premier + i + 1
            statut = r.choices(statuts, poids)[0]
            adultes, mineurs = r.random() < 0.8, r.random() < 0.5
            dossiers.append(Dossier(
                structure=r.choice(structures), appel=appel, statut=statut, numero=numero,
                reference=f"AAP-{self.annee}-{numero:04d}",
                cree_le=depot - datetime.timedelta(days=r.randint(1, 40)),
                modifie_le=depot, depose_le=depot + datetime.timedelta(minutes=i % 5000),
                action_principale=r.choice(actions),
                intitule=f"Action de proximité n°{numero}",
                resume="Ateliers et animations dans les quartiers.",
                date_debut=datetime.date(self.annee, 2, 1),
                date_fin=datetime.date(self.annee, 11, 30),
                lieux="Quartiers prioritaires", part_beneficiaires_qpv=r.randint(50, 100),
                public_26_64=adultes, public_6_11=mineurs,
                beneficiaires_femmes=r.randint(5, 80) if adultes else None,
                beneficiaires_hommes=r.randint(5, 80) if adultes else None,
                beneficiaires_filles=r.randint(5, 60) if mineurs else None,
                beneficiaires_garcons=r.randint(5, 60) if mineurs else None,
            ))
        dossiers = self._inserer(Dossier, dossiers)
        CompteurReferences.objects.filter(pk=appel.pk).update(dernier_numero=premier + nombre)

        self._inserer_brut(Dossier.quartiers.through, ["dossier", "quartierprioritaire"], [
            (d.pk, q)
            for d in dossiers if r.random() < 0.85
            for q in r.sample(quartiers, 1 if r.random() < 0.8 else 2)
        ])
        self._inserer(HistoriqueStatut, [
            HistoriqueStatut(dossier_id=d.pk, de=Statut.DEPOSE, vers=d.statut, le=depot)
            for d in dossiers
        ])

        budgets, demandes = [], {}
        for d in dossiers:
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
                (d.pk, code, montant, "") for code, montant in lignes.items() if montant > 0
            ]
        self._inserer_brut(LigneBudget, ["dossier", "code", "montant", "precision"], budgets)

        colonnes = ["valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons"]
        previsions = []
        for d in dossiers:
            for indicateur in numeriques.get(d.action_principale.objectif_id, []):
                champs = champs_prevision(indicateur)
                previsions.append((d.pk, indicateur, {c: r.randint(0, 60) for c in champs}))
        self._inserer_brut(
            PrevisionIndicateur, ["dossier", "indicateur", *colonnes],
            [(d, i.pk, *(v.get(c) for c in colonnes)) for d, i, v in previsions],
        )

        instruits = [d for d in dossiers if d.statut in INSTRUITS | {Statut.EN_INSTRUCTION}]
        self._inserer(Instruction, [
            Instruction(
                dossier_id=d.pk, montant_demande=demandes[d.pk],
                avis=Avis.DEFAVORABLE if d.statut == Statut.NON_RETENU else (
                    Avis.FAVORABLE if d.statut in INSTRUITS else ""
                ),
                montant_propose=None if d.statut in (Statut.NON_RETENU, Statut.EN_INSTRUCTION)
                else demandes[d.pk] * r.randint(70, 100) // 100,
            )
            for d in instruits
        ])
        limite = datetime.date(self.annee + 1, 6, 30)
        decisions = []
        for d in dossiers:
            if d.statut in RETENUS:
                decisions.append(Decision(
                    dossier_id=d.pk, nature=Decision.Nature.RETENU,
                    montant_demande=demandes[d.pk],
                    montant_accorde=max(demandes[d.pk] * r.randint(60, 100) // 100, 1),
                    date_limite_bilan=limite,
                ))
            elif d.statut in (Statut.NON_RETENU, Statut.CLASSE_SANS_SUITE):
                decisions.append(Decision(
                    dossier_id=d.pk, nature=d.statut, montant_demande=demandes[d.pk],
                    motif="Action hors des priorités de l'année.",
                ))
        self._inserer(Decision, decisions)

        fin = timezone.make_aware(datetime.datetime(self.annee + 1, 3, 15))
        bilans = self._inserer(Bilan, [
            Bilan(
                dossier_id=d.pk, realisation="Ateliers hebdomadaires et deux temps forts.",
                date_debut=datetime.date(self.annee, 2, 1),
                date_fin=datetime.date(self.annee, 11, 30), lieux="Quartiers prioritaires",
                beneficiaires_femmes=r.randint(5, 90), beneficiaires_hommes=r.randint(5, 90),
                beneficiaires_filles=r.randint(0, 60) if d.public_6_11 else 0,
                beneficiaires_garcons=r.randint(0, 60) if d.public_6_11 else 0,
                profil_beneficiaires="Familles des quartiers.",
                objectifs_atteints=r.choice(Bilan.Atteinte.values), difficultes="Aucune.",
                perspectives="Reconduction.", cree_le=fin, modifie_le=fin,
                depose_le=fin if d.statut != Statut.BILAN_A_REMETTRE else None,
                valide_le=fin if d.statut == Statut.CLOTURE else None,
            )
            for d in dossiers if d.statut in AVEC_BILAN
        ])
        dossier_du_bilan = {b.dossier_id: b for b in bilans}
        realisations = []
        for dossier_id, indicateur, valeurs in previsions:
            bilan = dossier_du_bilan.get(dossier_id)
            if bilan is None:
                continue
            atteint = {c: max(v + r.randint(-15, 20), 0) for c, v in valeurs.items()}
            realisations.append(
                (bilan.pk, indicateur.pk, *(atteint.get(c) for c in colonnes), "")
            )
        self._inserer_brut(
            RealisationIndicateur, ["bilan", "indicateur", *colonnes, "texte"], realisations
        )
        comptes_rendus = []
        for dossier_id, code, montant, _precision in budgets:
            bilan = dossier_du_bilan.get(dossier_id)
            if bilan is None:
                continue
            realise = montant * r.randint(80, 120) // 100
            explication = (
                "Activité ajustée en cours d'année."
                if abs(realise - montant) * 100 > 15 * montant else ""
            )
            comptes_rendus.append((bilan.pk, code, montant, realise, explication))
        self._inserer_brut(
            LigneCompteRendu, ["bilan", "code", "prevu", "realise", "explication"],
            comptes_rendus,
        )
        return self.lignes
