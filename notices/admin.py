"""Notices and their read receipts are read on the notice pages (notices.access), not in the admin."""
