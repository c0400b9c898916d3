"""Persistence: SQLAlchemy models, engine and session factory, Alembic migrations.

This package imports neither ``showroom`` nor Qt: it is the bottom layer.
"""
