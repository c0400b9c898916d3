"""Reusable widgets and helpers shared by the staff screens and dialogs."""
