"""Invented demo data: the fictional city, its households, staff, fund and claims.

``load_demo`` builds everything in one transaction, so a database contains either
the whole demo or none of it, and a second load creates nothing. Modules:
``households`` and ``people`` (areas, households, members), ``staff``,
``fund``, and the claims: ``shape`` (how many end in each status), ``plan``
and ``timeline`` (who claims what, and when), ``steps`` and ``referrals``
(running the steps through the services), ``clock`` (the replay's time).
"""

from registry.demo.loader import DemoSummary, load_demo

__all__ = ["DemoSummary", "load_demo"]
