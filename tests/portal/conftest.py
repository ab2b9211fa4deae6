"""Portal fixtures: the embedded default warehouse, built once per test session."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from portal_server import serving

from zaragoza.pipeline import build_default_warehouse


@pytest.fixture(scope="session")
def default_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded default (bundled Eurostat tables + estimates from the example)."""
    path = tmp_path_factory.mktemp("portal") / "zaragoza.duckdb"
    example = Path(str(resources.files("zaragoza") / "data" / "example_lfs.csv.gz"))
    build_default_warehouse(path, example)
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every portal page may read Django's database: the monitoring pages list the
    knowledge base's published practices and key their cache on its version. Each
    portal test but the browser ones (they talk to a server in its own process) is a
    database test, marked as pytest-django asks (a fixture requesting ``db`` at run time
    leaves the connection on the real database file)."""
    for item in items:
        if (
            "tests/portal/" in str(item.fspath)
            and item.get_closest_marker("browser") is None
            and item.get_closest_marker("django_db") is None
        ):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test databases, every connection to them closed before they go.

    Django keeps a connection per context. With the browser tests in the run, tests
    and teardown do not all share one context, so a connection opened in another
    context stays open to the end, and PostgreSQL refuses to drop a database that a
    session still uses. Every connection made from here on is noted and closed at the
    end, whatever its context.
    """
    import weakref

    from django.db.backends.signals import connection_created

    made: weakref.WeakSet[Any] = weakref.WeakSet()

    def note(sender: Any, connection: Any, **kwargs: Any) -> None:
        made.add(connection)

    connection_created.connect(note, weak=False)
    yield
    connection_created.disconnect(note)
    with django_db_blocker.unblock():
        for connection in list(made):
            connection.close()


@pytest.fixture(autouse=True)
def own_page_cache(tmp_path: Path, settings: LazySettings) -> Iterator[Path]:
    """Each test its own shared page cache (and an empty worker memory): no page kept by
    one test is served to the next."""
    from zaragoza.portal.monitoring import caching

    settings.ZARAGOZA_PAGE_CACHE = tmp_path / "pages"
    caching.clear()
    yield tmp_path / "pages"
    caching.clear()


@pytest.fixture
def portal(default_warehouse: Path, settings: LazySettings) -> Path:
    """Point the portal at the embedded default for one test."""
    settings.ZARAGOZA_WAREHOUSE = default_warehouse
    return default_warehouse


@pytest.fixture(scope="session")
def live_portal(default_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``zaragoza serve`` (gunicorn) on the embedded default, on a free loopback port.

    The server runs as users run it, in its own process; its Django database follows
    ``DATABASE_URL`` like the tests' own; its cache (the compressed static files) is
    the test's.
    """
    home = tmp_path_factory.mktemp("serve")
    with serving(default_warehouse, home, {"ZARAGOZA_CACHE": str(home / "cache")}) as base:
        yield base


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(require: Callable[[bool, str], None]) -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require(chromium is not None, "Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where browser tests keep their screenshots (``test-artifacts/screenshots``)."""
    out = Path(os.environ.get("ZARAGOZA_ARTIFACTS", "test-artifacts")) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


# ---------------------------------------------------------------- knowledge base
# The example content (tests/data/knowledge) and one user per role, without passwords
# (tests sign in with force_login).

KB_CONTENT = Path(__file__).parent.parent / "data" / "knowledge" / "content"

#: name: (role, countries)
ROLES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "plain": (None, ()),
    "owner": ("contributor", ()),
    "other": ("contributor", ()),
    "coord_at": ("coordinator", ("AT",)),
    "coord_se": ("coordinator", ("SE",)),
    "editor": ("editor", ()),
    "admin": ("admin", ()),
}


NUTS_FIXTURE = Path(__file__).parent.parent / "data" / "gisco" / "nuts_rg_level2_handmade.geojson"


@pytest.fixture
def nuts_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``$ZARAGOZA_CACHE`` holding the hand-made NUTS 2 fixture (AT12, AT13, EL30; never
    GISCO's data) as ``geo fetch`` keeps it."""
    from zaragoza.sources.gisco import reduce_nuts

    root = tmp_path / "cache"
    (root / "gisco").mkdir(parents=True)
    body = reduce_nuts(json.loads(NUTS_FIXTURE.read_text(encoding="utf-8")), level=2)
    (root / "gisco" / "nuts-2021-20M-2.geojson").write_text(json.dumps(body), encoding="utf-8")
    monkeypatch.setenv("ZARAGOZA_CACHE", str(root))
    return root


@pytest.fixture
def kb(db: None) -> Any:
    """The example content, seeded as published practices."""
    from zaragoza.knowledge.content import load_content
    from zaragoza.portal.knowledge.services import seed

    content = load_content(KB_CONTENT)
    seed(content)
    return content


@pytest.fixture
def users(db: None) -> dict[str, Any]:
    """One user per entry of :data:`ROLES` (``anonymous`` is the absence of one)."""
    from django.contrib.auth import get_user_model

    from zaragoza.portal.accounts.users import grant

    made = {}
    for name, (role, countries) in ROLES.items():
        # No password at all (tests sign in with force_login): no default password, and
        # no slow hashing in every test.
        user = get_user_model().objects.create_user(
            name, email=f"{name}@example.org", password=None
        )
        if role:
            grant(user, role, countries)
        made[name] = user
    return made


@pytest.fixture
def make_practice(db: None) -> Callable[..., Any]:
    """Make a practice of ``countries`` in ``state`` owned by ``owner``, complete and
    eligible (started in 2018), straight in the database."""
    from zaragoza.knowledge.schema import Practice as Record
    from zaragoza.knowledge.schema import validation_context
    from zaragoza.portal.knowledge import services
    from zaragoza.portal.knowledge.models import Practice

    counter = iter(range(1, 10_000))

    def make(countries: tuple[str, ...], state: str, owner: Any) -> Any:
        n = next(counter)
        rec = Record.model_validate(
            {
                "id": f"example-made-{n}",
                "title": f"Example: made practice {n}",
                "language": "en",
                "summary": "An invented example for tests.",
                "countries": list(countries),
                "level": "local",
                "themes": ["employment"],
                "start": "2018-01-01",
                "context": "c",
                "objectives": "o",
                "activities": "a",
                "evaluation": "none",
                "sources": [{"title": "Invented example", "url": "https://example.org/t"}],
                "checked": "2026-01-01",
            },
            context=validation_context(),
        )
        p = Practice(owner=owner, state=state, example=True)
        services._apply(p, rec, {})
        if state == "published":
            from django.utils import timezone

            p.published_at = timezone.now()
        p.save()
        if state == "published":
            services.reindex([p.pk])
            services.bump_version()
        return p

    return make
