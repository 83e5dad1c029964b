"""Supervision pages: one module per part (mailbox, tasks, patrols, branches, reports, calendar)."""
