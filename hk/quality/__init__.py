"""Quality figures (质量数据) for supervisors and admins: blueprint "quality" at /quality.

filters.py reads the period and filters a page or export asks for; figures.py counts in SQL and
hands the counts to hk.domain.quality; the screens are routes.py (the dashboard) and export_routes.py
(the ratings and complaints behind the figures as CSV or XLSX: export_rows.py reads them, exports.py
writes and streams the file).
"""

from flask import Blueprint

bp = Blueprint("quality", __name__, url_prefix="/quality")

from hk.quality import export_routes, routes  # noqa: E402,F401
