from django.shortcuts import render


def refuse(request, reason: str, *, status: int = 403):
    """A page that says why the request was refused, with the right status."""
    return render(request, "refused.html", {"reason": reason, "status": status}, status=status)
