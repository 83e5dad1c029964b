from supervision import access
from supervision.models import Track


def nav(request):
    """Which supervision pages the navigation offers this person. Roles only: no query of its own
    beyond the person's role assignments, which the other menus load too."""
    from supervision.selectors.branches import can_read_branches
    from supervision.selectors.patrols import can_see_patrols
    from supervision.selectors.quarterly import can_read_report

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "supervision_nav": {
            "tracks": [(t, Track(t).label) for t in access.supervised_tracks(user)],
            "patrols": can_see_patrols(user),
            "branches": can_read_branches(user),
            "report": can_read_report(user),
        }
    }
