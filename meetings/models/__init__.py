"""会议： meetings, what they do with each item on their agendas, what they issue, and the study
records. One module per part; every model is imported here, so Django finds them all and
`from meetings.models import Meeting` works for each of them."""

# In the order the models were always defined in (Django registers them as they are imported).
# isort: off
from meetings.models.meeting import Attendance, Meeting
from meetings.models.agenda import AgendaEntry, Opinion, Recusal, Vote
from meetings.models.minutes import Minutes, MinutesSignature, Resolution
from meetings.models.ballots import AttendanceCorrection, BallotCast, SecretBallot
from meetings.models.study import Reflection, StudyParticipant, StudySession
from meetings.models.documents import StoredDocument
# isort: on

__all__ = [
    "AgendaEntry",
    "Attendance",
    "AttendanceCorrection",
    "BallotCast",
    "Meeting",
    "Minutes",
    "MinutesSignature",
    "Opinion",
    "Recusal",
    "Reflection",
    "Resolution",
    "StudyParticipant",
    "StudySession",
    "SecretBallot",
    "StoredDocument",
    "Vote",
]
