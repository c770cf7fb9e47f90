"""The models of candidatures, one module per area; all of them are importable from here."""

from .appels import (
    AppelAProjets,
    AppelAProjetsQuerySet,
    CompteurReferences,
    DocumentAppel,
    EnveloppePilier,
)
from .comptes import Habilitation, Role, Utilisateur, UtilisateurManager
from .contenu import LigneBudget, PieceJointe, PrevisionIndicateur, ReponseExigence, chemin_piece
from .cycle import (
    STATUTS_AVANT_DECISION,
    STATUTS_BILAN,
    STATUTS_EN_COURS_INSTRUCTION,
    STATUTS_REFUSES,
    STATUTS_RETENUS,
    STATUTS_SAISIE,
    TRANSITIONS,
    Statut,
)
from .dossiers import (
    DemandeCorrection,
    Dossier,
    DossierQuerySet,
    HistoriqueStatut,
    ModificationDossier,
    Section,
    TrancheAge,
)
from .pdf import PdfDossier, chemin_pdf
from .structures import (
    DemandeAdhesion,
    DocumentStructure,
    DocumentStructureQuerySet,
    Invitation,
    Membre,
    Structure,
    StructureQuerySet,
    chemin_document_structure,
)

__all__ = [
    "STATUTS_AVANT_DECISION",
    "STATUTS_BILAN",
    "STATUTS_EN_COURS_INSTRUCTION",
    "STATUTS_REFUSES",
    "STATUTS_RETENUS",
    "STATUTS_SAISIE",
    "TRANSITIONS",
    "AppelAProjets",
    "Habilitation",
    "AppelAProjetsQuerySet",
    "CompteurReferences",
    "DemandeAdhesion",
    "DemandeCorrection",
    "DocumentAppel",
    "DocumentStructure",
    "DocumentStructureQuerySet",
    "Dossier",
    "DossierQuerySet",
    "EnveloppePilier",
    "HistoriqueStatut",
    "Invitation",
    "LigneBudget",
    "Membre",
    "PdfDossier",
    "ModificationDossier",
    "PieceJointe",
    "PrevisionIndicateur",
    "ReponseExigence",
    "Role",
    "Section",
    "Statut",
    "Structure",
    "StructureQuerySet",
    "TrancheAge",
    "Utilisateur",
    "UtilisateurManager",
    "chemin_document_structure",
    "chemin_pdf",
    "chemin_piece",
]
