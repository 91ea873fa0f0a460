"""A household downloads its Open Badges 3.0 credential from its certificate page on a phone;
the file checks offline as genuine, and as revoked against the status list a verifier saves
after an administrator revokes the certificate."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from lms.certificates import services
from lms.certificates.models import RevocationCategory
from lms.extensions import db
from tests.builders import PIN, make_certificate
from tests.e2e.conftest import follow_menu

pytestmark = pytest.mark.browser


def test_download_the_credential_and_check_it_offline(world, app, server_url, page: Page, tmp_path):
    certificate = make_certificate(world.household_a)
    db.session.commit()
    page.goto(f"{server_url}/login")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Mã PIN").fill(PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    follow_menu(page, "Giấy chứng nhận của bạn")
    expect(
        page.get_by_role("heading", name=f"Giấy chứng nhận {certificate.serial}")
    ).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # the page fits the phone
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải giấy chứng nhận điện tử (Open Badges 3.0)").click()
    assert download.value.suggested_filename == f"{certificate.serial}.credential.json"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    badge = json.loads(saved.read_text(encoding="utf-8"))
    assert "0912345678" not in saved.read_text(encoding="utf-8")

    runner = app.test_cli_runner()
    result = runner.invoke(args=["certificates", "verify", str(saved)])
    assert result.exit_code == 0 and "GENUINE AND VALID" in result.output, result.output

    services.revoke_certificate(world.admin, certificate, "Cấp nhầm", RevocationCategory.DECISION)
    # a verifier saves the published status list, then checks with nothing but files
    status_url = badge["credentialStatus"]["statusListCredential"]
    assert status_url.startswith(server_url + "/v/status/")
    listed = page.request.get(status_url)
    status = tmp_path / "status.json"
    status.write_bytes(listed.body())
    result = runner.invoke(
        args=["certificates", "verify", str(saved), "--status-list", str(status)]
    )
    assert result.exit_code == 2 and "REVOKED" in result.output, result.output
