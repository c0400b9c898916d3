"""The customer kiosk: a full-screen touch shell (``showroom --kiosk``).

``KioskWindow`` is the entry point; the app shell shows it full screen and listens
to ``staffUnlocked``. Each page lives in its own module (home, browse, staff PIN).
"""

from ui.kiosk.window import KioskWindow

__all__ = ["KioskWindow"]
