from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, when the request comes from a proxy listed in
    TRUSTED_PROXIES, the last X-Forwarded-For entry (the one that proxy appended; entries before
    it were sent by the client and prove nothing)."""
    remote = request.META.get("REMOTE_ADDR")
    if remote and remote in settings.TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return remote


def refuse(request, reason: str, *, status: int = 403):
    """A page that says why the request was refused, with the right status."""
    return render(request, "refused.html", {"reason": reason, "status": status}, status=status)
