"""匿名来信: writing to the secretary's mailbox without a name, and reading the reply by query code.

Neither page needs a login, and neither reads who is asking: the service takes no actor, nothing
goes into the session (no flash message: the code is shown on the page that answers the POST), and
the session's expiry is not pushed on (request.keeps_no_trace, core.middleware), so no row written
at that moment points back at the writer.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.errors import InvalidTransition
from supervision import selectors, services
from supervision.forms import LetterForm, QueryCodeForm


@never_cache
def letter_anonymous(request):
    request.keeps_no_trace = True
    form = LetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            letter, code = services.letter_write_anonymous(subject=d["subject"], body=d["body"])
        except InvalidTransition as e:
            form.add_error(None, e.reason)
            return render(request, "supervision/letter_anonymous.html", {"form": form}, status=e.status)
        return render(request, "supervision/letter_anonymous_sent.html", {"letter": letter, "code": code})
    return render(request, "supervision/letter_anonymous.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
def letter_query(request):
    """The writer of an anonymous letter reads it and its replies with the query code (POST, so the
    code stays out of URLs, browser history and the proxy's access log)."""
    request.keeps_no_trace = True
    form = QueryCodeForm(request.POST or None)
    letter = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            letter = selectors.letter_by_code(form.cleaned_data["code"])
            if letter is None:
                form.add_error("code", _("查询码不正确，请核对后重新输入。"))
                status = 404
        else:
            status = 400
    return render(request, "supervision/letter_query.html", {"form": form, "letter": letter}, status=status)
