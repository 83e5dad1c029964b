from decisions import access, selectors


def queues(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "queue_counts": selectors.queue_counts(user),
        "can_review": access.can_use_review_queue(user),
        "can_screen": access.can_use_screening_queue(user),
        "can_consult": access.can_use_consultation_inbox(user),
    }
