from __future__ import annotations

import pytest

from grants.extensions import db
from tests.delivery.beskedfordeler import Beskedfordeler
from tests.delivery.platform import Platform, make_certificates
from tests.factories import make_organisation

CVR = "29189846"  # the association the letters go to


@pytest.fixture(scope="session")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("sf1601-certificates"))


@pytest.fixture
def platform(app, certificates):
    """Serviceplatformen on loopback, and the app set up to send to it."""
    running = Platform(certificates).start()
    app.config.update(
        DIGITAL_POST_URL=running.url,
        DIGITAL_POST_STS_URL=f"{running.url}/sts",
        DIGITAL_POST_CERTIFICATE=str(certificates.client),
        DIGITAL_POST_CA_BUNDLE=str(certificates.ca),
        DIGITAL_POST_TIMEOUT=5,
    )
    yield running
    running.stop()


@pytest.fixture
def beskedfordeler(app, certificates):
    """KOMBIT's Beskedfordeler on loopback, and the app set up to fetch from it."""
    running = Beskedfordeler(certificates).start()
    app.config.update(DIGITAL_POST_STATUS_URL=running.url)
    yield running
    running.stop()


@pytest.fixture
def dp_world(world):
    """The world with a fund that sends its letters by Digital Post, and an association."""
    world.fund.digital_post = True
    world.fund.kle_number = "05.10.00"
    world.fund.handling_code = "G01"
    world.organisation = make_organisation(world.employee, name="Ballerup Ungdomsorkester", cvr=CVR)
    db.session.commit()
    return world
