"""Staff downloads: every CSV a staff member takes away is in the audit log first.

One function serves every staff export (statistics, the organisation export,
event and workshop lists and feedback), so the rule lives here: the audit event
names the file as it is served, and it is committed before the file is sent.
"""
from flask import Response

from app.admin.access import actor
from app.extensions import db
from app.platform.audit import record_audit
from app.platform.csv_export import MIMETYPE


def audited_csv(text: str, filename: str, object_type: str, object_id: int | None = None, **detail) -> Response:
    """`text` as the attachment `filename`, after its export is recorded (with `detail`) and committed."""
    record_audit(actor(), "export", object_type, object_id, file=filename, **detail)
    db.session.commit()
    response = Response(text.encode("utf-8"), content_type=MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
