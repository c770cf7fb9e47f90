"""Reads of one bilan: its indicators, its compte rendu financier with gaps, what is missing."""

from dataclasses import dataclass

from django.db.models import F, OuterRef

from candidatures.commun.formats import euros
from candidatures.dossiers import budget
from candidatures.dossiers.selectors import TRANCHES_MAJEURS, TRANCHES_MINEURS, champs_prevision
from candidatures.models import STATUTS_BILAN, AppelAProjets, Dossier, LigneBudget, Statut
from candidatures.models.structures import ExisteParLigne
from referentiel.models import Indicateur

from ..models import SEUIL_ECART_DEFAUT, Bilan, ParametresBilan

# A bilan is typed while the action runs, when it is due and when it is returned for corrections.


def seuil_ecart(appel):
    """The gap (in %) above which a line of the compte rendu must be explained, for this call."""
    seuil = (
        ParametresBilan.objects.filter(appel=appel).values_list("seuil_ecart", flat=True).first()
    )
    return seuil or SEUIL_ECART_DEFAUT


def indicateurs_du_bilan(dossier):
    """Every indicator of the dossier's objectives (numbers, texts, documents), main first."""
    objectifs = dossier.objectifs_concernes()
    rang = {o.pk: i for i, o in enumerate(objectifs)}
    indicateurs = Indicateur.objects.filter(objectif__in=objectifs).select_related("objectif")
    return sorted(indicateurs, key=lambda i: (rang[i.objectif_id], i.ordre))


def champs_realisation(indicateur):
    """Columns answering an indicator: its breakdown, a text, or none (documents)."""
    if indicateur.nature == Indicateur.Nature.NOMBRE:
        return champs_prevision(indicateur)
    if indicateur.nature == Indicateur.Nature.TEXTE:
        return ["texte"]
    return []


@dataclass(frozen=True)
class Ecart:
    """Gap between forecast and actual amounts; ``pourcent`` is None when nothing was forecast."""

    euros: int | None
    pourcent: float | None
    a_expliquer: bool


def ecart(prevu, realise, seuil):
    """Gap of one line, and whether it exceeds ``seuil`` % (any spending on a line not forecast)."""
    if realise is None:
        return Ecart(None, None, False)
    difference = realise - prevu
    if not prevu:
        return Ecart(difference, None, realise > 0)
    # Whole numbers only: 15 % of 1 000 € is exactly 150 €, never 150.0000001.
    return Ecart(difference, difference * 100 / prevu, abs(difference) * 100 > seuil * prevu)


@dataclass
class LigneCR:
    definition: budget.Ligne
    prevu: int
    realise: int | None
    explication: str
    ecart: Ecart
    financeur: str = ""  # the funder a line names (« Région Occitanie »), from the budget


def compte_rendu(bilan, seuil=None):
    """Every line of the grid, each followed by its details (613, 641…), with forecast, actual
    amount and gap (lines never saved count 0). A detail's forecast is the dossier's budget
    detail; its gap is shown, the explanation is asked on its line."""
    seuil = seuil or seuil_ecart(bilan.dossier.appel_id)
    enregistrees = {ligne.code: ligne for ligne in bilan.lignes.all()}
    details = dict(bilan.details.values_list("code", "realise"))
    prevus_details, financeurs = {}, {}
    for code, montant, precision in LigneBudget.objects.filter(
        dossier_id=bilan.dossier_id,
        code__in=[s.code for s in budget.SOUS_LIGNES] + list(budget.FINANCEURS_NOMMES),
    ).values_list("code", "montant", "precision"):
        if code in budget.FINANCEURS_NOMMES:
            financeurs[code] = budget.financeur_nomme(
                code, precision, territoire="" if precision else _territoire(bilan)
            )
        else:
            prevus_details[code] = montant
    resultat = []
    for definition in budget.TOUTES_ORDONNEES:
        if definition.parent:
            prevu, realise = prevus_details.get(definition.code, 0), details.get(definition.code)
            ecart_detail = ecart(prevu, realise, seuil)
            resultat.append(LigneCR(
                definition=definition, prevu=prevu, realise=realise, explication="",
                ecart=Ecart(ecart_detail.euros, ecart_detail.pourcent, False),
            ))
            continue
        ligne = enregistrees.get(definition.code)
        prevu = ligne.prevu if ligne else 0
        realise = ligne.realise if ligne else None
        resultat.append(
            LigneCR(
                definition=definition,
                prevu=prevu,
                realise=realise,
                explication=ligne.explication if ligne else "",
                ecart=ecart(prevu, realise, seuil),
                financeur=financeurs.get(definition.code, ""),
            )
        )
    return resultat


def _territoire(bilan):
    return (
        Dossier.objects.filter(pk=bilan.dossier_id)
        .values_list("appel__contrat__territoire__nom", flat=True)
        .first()
    ) or ""


def totaux_compte_rendu(lignes):
    """Totals of the forecast and of the actual amounts, as ``budget.Totaux``."""
    return (
        budget.totaliser({lg.definition.code: lg.prevu for lg in lignes}),
        budget.totaliser({lg.definition.code: lg.realise or 0 for lg in lignes}),
    )


def champs_beneficiaires(dossier):
    """Beneficiary counts a bilan must give: adults by sex, minors by sex, as the dossier aimed."""
    publics = set(dossier.publics)
    champs = []
    if publics & TRANCHES_MAJEURS or not publics:
        champs += ["beneficiaires_femmes", "beneficiaires_hommes"]
    if publics & TRANCHES_MINEURS:
        champs += ["beneficiaires_filles", "beneficiaires_garcons"]
    return champs


SECTIONS = {
    "indicateurs": "Indicateurs réalisés",
    "qualitatif": "Bilan qualitatif",
    "financier": "Compte rendu financier",
    "documents": "Documents",
}
CHAMPS_QUALITATIFS_REQUIS = (
    "realisation", "date_debut", "date_fin", "lieux", "profil_beneficiaires",
    "objectifs_atteints", "difficultes", "perspectives",
)


def _vide(valeur):
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def _manques_cerfa(bilan, lignes):
    """What the Cerfa n°15059*02 asks beside the grid (dossiers of the complete form only)."""
    m = []
    indirectes = next((lg.realise for lg in lignes if lg.definition.code == "ci"), None)
    if indirectes and _vide(bilan.regle_charges_indirectes):
        m.append("Charges indirectes : indiquez la règle de répartition appliquée à l'action.")
    if _vide(bilan.fait_a):
        m.append("Attestation : indiquez où elle est faite (« Fait à »).")
    return m


def manques(bilan, *, indicateurs=None, lignes=None):
    """What still prevents submission, per section: ``{section: [messages]}``, no empty sections."""
    dossier = bilan.dossier
    indicateurs = indicateurs if indicateurs is not None else indicateurs_du_bilan(dossier)
    lignes = lignes if lignes is not None else compte_rendu(bilan)
    resultat = {cle: [] for cle in SECTIONS}

    for champ in (*CHAMPS_QUALITATIFS_REQUIS, *champs_beneficiaires(dossier)):
        if _vide(getattr(bilan, champ)):
            libelle = Bilan._meta.get_field(champ).verbose_name
            resultat["qualitatif"].append(f"{str(libelle).capitalize()} : à renseigner.")

    realisations = {r.indicateur_id: r for r in bilan.realisations.all()}
    for indicateur in indicateurs:
        champs = champs_realisation(indicateur)
        realisation = realisations.get(indicateur.pk)
        if champs and (
            realisation is None or any(_vide(getattr(realisation, c)) for c in champs)
        ):
            quoi = "réponse" if champs == ["texte"] else "valeur réalisée"
            resultat["indicateurs"].append(
                f"Indicateur « {indicateur.libelle[:80]} » : {quoi} à saisir."
            )

    for ligne in lignes:
        if ligne.definition.parent:
            continue  # optional details: their line is required, and sums them when given
        if ligne.prevu and ligne.realise is None:
            resultat["financier"].append(
                f"Ligne « {ligne.definition.libelle} » : saisissez le montant réalisé (0 si rien)."
            )
        elif ligne.ecart.a_expliquer and _vide(ligne.explication):
            resultat["financier"].append(
                f"Ligne « {ligne.definition.libelle} » : expliquez l'écart avec la prévision."
            )
    _prevus, realises = totaux_compte_rendu(lignes)
    if not realises.charges:
        resultat["financier"].append("Saisissez les charges réalisées.")
    elif not realises.equilibre:
        resultat["financier"].append(
            f"Le total des charges réalisées ({euros(realises.charges)}) doit être égal au "
            f"total des produits réalisés ({euros(realises.produits)})."
        )
    if not realises.contributions_equilibrees:
        resultat["financier"].append(
            f"Les emplois des contributions volontaires (86 : "
            f"{euros(realises.contributions_emplois)}) "
            f"doivent être égaux aux contributions volontaires (87 : "
            f"{euros(realises.contributions_ressources)})."
        )

    if dossier.cerfa_complet:
        resultat["financier"] += _manques_cerfa(bilan, lignes)

    if any(i.nature == Indicateur.Nature.DOCUMENTS for i in indicateurs) and not (
        bilan.pieces.exists()
    ):
        resultat["documents"].append(
            "Déposez les documents demandés (bilan moral de l'action, photographies, feuilles "
            "de présence…)."
        )
    return {cle: m for cle, m in resultat.items() if m}


def dossiers_a_bilan(user):
    """Retained dossiers whose bilan the user may see, most urgent first."""
    dossiers = Dossier.objects.visibles_par(user).filter(statut__in=STATUTS_BILAN)
    return dossiers.select_related(
        "structure", "appel", "action_principale", "decision", "bilan"
    ).order_by("decision__date_limite_bilan", "reference")


def bilans_a_valider(user):
    """Submitted bilans of the user's contracts waiting for an instructor, oldest first: one
    dict per bilan with only what the list shows (``pk``, ``dossier_id``, ``depose_le``,
    ``reference``, ``intitule``, ``raison_sociale``, ``sigle``, ``action``)."""
    # Read in (depose_le, pk) order from the partial index of the bilans submitted and not
    # validated (a bilan waiting for validation is one of them), each bilan's dossier probed by
    # its key: a page costs the same for twenty waiting bilans as for thousands, and reads
    # only the columns it shows (no model instances).
    return (
        Bilan.objects.filter(
            ExisteParLigne(Dossier.objects.pour_le_personnel(user).filter(
                pk=OuterRef("dossier_id"), statut=Statut.BILAN_DEPOSE,
            )),
            depose_le__isnull=False, valide_le__isnull=True,
        )
        .order_by("depose_le", "pk")
        .values(
            "pk", "dossier_id", "depose_le", reference=F("dossier__reference"),
            intitule=F("dossier__intitule"), raison_sociale=F("dossier__structure__raison_sociale"),
            sigle=F("dossier__structure__sigle"), action=F("dossier__action_principale__code"),
        )
    )


def dossiers_bilan_depose(user):
    """The dossiers whose bilan waits for validation, as many as ``bilans_a_valider`` lists (a
    dossier is « bilan déposé » only by the submission of its bilan): what the list counts,
    from the index of the submitted dossiers by call and status; the user's calls are an
    ``IN (SELECT …)``, not a join (joined, PostgreSQL read the dossiers in key order)."""
    return Dossier.objects.filter(
        depose_le__isnull=False, statut=Statut.BILAN_DEPOSE,
        appel_id__in=AppelAProjets.objects.pour_le_personnel(user).values("pk"),
    ).order_by()
