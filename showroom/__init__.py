"""Showroom: domain rules and use cases for a used-car dealership floor.

This package never imports Qt widgets; the ``ui`` package is the only GUI.
"""

__version__ = "0.1.0"
