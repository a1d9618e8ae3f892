"""After-sales: complaints (投诉) with their clocks and remedies, for supervisors and admins.

cases.py and remedies.py make the changes; clocks.py, queries.py and evidence.py read; the screens are
list_routes.py (the list and a new case), case_routes.py (one case: owner, replies, the flow, photos)
and remedy_routes.py (remedies and an admin's approval), sharing the page built by case_page.py.
"""

from flask import Blueprint

bp = Blueprint("complaints", __name__, url_prefix="/complaints")

from hk.aftersales import case_routes, list_routes, remedy_routes  # noqa: E402,F401
