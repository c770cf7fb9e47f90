"""The dossier's fields as the form sends them: the section of each, the forecast columns.

Read by the draft service, which saves them, and by the journal, which copies them.
"""

from ..models import Section, TrancheAge

CHAMPS_PAR_SECTION = {
    Section.IDENTITE: {
        "action_principale", "actions_secondaires", "contact_nom", "contact_email",
        "contact_telephone",
    },
    Section.PROJET: {
        "intitule", "resume", "contexte", "objectifs", "description", "date_debut", "date_fin",
        "justification_dates", "lieux", "quartiers", "part_beneficiaires_qpv",
        *(f"public_{t.value}" for t in TrancheAge),
        "beneficiaires_femmes", "beneficiaires_hommes", "beneficiaires_filles",
        "beneficiaires_garcons", "salaries", "etpt", "benevoles", "partenaires",
    },
}
SECTION_DU_CHAMP = {
    champ: section for section, champs in CHAMPS_PAR_SECTION.items() for champ in champs
}
CHAMPS_PREVISION = ("valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons")
