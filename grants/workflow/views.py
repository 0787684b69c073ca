from flask import Blueprint

bp = Blueprint("workflow", __name__)
