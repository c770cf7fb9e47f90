"""The one field of the second-factor pages: a code."""

import re

from django import forms

from .services import normaliser_code

ATTRIBUTS_CODE = {
    "autocomplete": "one-time-code",
    "autocapitalize": "none",
    "spellcheck": "false",
    "autofocus": True,
    "class": "code-second-facteur",
}


class CodeForm(forms.Form):
    """A code of the application (6 digits), or a recovery code when ``secours`` is allowed."""

    code = forms.CharField(
        label="Code à 6 chiffres de votre application",
        max_length=40,
        error_messages={"required": "Saisissez le code affiché par votre application."},
    )

    def __init__(self, *args, secours=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.secours = secours
        champ = self.fields["code"]
        champ.widget.attrs.update(ATTRIBUTS_CODE)
        if secours:
            champ.help_text = (
                "Téléphone indisponible ? Saisissez à la place l'un de vos codes de secours "
                "(8 caractères, par exemple abcd-2345)."
            )
        else:
            champ.widget.attrs["inputmode"] = "numeric"
            champ.help_text = "Le code change toutes les 30 secondes."

    def clean_code(self):
        code = normaliser_code(self.cleaned_data["code"])
        if not self.secours and not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(
                "Le code de l'application compte 6 chiffres, par exemple 123456."
            )
        if self.secours and not code.isascii():
            raise forms.ValidationError("Ce code n'est pas valable.")
        return code
