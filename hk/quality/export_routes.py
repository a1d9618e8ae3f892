"""The quality exports: the ratings and the complaints behind the figures, as CSV or XLSX, under the
dashboard's filters (the same query string: period, service type, worker). Supervisors and admins.

export_rows.py reads the rows; exports.py writes and streams the file.
"""

from __future__ import annotations

from hk.auth.access import roles_required
from hk.models import STAFF
from hk.quality import bp, export_rows, exports
from hk.quality.filters import QualityFilter, filter_form, quality_filter
from hk.views_helpers import current_lang


def _asked() -> tuple[QualityFilter, str]:
    """The filters in the query string (anything unknown or malformed: this month, everything)."""
    lang = current_lang()
    return quality_filter(filter_form(lang)), lang


@bp.route("/export/ratings.csv")
@roles_required(*STAFF)
def export_ratings_csv():
    qf, lang = _asked()
    return exports.csv_response(export_rows.ratings_table(qf, lang), qf.span)


@bp.route("/export/ratings.xlsx")
@roles_required(*STAFF)
def export_ratings_xlsx():
    qf, lang = _asked()
    return exports.xlsx_response(export_rows.ratings_table(qf, lang), qf.span)


@bp.route("/export/complaints.csv")
@roles_required(*STAFF)
def export_complaints_csv():
    qf, lang = _asked()
    return exports.csv_response(export_rows.complaints_table(qf, lang), qf.span)


@bp.route("/export/complaints.xlsx")
@roles_required(*STAFF)
def export_complaints_xlsx():
    qf, lang = _asked()
    return exports.xlsx_response(export_rows.complaints_table(qf, lang), qf.span)
