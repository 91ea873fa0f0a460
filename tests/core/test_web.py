"""What every page shares: security headers, error pages, the language switch, the menus."""

from __future__ import annotations

import pytest

from lms.core.web import safe_next


def test_pages_carry_security_headers(app, client_for):
    response = client_for().get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_same_site(world, client_for):
    from tests.builders import PIN

    response = client_for().post("/login", data={"phone": "0912345678", "pin": PIN})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_have_no_inline_script(world, client_for):
    from tests.courses.test_views import scripts_not_from_static

    for path in ("/login", "/login/staff"):
        assert scripts_not_from_static(client_for().get(path).data) == []
    for path in ("/admin/", "/users", "/areas/", "/organisations/", "/overview/", "/sessions/"):
        assert scripts_not_from_static(client_for(world.admin).get(path).data) == []


def test_interface_is_vietnamese_by_default(app, client_for):
    page = client_for().get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Đăng nhập" in page


def test_language_switch_to_english_and_back(app, client_for):
    client = client_for()
    response = client.get("/language/en?next=/login")
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>Log in</h1>" in page
    client.get("/language/vi")
    assert "<h1>Đăng nhập</h1>" in client.get("/login").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_targets(app, client_for):
    client = client_for()
    response = client.get("/language/xx?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["https://evil.example", "//evil.example", "/\\evil", "http:/x", ""]
)
def test_safe_next_refuses_other_sites(target):
    assert safe_next(target) is None


def test_safe_next_keeps_local_paths():
    assert safe_next("/households/3?page=2") == "/households/3?page=2"


def test_not_found_page_in_both_languages(app, client_for):
    client = client_for()
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)
    client.get("/language/en")
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)


def test_forbidden_page(world, client_for):
    response = client_for(world.member_a).get("/admin/")
    assert response.status_code == 403
    assert "Bạn không có quyền xem trang này" in response.get_data(as_text=True)


def test_server_error_page_shows_no_stack_trace(tmp_path_factory):
    from tests.conftest import make_test_app

    app = make_test_app(tmp_path_factory, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Hệ thống gặp sự cố" in body
    assert "secret internals" not in body and "Traceback" not in body


def test_anonymous_visitors_go_to_login(app, client_for):
    response = client_for().get("/")
    assert response.headers["Location"] == "/login"


@pytest.mark.parametrize(
    ("actor", "links", "absent"),
    [
        ("member_a", ["/learn/"], ["/households/", "/admin/"]),
        ("trainer_x", ["/sessions/", "/households/"], ["/overview/", "/admin/"]),
        ("official_1", ["/overview/", "/households/", "/sessions/"], ["/admin/"]),
        ("admin", ["/admin/", "/overview/"], []),
    ],
)
def test_each_role_has_its_menu(world, client_for, actor, links, absent):
    client = client_for(getattr(world, actor))
    page = client.get(client.get("/").headers["Location"]).get_data(as_text=True)
    menu = page.split('<details class="menu"', 1)[1].split("</details>", 1)[0]
    for link in links:
        assert f'href="{link}"' in menu
    for link in absent:
        assert f'href="{link}"' not in menu
