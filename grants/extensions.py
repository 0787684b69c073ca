"""Flask extensions, created once and bound to the app in ``create_app``."""

from typing import TYPE_CHECKING, Literal

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations can name what they alter or drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The base of every model. Flask-SQLAlchemy makes ``db.Model`` from ``Base`` at run time (adding
# the table name and bind key), which a type checker cannot follow: it sees ``Base``, whose
# mapped columns (``Mapped[...]``) carry the types.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def _render_item(type_: str, obj: object, autogen_context: object) -> str | Literal[False]:
    """Write our column types into migrations as the plain types they store."""
    from grants.core.money import Money

    if type_ == "type" and isinstance(obj, Money):
        return "sa.BigInteger()"
    return False


migrate = Migrate(compare_type=True, render_as_batch=True, render_item=_render_item)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
