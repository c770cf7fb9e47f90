"""The dossier's fields as the form sends them: the section of each, the forecast columns.

Read by the draft service, which saves them, and by the journal, which copies them.
"""

from ..models import Section, TrancheAge

# The cover page of the Cerfa n°12156*06: what kind of aid, for what, over how long.
CHAMPS_OBJET_DEMANDE = (
    "aide_numeraire", "aide_nature", "objet_demande", "duree_demande", "annees_demande",
    "premiere_demande",
)
CHAMPS_PAR_SECTION = {
    Section.IDENTITE: {
        "action_principale", "actions_secondaires", "contact_nom", "contact_email",
        "contact_telephone", "contact_prenom", "contact_fonction", *CHAMPS_OBJET_DEMANDE,
    },
    Section.PROJET: {
        "intitule", "resume", "contexte", "objectifs", "description", "date_debut", "date_fin",
        "justification_dates", "lieux", "quartiers", "part_beneficiaires_qpv",
        *(f"public_{t.value}" for t in TrancheAge),
        "beneficiaires_femmes", "beneficiaires_hommes", "beneficiaires_filles",
        "beneficiaires_garcons", "salaries", "etpt", "benevoles", "partenaires",
        "volontaires", "duree", "moyens_materiels", "evaluation",
    },
    Section.DECLARATION: {
        "signataire_est_representant", "declaration_minimis", "declaration_comptes_approuves",
        "declaration_compte_propre", "declaration_fait_a",
    },
}
SECTION_DU_CHAMP = {
    champ: section for section, champs in CHAMPS_PAR_SECTION.items() for champ in champs
}
CHAMPS_PREVISION = ("valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons")
