"""Nothing of a meeting is kept in the admin: meetings, agendas, opinions, votes, resolutions and
minutes are read on the meeting pages, where meetings.access decides who sees them and every view
of a confidential one is on record. Meeting bodies and their members are in org's admin."""
