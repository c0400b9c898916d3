"""Dialogs of the staff app: settings, first run, messages."""
