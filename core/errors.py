class InvalidTransition(Exception):
    """A step that is not allowed: wrong state, wrong person, or stale data.

    `status` is the HTTP status a view answers with: 403 when the person may not
    take the step at all, 409 when the record has moved on (state or version)
    or the input contradicts a rule.
    """

    def __init__(self, reason: str, *, status: int = 409):
        super().__init__(reason)
        self.reason = reason
        self.status = status

    def __str__(self) -> str:
        return str(self.reason)


def forbidden(reason: str) -> InvalidTransition:
    return InvalidTransition(reason, status=403)


def conflict(reason: str) -> InvalidTransition:
    return InvalidTransition(reason, status=409)
