"""The certificate a household downloads, checked by reading the PDF back, and the public
verification pages."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.certificates.test_services import complete
from tests.tools import need_tool


@pytest.fixture
def certified(courses, world):
    complete(world, courses=courses)
    return db.session.scalar(select(Certificate))


def test_the_household_downloads_its_certificate_from_my_courses(certified, world, client_for):
    client = client_for(world.member_a)
    page = client.get("/learn/").get_data(as_text=True)
    assert (
        "Hộ của bạn đã hoàn thành chương trình." in page
        and f"/certificates/{certified.id}.pdf" in page
    )
    response = client.get(f"/certificates/{certified.id}.pdf")
    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Nguyễn Thị Hương" in text and certified.serial in text and "GIẤY CHỨNG NHẬN" in text


def test_another_household_cannot_download_it(certified, world, client_for):
    assert client_for(world.member_b).get(f"/certificates/{certified.id}.pdf").status_code == 404
    assert client_for(world.official_2).get(f"/certificates/{certified.id}.pdf").status_code == 404
    assert client_for(world.official_1).get(f"/certificates/{certified.id}.pdf").status_code == 200


def test_the_pdf_embeds_only_the_shipped_font(certified, tmp_path):
    need_tool("pdffonts")
    path = tmp_path / "c.pdf"
    path.write_bytes(services.pdf_for(certified))
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    # the shipped Noto Serif, embedded as subsets: by its @font-face family where WeasyPrint
    # laid the design out, by its own name in the slots; nothing else
    assert fonts and all(
        re.match(r"[A-Z]{6}\+(Certificate-Serif|NotoSerif)(-Bold|-Regular)?\s+CID TrueType", line)
        and " yes yes yes " in line
        for line in fonts
    ), fonts
    assert any("+NotoSerif-Bold" in line for line in fonts)


def test_the_qr_decodes_to_the_verification_link(certified, tmp_path, client_for):
    need_tool("pdftoppm")
    need_tool("zbarimg")
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(services.pdf_for(certified))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert re.fullmatch(r"http://localhost/v/[\w-]+\.[\w-]+", decoded)
    page = client_for().get(decoded.removeprefix("http://localhost"))
    assert page.status_code == 200 and "Hợp lệ" in page.get_data(as_text=True)


def test_verification_needs_no_login_and_masks_the_name(certified, client_for):
    body = client_for().get(f"/v/{services.token_for(certified)}").get_data(as_text=True)
    assert "Hợp lệ" in body and "Nguyễn T. H." in body and "Nguyễn Thị Hương" not in body
    assert "Xã Diễn Châu" in body and certified.serial in body


def test_a_revoked_certificate_says_so_with_its_category_never_the_staff_reason(
    certified, world, client_for
):
    token = services.token_for(certified)
    admin = client_for(world.admin)
    form = admin.get(f"/certificates/{certified.id}").get_data(as_text=True)
    assert '<option value="decision">Thu hồi theo quyết định</option>' in form
    reason = "Ông Tư báo hộ bà Hương khai sai, QĐ 12/UBND"
    admin.post(
        f"/certificates/{certified.id}/revoke",
        data={"reason": reason, "category": "decision", "confirmed": "1"},
    )
    for path in (f"/v/{token}", f"/v/?serial={certified.serial}"):
        body = client_for().get(path).get_data(as_text=True)
        assert "Đã thu hồi" in body and "Thu hồi theo quyết định" in body
        assert reason not in body and "Ông Tư" not in body
    staff = admin.get(f"/certificates/{certified.id}").get_data(as_text=True)
    assert reason in staff and "Thu hồi theo quyết định" in staff


def test_revoking_asks_first_and_says_what_happens(certified, world, client_for):
    admin = client_for(world.admin)
    path = f"/certificates/{certified.id}/revoke"
    form = {"reason": "Trùng với hộ ông Tư", "category": "decision"}
    asked = admin.post(path, data=form)
    page = asked.text
    assert asked.status_code == 200 and "Vui lòng xác nhận" in page
    assert f"Thu hồi giấy chứng nhận {certified.serial} của Nguyễn Thị Hương?" in page
    assert "hiển thị “Đã thu hồi: Thu hồi theo quyết định” trên trang xác minh công khai" in page
    assert "đóng điều kiện lên sàn" in page and "cần xem xét lại" in page
    assert "không thể hoàn tác" in page
    # the typed reason and the category go along with the button that revokes
    assert 'name="reason" value="Trùng với hộ ông Tư"' in page
    assert 'name="category" value="decision"' in page and 'name="confirmed" value="1"' in page
    assert admin.post(path, data={**form, "confirmed": "0"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Certificate, certified.id).is_valid
    again = admin.post(path, data={"reason": "Sửa tên", "reissue": "1"}).text
    assert (
        "cấp giấy chứng nhận mới với số hiệu mới" in again and "Đồng ý, thu hồi và cấp lại" in again
    )
    assert "Cấp lại do sửa thông tin" in again
    db.session.expire_all()
    assert db.session.scalars(select(Certificate)).all() == [certified] and certified.is_valid
    assert admin.post(path, data={**form, "confirmed": "1"}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Certificate, certified.id).is_valid


def test_revoking_needs_a_category_from_the_list(certified, world, client_for):
    admin = client_for(world.admin)
    for category in ("", "chỉ là chữ"):
        response = admin.post(
            f"/certificates/{certified.id}/revoke",
            data={"reason": "Cấp nhầm", "category": category},
            follow_redirects=True,
        )
        assert "Vui lòng chọn nội dung hiển thị trên trang xác minh công khai." in (
            response.get_data(as_text=True)
        )
    db.session.expire_all()
    assert db.session.get(Certificate, certified.id).is_valid


def test_a_tampered_token_is_refused_clearly(certified, client_for):
    token = services.token_for(certified)
    response = client_for().get(f"/v/{token[:-3]}xyz")
    assert response.status_code == 404 and "không phải mã xác minh thật" in response.get_data(
        as_text=True
    )


def test_lookup_by_serial(certified, client_for):
    assert certified.serial in client_for().get(f"/v/?serial={certified.serial.lower()}").get_data(
        as_text=True
    )
    missing = client_for().get("/v/?serial=NA-2026-999999")
    assert (
        missing.status_code == 404
        and "Không có giấy chứng nhận nào mang số hiệu này." in missing.get_data(as_text=True)
    )


def test_public_key_and_offline_cli_verification(certified, app, client_for, tmp_path):
    pem = client_for().get("/v/public-key.pem").data
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    key = tmp_path / "public.pem"
    key.write_bytes(pem)
    runner = app.test_cli_runner()
    good = runner.invoke(
        args=["certificates", "verify", services.token_for(certified), "--public-key", str(key)]
    )
    assert good.exit_code == 0 and certified.serial in good.output
    bad = runner.invoke(
        args=[
            "certificates",
            "verify",
            services.token_for(certified)[:-4],
            "--public-key",
            str(key),
        ]
    )
    assert bad.exit_code == 1 and "not a genuine certificate code" in bad.output


def test_only_admins_revoke_and_a_reason_is_needed(certified, world, client_for):
    assert (
        client_for(world.official_1)
        .post(f"/certificates/{certified.id}/revoke", data={"reason": "x"})
        .status_code
        == 403
    )
    client_for(world.admin).post(
        f"/certificates/{certified.id}/revoke", data={"reason": "", "category": "decision"}
    )
    db.session.expire_all()
    assert db.session.get(Certificate, certified.id).is_valid


def test_reissue_from_the_admin_screen(certified, world, client_for):
    response = client_for(world.admin).post(
        f"/certificates/{certified.id}/revoke",
        data={"reason": "Sửa tên", "reissue": "1", "confirmed": "1"},
    )
    new = db.session.scalar(select(Certificate).where(Certificate.id != certified.id))
    assert response.headers["Location"] == f"/certificates/{new.id}" and new.is_valid
    old = client_for().get(f"/v/?serial={certified.serial}").get_data(as_text=True)
    assert "Cấp lại do sửa thông tin" in old and "Sửa tên" not in old and new.serial in old


@pytest.fixture
def low_verify_limit(app, monkeypatch):
    from lms.extensions import limiter

    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "3 per minute")
    limiter.reset()
    yield
    limiter.reset()


def test_lookups_by_serial_are_limited_per_address(certified, client_for, low_verify_limit):
    client = client_for()
    serials = [certified.serial, *(f"NA-1999-{n:06d}" for n in range(1, 4))]
    statuses = [client.get(f"/v/?serial={serial}").status_code for serial in serials]
    assert statuses[:3] == [200, 404, 404] and statuses[3] == 429
    refused = client.get(f"/v/?serial={certified.serial}")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Có quá nhiều lần thử từ kết nối này" in refused.get_data(as_text=True)
    assert client.get("/v/").status_code == 200  # the empty form is no lookup
    assert client.get(f"/v/{services.token_for(certified)}").status_code == 200  # signed codes
    elsewhere = client_for().get(
        f"/v/?serial={certified.serial}", environ_base={"REMOTE_ADDR": "203.0.113.7"}
    )
    assert elsewhere.status_code == 200


def test_sync_and_render_commands(courses, world, app, monkeypatch, tmp_path):
    from lms.core.events import progress_changed

    monkeypatch.setitem(app.config, "CERTIFICATE_PDF_FOLDER", str(tmp_path))
    with progress_changed.muted():
        complete(world, courses=courses)
    assert db.session.scalar(select(Certificate)) is None
    runner = app.test_cli_runner()
    assert "1 certificates issued." in runner.invoke(args=["certificates", "sync"]).output
    assert "1 PDFs rendered." in runner.invoke(args=["certificates", "render", "--all"]).output
    assert len(list(tmp_path.glob("*.pdf"))) == 1


def test_batch_rendering_gives_one_standalone_pdf_each(courses, world, app, monkeypatch, tmp_path):
    from lms.certificates.rendering import render_many

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://taphuan.example.vn")
    complete(world, courses=courses)
    complete(world, world.household_b, world.member_b, courses)
    pages = [
        services.page_of(c)
        for c in db.session.scalars(select(Certificate).order_by(Certificate.id))
    ]
    files = render_many(pages * 3, workers=2)
    assert len(files) == 6
    for data, page in zip(files, pages * 3, strict=True):
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) == 1 and page.holder_name in reader.pages[0].extract_text()
    assert pages[0].url.startswith("https://taphuan.example.vn/v/")


def test_the_pdf_cache_never_serves_a_file_of_other_contents(certified):
    """The cache is named by what is printed: the same serial with other contents (a
    database restored, a test rerun) renders anew instead of serving the old file."""
    assert (
        "Nguyễn Thị Hương"
        in PdfReader(io.BytesIO(services.pdf_for(certified))).pages[0].extract_text()
    )
    certified.holder_name = "Lê Thị Hoa"
    db.session.commit()
    text = PdfReader(io.BytesIO(services.pdf_for(certified))).pages[0].extract_text()
    assert "Lê Thị Hoa" in text and "Nguyễn Thị Hương" not in text
