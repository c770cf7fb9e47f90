"""Pages reserved to the staff: anyone else gets a French page that says so.

A porteur who opens an instruction page (a link forwarded by mistake, a guessed address) is
told the page is reserved to the staff of the contrat de ville, before any object is looked
up: the answer is the same whether the dossier or the call exists or not.
"""

from django.core.exceptions import PermissionDenied

MESSAGE = (
    "Cette page est réservée au personnel du contrat de ville (instructeurs, comité de "
    "pilotage, administrateurs)."
)
# Staff-only pages by namespace. The thread, the follow-up page, its attachments and the
# decision letter are also the structure's: they are left to their own checks.
PAGES_DU_PERSONNEL = {
    "evaluation": {
        "accueil", "affectations", "file", "export_xlsx", "export_csv", "affecter_piliers",
        "programmation", "enveloppes", "export_scdl", "instruction", "prendre", "affecter",
        "corrections", "decision", "export", "export_etat", "export_fichier", "export_lettres",
        "structures_suggerees",
    },
    "bilans": {
        "tableau_de_bord", "xlsx", "pdf", "contrats", "pluriannuel", "pluriannuel_xlsx",
        "parametres", "document",
    },
    # The convention page and its PDF are also the structure's (left to their own checks).
    "conventions": {"tableau", "tableau_xlsx", "parametres", "paiement", "sans_solde"},
    "donnees_ouvertes": {"publier"},
}


class PagesDuPersonnel:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        correspondance = request.resolver_match
        if (
            correspondance is not None
            and correspondance.url_name in PAGES_DU_PERSONNEL.get(correspondance.namespace, ())
            and request.user.is_authenticated
            and not request.user.est_personnel
        ):
            raise PermissionDenied(MESSAGE)
        return None
