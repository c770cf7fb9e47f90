"""Create the demo accounts (one per role) and a demo structure; print the logins. Dev only.

Two contracts: Alès Agglomération's (the default one), and the fictitious example contract,
loaded from its workbook, each with its own instructeur, comité and (for the example) territory
administrator, held as habilitations on the contract's territory.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from candidatures.appels.demo import charger_contrat_exemple, creer_appels_demo
from candidatures.models import Habilitation, Membre, Role, Structure, Utilisateur
from candidatures.structures import services
from referentiel.models import Contrat

MOT_DE_PASSE_DEMO = "demo-contrat-ville"

# Porteur and administrateur are portal-wide; instructeur and comité hold their role on the
# territory of the default contract (Alès Agglomération).
COMPTES_DEMO = [
    ("porteur@demo.test", "Camille", "Porteur", Role.PORTEUR),
    ("instructeur@demo.test", "Dominique", "Instructeur", Role.INSTRUCTEUR),
    ("comite@demo.test", "Claude", "Comité", Role.COMITE),
    ("admin@demo.test", "Alex", "Administrateur", Role.ADMINISTRATEUR),
]
# Staff of the example contract, on its (fictitious) territory.
COMPTES_EXEMPLE = [
    ("instructeur.exemple@demo.test", "Inès", "Instructrice Val-Fictif", "instructeur"),
    ("comite.exemple@demo.test", "Côme", "Comité Val-Fictif", "comite"),
    ("admin.exemple@demo.test", "Ada", "Administratrice Val-Fictif", "administrateur"),
]
LIBELLES_EXEMPLE = {
    "instructeur": "instructeur (exemple)",
    "comite": "comité (exemple)",
    "administrateur": "admin. du territoire (exemple)",
}

# A fictitious association of Alès; its SIRET and RNA are well-formed (Luhn key, W + 9 digits).
STRUCTURE_DEMO = {
    "raison_sociale": "Association Les Passerelles du Gardon",
    "sigle": "APG",
    "type": Structure.Type.ASSOCIATION,
    "siret": "81234567600017",
    "rna": "W301002345",
    "objet": (
        "Accompagnement à la scolarité, médiation sociale et activités culturelles avec les "
        "habitants des quartiers prioritaires d'Alès (Prés-Saint-Jean, Cévennes, Tamaris)."
    ),
    "adresse": "12 avenue Carnot",
    "code_postal": "30100",
    "commune": "Alès",
    "telephone": "04 66 00 00 00",
    "email": "contact@passerelles-gardon.test",
    "representant_nom": "Roux",
    "representant_prenom": "Martine",
    "representant_fonction": "Présidente",
    "representant_telephone": "04 66 00 00 01",
    "representant_email": "presidence@passerelles-gardon.test",
    "contact_prenom": "Camille",
    "contact_nom": "Porteur",
    "contact_fonction": "Coordinatrice",
    "contact_email": "porteur@demo.test",
    "iban": "FR7630006000011234567890189",
    "bic": "AGRIFRPP",
}


class Command(BaseCommand):
    help = (
        "Crée les comptes de démonstration (un par rôle) et une structure de démonstration. "
        "Refusé hors développement."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if not getattr(settings, "PORTAIL_DEMO", False):
            raise CommandError("Les données de démonstration ne sont créées qu'en développement.")
        defaut = Contrat.objects.select_related("territoire").par_defaut()
        if defaut is None:
            raise CommandError("Référentiel absent : lancez d'abord manage.py charger_referentiel.")
        contrat_exemple, ligne_exemple = charger_contrat_exemple()
        lignes = []
        comptes = {}
        for email, prenom, nom, role in COMPTES_DEMO:
            user = _compte(email, prenom, nom, administrateur=role == Role.ADMINISTRATEUR)
            if role in (Role.PORTEUR, Role.ADMINISTRATEUR):
                user.groups.add(Group.objects.get(name=role))
            else:
                _habiliter(user, role, defaut.territoire)
            comptes[role] = user
            lignes.append(_ligne_compte(role.label, email))
        for email, prenom, nom, role in COMPTES_EXEMPLE:
            user = _compte(email, prenom, nom)
            _habiliter(user, role, contrat_exemple.territoire)
            lignes.append(_ligne_compte(LIBELLES_EXEMPLE[role], email))
        self.stdout.write("Comptes de démonstration :")
        self.stdout.write("\n".join(lignes))
        self.stdout.write(
            f"  (instructeur et comité : {defaut.territoire} ; comptes « exemple » : "
            f"{contrat_exemple.territoire})"
        )
        self.stdout.write(ligne_exemple)
        self.stdout.write(
            f"Double authentification : {settings.PORTAIL_DOUBLE_AUTHENTIFICATION} "
            "(voir docs/double-authentification.md)"
        )

        structure = Structure.objects.filter(siret=STRUCTURE_DEMO["siret"]).first()
        if structure is None:
            structure = services.creer_structure(
                par=comptes[Role.PORTEUR], donnees=STRUCTURE_DEMO
            )
        else:
            Membre.objects.get_or_create(
                structure=structure,
                utilisateur=comptes[Role.PORTEUR],
                defaults={"role": Membre.Role.RESPONSABLE},
            )
        self.stdout.write(
            f"Structure de démonstration : {structure} (SIRET {structure.siret}), "
            f"responsable {comptes[Role.PORTEUR].email}"
        )
        self.stdout.write("\n".join(creer_appels_demo()))


def _compte(email, prenom, nom, *, administrateur=False):
    user, cree = Utilisateur.objects.get_or_create(
        email=email,
        defaults={"prenom": prenom, "nom": nom, "email_confirme_le": timezone.now()},
    )
    if cree:
        user.set_password(MOT_DE_PASSE_DEMO)
        if administrateur:
            user.is_staff = True
            user.is_superuser = True
        user.save()
    return user


def _habiliter(user, role, territoire):
    """The staff role on every contract of ``territoire`` (and no stale global group)."""
    Habilitation.objects.get_or_create(
        utilisateur=user, role=role, territoire=territoire, contrat=None
    )
    user.groups.remove(*Group.objects.filter(name__in=[Role.INSTRUCTEUR, Role.COMITE]))


def _ligne_compte(libelle, email):
    return f"  {libelle:<31} {email:<30} mot de passe : {MOT_DE_PASSE_DEMO}"
