"""Create the demo accounts (one per role) and a demo structure; print the logins. Dev only."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from candidatures.appels.demo import creer_appels_demo
from candidatures.models import Membre, Role, Structure, Utilisateur
from candidatures.structures import services

MOT_DE_PASSE_DEMO = "demo-contrat-ville"

COMPTES_DEMO = [
    ("porteur@demo.test", "Camille", "Porteur", Role.PORTEUR),
    ("instructeur@demo.test", "Dominique", "Instructeur", Role.INSTRUCTEUR),
    ("comite@demo.test", "Claude", "Comité", Role.COMITE),
    ("admin@demo.test", "Alex", "Administrateur", Role.ADMINISTRATEUR),
]

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
    "contact_nom": "Camille Porteur",
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
        lignes = []
        comptes = {}
        for email, prenom, nom, role in COMPTES_DEMO:
            user, cree = Utilisateur.objects.get_or_create(
                email=email,
                defaults={"prenom": prenom, "nom": nom, "email_confirme_le": timezone.now()},
            )
            if cree:
                user.set_password(MOT_DE_PASSE_DEMO)
                if role == Role.ADMINISTRATEUR:
                    user.is_staff = True
                    user.is_superuser = True
                user.save()
            user.groups.add(Group.objects.get(name=role))
            comptes[role] = user
            lignes.append(f"  {role.label:<22} {email:<26} mot de passe : {MOT_DE_PASSE_DEMO}")
        self.stdout.write("Comptes de démonstration :")
        self.stdout.write("\n".join(lignes))
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
