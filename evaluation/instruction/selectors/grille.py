"""The checklist: each requirement, the structure's answer, the verdict; what is still missing."""

from dataclasses import dataclass

from candidatures.dossiers.selectors import exigences_du_dossier
from candidatures.models import DemandeCorrection
from evaluation.models import Avis, VerdictExigence


@dataclass
class LigneGrille:
    exigence: object
    reponse: str
    verdict: VerdictExigence | None

    @property
    def valeur(self):
        return self.verdict.verdict if self.verdict else ""

    @property
    def commentaire(self):
        return self.verdict.commentaire if self.verdict else ""


def grille(dossier, instruction=None):
    """Each requirement of the dossier's objectives, the structure's answer and the verdict."""
    reponses = {r.exigence_id: r.texte for r in dossier.reponses.all()}
    verdicts = {v.exigence_id: v for v in instruction.verdicts.all()} if instruction else {}
    return [
        LigneGrille(e, reponses.get(e.pk, ""), verdicts.get(e.pk))
        for e in exigences_du_dossier(dossier)
    ]


def manques_instruction(dossier, instruction):
    """What the instructor must still give before concluding: verdicts, avis, amount, synthesis."""
    manques = []
    for ligne in grille(dossier, instruction):
        if not ligne.valeur:
            manques.append(
                f"Exigence {ligne.exigence.objectif.code} n°{ligne.exigence.ordre} : "
                "indiquez un verdict."
            )
    if not instruction.avis:
        manques.append("Avis : choisissez favorable, favorable avec réserves ou défavorable.")
    elif instruction.avis != Avis.DEFAVORABLE and not instruction.montant_propose:
        manques.append("Montant proposé : indiquez le montant proposé au comité.")
    if not instruction.synthese.strip():
        manques.append("Synthèse pour le comité : rédigez-la.")
    return manques


def corrections_en_attente(dossier):
    return DemandeCorrection.objects.filter(dossier=dossier, traitee_le__isnull=True).exists()

