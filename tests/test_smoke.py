def test_healthz_says_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": True, "schema": True}


def test_world_builds(world):
    assert world.fund.route.code == "study_trip"
    assert world.employee.manager == world.manager
