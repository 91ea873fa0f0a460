"""Each certificate as an Open Badges 3.0 credential: signed, privacy-preserving, revocable
through a published status list, downloadable by the household and by API, and checked
offline by ``flask certificates verify``."""

from __future__ import annotations

import json

import pytest

from lms.api import services as keys
from lms.certificates import credentials, services
from lms.certificates.models import Certificate, RevocationCategory
from lms.extensions import db
from tests.builders import make_certificate, marketplace


@pytest.fixture
def certificate(world) -> Certificate:
    certificate = make_certificate(world.household_a)
    db.session.commit()
    return certificate


def _download(client, certificate):
    response = client.get(f"/certificates/{certificate.id}.credential.json")
    assert response.status_code == 200, response.status_code
    return response


def test_the_credential_is_an_open_badge_signed_by_the_programme(app, certificate):
    with app.test_request_context():
        badge = services.open_badge_for(certificate)
    assert badge["@context"] == [credentials.CREDENTIALS_V2, credentials.OPEN_BADGES_V3]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    achievement = badge["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["humanCode"] == certificate.serial
    assert achievement["name"] == certificate.programme.name
    assert "kỹ năng số" in achievement["description"]  # written in Vietnamese
    assert badge["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert badge["proof"]["proofValue"].startswith("z")

    key = services.private_key().public_key()
    assert badge["issuer"]["id"] == credentials.did_key(key)
    assert credentials.verify_document(badge).signer == credentials.did_key(key)
    check = credentials.verify_badge(badge, key)
    assert check.trusted and check.serial == certificate.serial and check.revoked is None


def test_the_household_is_named_by_a_salted_hash_only(app, certificate, world):
    household = world.household_a
    with app.test_request_context():
        badge = services.open_badge_for(certificate)
    text = json.dumps(badge, ensure_ascii=False)
    for secret in (household.phone, household.national_id, household.head_name):
        assert secret and secret not in text
    (identity,) = badge["credentialSubject"]["identifier"]
    assert identity["type"] == "IdentityObject" and identity["hashed"] is True
    assert identity["identityType"] == "name" and len(identity["salt"]) >= 16
    # whoever is told the name can check it against the credential, and no one else
    assert identity["identityHash"] == credentials.identity_hash(
        household.head_name, identity["salt"]
    )
    assert identity["identityHash"] != credentials.identity_hash("Trần Văn Đức", identity["salt"])


def test_every_download_is_the_same_document_and_certificates_differ(app, certificate, world):
    other = make_certificate(world.household_b)
    db.session.commit()
    with app.test_request_context():
        first, again = services.open_badge_for(certificate), services.open_badge_for(certificate)
        second = services.open_badge_for(other)
    assert first == again
    assert first["id"] != second["id"]
    assert (
        first["credentialSubject"]["identifier"][0]["salt"]
        != second["credentialSubject"]["identifier"][0]["salt"]
    )
    first_status, second_status = first["credentialStatus"], second["credentialStatus"]
    assert first_status["statusListIndex"] != second_status["statusListIndex"]


def test_an_altered_credential_or_an_unsigned_word_is_refused(app, certificate):
    with app.test_request_context():
        badge = services.open_badge_for(certificate)
    key = services.private_key().public_key()

    renamed = json.loads(json.dumps(badge))
    renamed["credentialSubject"]["achievement"]["humanCode"] = "NA-2026-999999"
    with pytest.raises(credentials.BadCredential, match="signature does not match"):
        credentials.verify_badge(renamed, key)

    # a property no context defines would be dropped by canonicalisation, so it is unsigned
    padded = json.loads(json.dumps(badge))
    padded["credentialSubject"]["fullName"] = "Nguyễn Thị Hương"
    with pytest.raises(credentials.BadCredential, match="fullName"):
        credentials.verify_badge(padded, key)


def test_a_credential_signed_by_another_key_is_not_the_programmes(app, certificate):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    with app.test_request_context():
        facts = services.badge_facts(certificate)
    forged = credentials.open_badge(facts, Ed25519PrivateKey.generate())
    check = credentials.verify_badge(forged, services.private_key().public_key())
    assert not check.trusted  # genuine as a document, but not this programme's

    # and the issuer cannot claim a key other than the one that signed
    forged["issuer"]["id"] = credentials.did_key(services.private_key().public_key())
    with pytest.raises(credentials.BadCredential):
        credentials.verify_badge(forged, services.private_key().public_key())


def test_the_status_list_is_published_and_a_revocation_flips_its_bit(
    certificate, world, client_for
):
    client = client_for()
    badge = json.loads(_download(client_for(world.member_a), certificate).data)
    status = badge["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    url = status["statusListCredential"]
    assert url.startswith("http://localhost/v/status/")
    index = int(status["statusListIndex"])

    listed = json.loads(client.get(url.removeprefix("http://localhost")).data)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["credentialSubject"]["type"] == "BitstringStatusList"
    key = services.private_key().public_key()
    check = credentials.verify_badge(badge, key, listed)
    assert check.revoked is False

    services.revoke_certificate(world.admin, certificate, "Cấp nhầm", RevocationCategory.DECISION)
    listed = json.loads(client.get(url.removeprefix("http://localhost")).data)
    assert credentials.verify_badge(badge, key, listed).revoked is True
    encoded = listed["credentialSubject"]["encodedList"]
    assert [i for i in (index - 1, index + 1) if credentials.bit_at(encoded, i)] == []

    # the credential itself did not change: revocation lives in the list
    assert json.loads(_download(client_for(world.member_a), certificate).data) == badge


def test_status_lists_hold_the_minimum_size_and_unknown_lists_are_404(certificate, client_for):
    client = client_for()
    listed = json.loads(client.get("/v/status/0").data)
    encoded = listed["credentialSubject"]["encodedList"]
    assert not credentials.bit_at(encoded, credentials.STATUS_LIST_SIZE - 1)
    with pytest.raises(credentials.BadCredential, match="outside"):
        credentials.bit_at(encoded, credentials.STATUS_LIST_SIZE)
    assert client.get("/v/status/7").status_code == 404


def test_the_status_list_uses_the_public_base_url(app, certificate, client_for):
    app.config["PUBLIC_BASE_URL"] = "https://chungnhan.example.vn"
    try:
        listed = json.loads(client_for().get("/v/status/0").data)
        with app.test_request_context():
            badge = services.open_badge_for(certificate)
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    assert listed["id"] == "https://chungnhan.example.vn/v/status/0"
    assert badge["credentialStatus"]["statusListCredential"] == listed["id"]


def test_the_household_downloads_its_credential_from_its_certificate_page(
    certificate, world, client_for
):
    client = client_for(world.member_a)
    page = client.get("/certificates/mine")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tải giấy chứng nhận điện tử (Open Badges 3.0)" in text
    assert certificate.serial in text and "Hợp lệ" in text
    assert f"/certificates/{certificate.id}.credential.json" in text
    assert "Tệp không chứa số điện thoại hay số CCCD" in text

    response = _download(client, certificate)
    assert response.mimetype == "application/vc"
    assert (
        f'filename="{certificate.serial}.credential.json"'
        in response.headers["Content-Disposition"]
    )
    badge = json.loads(response.data)
    assert credentials.verify_badge(badge, services.private_key().public_key()).trusted


def test_the_households_menu_leads_to_its_certificate_page(certificate, world, client_for):
    text = client_for(world.member_a).get("/learn/").get_data(as_text=True)
    assert 'href="/certificates/mine"' in text and "Giấy chứng nhận của bạn" in text


def test_a_household_without_a_certificate_is_told_how_to_earn_one(world, client_for):
    text = client_for(world.member_b).get("/certificates/mine").get_data(as_text=True)
    assert "Hộ của bạn chưa có giấy chứng nhận" in text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member_a", 200),
        ("member_b", 404),  # another household
        ("official_1", 200),  # the household's commune
        ("official_2", 404),  # another commune
        ("admin", 200),
        (None, 302),  # log in first
    ],
)
def test_who_may_download_the_credential(certificate, world, client_for, who, status):
    client = client_for(getattr(world, who) if who else None)
    assert client.get(f"/certificates/{certificate.id}.credential.json").status_code == status


def test_staff_see_the_download_on_the_certificate_page(certificate, world, client_for):
    text = client_for(world.admin).get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert f"/certificates/{certificate.id}.credential.json" in text


def test_only_households_have_a_certificate_page(world, client_for):
    assert client_for(world.official_1).get("/certificates/mine").status_code == 403


# ---------------------------------------------------------------- API


@pytest.fixture
def postmart_key(certificate, world):
    _key, secret = keys.create_key(world.admin, world.org_x, marketplace(), "Postmart")
    db.session.commit()
    return secret


def _api(client, key, **query):
    return client.get(
        "/api/v1/certificates/credential",
        query_string=query,
        headers={"Authorization": f"Bearer {key}"},
    )


def test_the_api_gives_the_credential_by_qr_token_or_by_phone(
    app, certificate, postmart_key, client
):
    with app.test_request_context():
        token = services.token_for(certificate)
    by_token = _api(client, postmart_key, token=token)
    assert by_token.status_code == 200 and by_token.mimetype == "application/vc"
    badge = json.loads(by_token.data)
    assert credentials.verify_badge(badge, services.private_key().public_key()).trusted
    by_phone = _api(client, postmart_key, phone="0912 345 678")
    assert by_phone.status_code == 200 and json.loads(by_phone.data) == badge


def test_the_api_refuses_what_matches_no_certificate(certificate, postmart_key, client, world):
    assert _api(client, postmart_key, token="abc.def").status_code == 404
    # household B holds no certificate
    response = _api(client, postmart_key, phone="0987654321")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "certificate_not_found"
    assert _api(client, postmart_key).status_code == 400
    assert client.get("/api/v1/certificates/credential?phone=0912345678").status_code == 401


# ---------------------------------------------------------------- CLI


def _saved(app, certificate, tmp_path, name="badge.json"):
    with app.test_request_context():
        badge = services.open_badge_for(certificate)
    path = tmp_path / name
    path.write_text(json.dumps(badge, ensure_ascii=False), encoding="utf-8")
    return path, badge


def test_cli_verifies_a_credential_file_and_its_revocation(app, certificate, world, tmp_path):
    path, _badge = _saved(app, certificate, tmp_path)
    runner = app.test_cli_runner()
    good = runner.invoke(args=["certificates", "verify", str(path)])
    assert good.exit_code == 0, good.output
    assert certificate.serial in good.output and "GENUINE AND VALID" in good.output
    assert "not revoked according to this installation's database" in good.output

    services.revoke_certificate(world.admin, certificate, "Cấp nhầm", RevocationCategory.DECISION)
    revoked = runner.invoke(args=["certificates", "verify", str(path)])
    assert revoked.exit_code == 2 and "REVOKED" in revoked.output


def test_cli_checks_offline_with_a_public_key_and_a_saved_status_list(
    app, certificate, client_for, tmp_path
):
    path, _badge = _saved(app, certificate, tmp_path)
    public = tmp_path / "public.pem"
    public.write_bytes(client_for().get("/v/public-key.pem").data)
    status = tmp_path / "status.json"
    status.write_bytes(client_for().get("/v/status/0").data)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "certificates",
            "verify",
            str(path),
            "--public-key",
            str(public),
            "--status-list",
            str(status),
        ]
    )
    assert result.exit_code == 0, result.output
    assert f"according to the status list in {status}" in result.output


def test_cli_refuses_an_altered_or_foreign_credential(app, certificate, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path, badge = _saved(app, certificate, tmp_path)
    badge["credentialSubject"]["achievement"]["humanCode"] = "NA-2026-999999"
    path.write_text(json.dumps(badge), encoding="utf-8")
    runner = app.test_cli_runner()
    altered = runner.invoke(args=["certificates", "verify", str(path)])
    assert altered.exit_code == 1 and "NOT GENUINE" in altered.output

    with app.test_request_context():
        forged = credentials.open_badge(
            services.badge_facts(certificate), Ed25519PrivateKey.generate()
        )
    path.write_text(json.dumps(forged), encoding="utf-8")
    foreign = runner.invoke(args=["certificates", "verify", str(path)])
    assert foreign.exit_code == 1 and "not this programme's key" in foreign.output

    path.write_text("not json", encoding="utf-8")
    garbage = runner.invoke(args=["certificates", "verify", str(path)])
    assert garbage.exit_code == 1 and "not JSON" in garbage.output


def test_signing_and_checking_never_open_a_connection(app, certificate, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"a network connection was opened: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    with app.test_request_context():
        badge = services.open_badge_for(certificate)
        listed = services.status_list_for(0, badge["credentialStatus"]["statusListCredential"])
    check = credentials.verify_badge(badge, services.private_key().public_key(), listed)
    assert check.trusted and check.revoked is False


def test_a_credential_with_a_context_not_shipped_is_refused_not_fetched(app, certificate):
    with app.test_request_context():
        badge = services.open_badge_for(certificate)
    badge["@context"] = [*badge["@context"], "https://example.org/extension/context.json"]
    with pytest.raises(credentials.BadCredential, match="not shipped"):
        credentials.verify_badge(badge, services.private_key().public_key())
