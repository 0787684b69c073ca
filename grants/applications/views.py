from flask import Blueprint

bp = Blueprint("applications", __name__)


@bp.get("/applications/mine")
def mine():
    return ""


@bp.get("/applications/<int:application_id>")
def show(application_id):
    return ""
