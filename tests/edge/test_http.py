"""The HTTP surface: /graphql over POST and GET, GraphiQL, /healthz, /readyz."""

from httpx import ASGITransport, AsyncClient

from memberdir.app import create_app
from memberdir.settings import Settings


async def test_query_over_post(http):
    response = await http.post("/graphql", json={"query": '{ organisation(id: "org_lagos") { name } }'})
    assert response.status_code == 200
    assert response.json()["data"] == {"organisation": {"name": "Lagos Rare Disease Foundation"}}


async def test_query_over_get(http):
    response = await http.get("/graphql", params={"query": '{ organisation(id: "org_lagos") { slug } }'})
    assert response.status_code == 200
    assert response.json()["data"]["organisation"]["slug"] == "lagos-rare-disease-foundation"


async def test_graphiql_in_development(http):
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


async def test_no_graphiql_in_production(directory):
    app = create_app(Settings(environment="production"), database=directory)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" not in response.text.lower()


async def test_health_and_readiness(http):
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok", "database": "ok"}


async def test_not_ready_when_the_database_does_not_answer():
    from datastore.client import connect

    unreachable = connect("mongodb://127.0.0.1:9/?directConnection=true", "nowhere", timeout_ms=200)
    app = create_app(Settings(), database=unreachable)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/readyz")
    await unreachable.close()
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


async def test_sdl_is_served_for_federation(http):
    response = await http.post("/graphql", json={"query": "{ _service { sdl } }"})
    sdl = response.json()["data"]["_service"]["sdl"]
    assert 'type Organisation implements Node @key(fields: "id")' in sdl
    assert 'type Person implements Node @key(fields: "id")' in sdl
    assert 'type WorkingGroup implements Node @key(fields: "id")' in sdl
