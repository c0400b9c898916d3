"""Car pages on the customer's phone: ``showroom web`` (served from the store) and
``showroom publish`` (the same pages as a static site).

Layers as everywhere: this package reads and writes only through ``showroom.services``
(``car_pages`` for what is public, the kiosk's own booking services for the two requests)
and never imports Qt. Templates and static files live in ``resources/web``; ``site``
renders them for both the server and the static site, so the two cannot drift apart.
"""
