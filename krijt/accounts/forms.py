from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    keep_signed_in = forms.BooleanField(label=_("Keep me signed in on this device"), required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the letter"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "placeholder": "XXXX-XXXX-XXXX"}
        ),
    )


class ParentAccountForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False, help_text=_("Used only to reset your password."))
    username = forms.CharField(
        label=_("Choose a user name"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Choose a password"), max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class OwnPasswordForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"), max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(
        label=_("New password"), max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; a few words you remember easily make a strong password."))
    new_password2 = forms.CharField(
        label=_("New password again"), max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class OwnEmailForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), required=False,
                             help_text=_("Where Krijt sends password resets and, if you want them, notifications."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    email_password = forms.CharField(
        label=_("Your password, to confirm"), max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class OwnLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES,
                                 help_text=_("Krijt speaks this language to you on every device, and in e-mails."))
