"""Entry of the GUI commands, called by ``showroom.cli.main``.

Kept tiny so that ``showroom --help`` and the admin commands never pay for
loading Qt: the heavy imports happen inside ``run_gui``.
"""

from __future__ import annotations

import argparse
import importlib


def run_gui(args: argparse.Namespace) -> int:
    """Start the app (``args.command`` None) or run the offscreen ``self-test``."""
    if args.command in ("print", "documents"):
        from ui.documents import cli

        return cli.run(args)
    if args.command == "self-test":
        from ui import selftest

        return selftest.run(args)
    # Plain-Python modules of the start-up first: once PySide6 is loaded, its import
    # hook reads the source of every module imported after it (looking for its own
    # ``__feature__`` switches), which the first paint would wait for.
    import showroom.context
    import showroom.logsetup  # noqa: F401
    from ui import import_check

    importlib.import_module("shiboken6")  # installs that hook (after the modules above)

    # Every module from here on (the screens, and after the first paint the database
    # layer's ~280 modules) goes through a lighter version of that hook.
    import_check.install()
    from ui.app import run

    return run(args)
