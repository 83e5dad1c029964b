from dashboard import access


def nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_school_figures": access.can_read_school_figures(user)}
