"""Painting papers with Qt: render (PDF, preview, printer), print fonts, the print CLI."""
