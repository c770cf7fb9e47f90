"""Values every page needs: the portal's name."""

from django.conf import settings


def portail(request):
    return {"PORTAIL_NOM": settings.PORTAIL_NOM}
