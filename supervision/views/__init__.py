"""Supervision pages: one module per part (mailbox, tasks, patrols, branches, the quarterly report, calendar)."""
