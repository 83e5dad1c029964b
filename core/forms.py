"""What every Yishi form shares."""

import functools

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms import CharField, ModelChoiceField
from django.utils.translation import gettext_lazy as _

from core.text import is_blank


def not_blank(value: str) -> None:
    """A required text of only spaces or invisible characters is refused like an empty one
    (core.text says what is blank; the services refuse it too)."""
    if is_blank(value):
        raise ValidationError(_("此项不能只有空格或不可见字符。"), code="blank")


def _counting(init):
    """Run a form's __init__; once the outermost one has finished, fetch the choices."""

    @functools.wraps(init)
    def wrapped(self, *args, **kwargs):
        depth = self.__dict__.get("_init_depth", 0)
        self._init_depth = depth + 1
        try:
            init(self, *args, **kwargs)
        finally:
            self._init_depth = depth
        if depth == 0:
            self._fetch_choices()

    return wrapped


class ChoicesNow:
    """Model choice fields read their choices when the form is made, in the view, not while the
    template renders it: templates never query (tests/conftest.py holds them to it). A form's own
    __init__ may still narrow a field's queryset: the choices are fetched after it has finished.
    Validation still checks the submitted value against the field's queryset.

    Every required text field also refuses a value that shows nothing (not_blank)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _counting(cls.__dict__["__init__"])

    @_counting
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    def _fetch_choices(self):
        for field in self.fields.values():
            if isinstance(field, CharField) and field.required and not_blank not in field.validators:
                field.validators.append(not_blank)
            if isinstance(field, ModelChoiceField) and field.queryset is not None:
                field.widget.choices = list(iter(field.choices))  # iter(): no COUNT(*) first


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked before anyone is asked about it:
    AuthenticationForm sets max_length after its validators are built, so a 100 kB name reached
    authenticate() and the lockout's record of failed logins (a 255-character column)."""

    def clean_username(self):
        username = self.cleaned_data.get("username", "")
        limit = self.fields["username"].max_length or 150
        if len(username) > limit:
            raise ValidationError(_("用户名不能超过 %(limit)d 个字"), code="max_length", params={"limit": limit})
        return username


class NotificationSettingsForm(forms.Form):
    """E-mail reminders on or off (a check box: absent means off)."""

    email_reminders = forms.BooleanField(required=False)
