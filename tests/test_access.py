"""Who may open what: every route × every actor, with ids that belong to someone else.

Out of scope answers 404 (never someone else's data), a wrong role 403, and an anonymous
visitor is sent to the login page. A route missing from this table fails the last test.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

ACTORS = (
    "anonymous",
    "member_a",
    "member_b",
    "trainer_x",
    "trainer_y",
    "official_1",
    "official_2",
    "admin",
    "team_1",
)
#: household B and the trainer of organisation Y answer as their twins, unless a row says
#: otherwise: the rows about B's own records and Y's session do
TWINS = {"member_b": "member_a", "trainer_y": "trainer_x"}
#: sent to the login page, which brings the visitor back afterwards
LOGIN = "login"

STAFF = ("trainer_x", "trainer_y", "official_1", "official_2", "admin")
STAFF_OK = {"anonymous": LOGIN, **dict.fromkeys(STAFF, 200)}
#: a record of commune 2: the official of commune 1 and household A may not see it
IN_COMMUNE_2 = {
    "anonymous": LOGIN,
    "member_a": 403,
    "trainer_x": 200,
    "official_1": 404,
    "official_2": 200,
    "admin": 200,
}
#: changing household B (commune 2): trainer Y registered it, trainer X only sees it
#: (DESIGN §4 rule 4: a trainer changes the households of its rosters or that it registered)
CHANGE_FORM_IN_COMMUNE_2 = {**IN_COMMUNE_2, "trainer_x": 403, "trainer_y": 200}
CHANGES_IN_COMMUNE_2 = {
    **IN_COMMUNE_2,
    "trainer_x": 403,
    "trainer_y": 302,
    "official_2": 302,
    "admin": 302,
}
#: household B's login card: the trainers' work, for a household they may change
CARD_OF_B = {"anonymous": LOGIN, "trainer_x": 403, "trainer_y": 200, "admin": 200}
#: household B's request for Postmart, which organisation X (VNPost) runs: trainer Y sees it
#: in the queue but may not decide it
DECIDE_POSTMART = {"anonymous": LOGIN, "trainer_x": 302, "trainer_y": 403, "admin": 302}
SESSION_Y_MARKERS = {"anonymous": LOGIN, "trainer_x": 404, "trainer_y": 200, "admin": 200}
SESSION_Y_CHANGES = {**SESSION_Y_MARKERS, "trainer_y": 302, "admin": 302}
SESSION_Y_READERS = {
    "anonymous": LOGIN,
    "trainer_x": 404,
    "trainer_y": 200,
    "official_1": 404,
    "official_2": 200,
    "admin": 200,
}
OFFICIALS_OK = {"anonymous": LOGIN, "official_1": 200, "official_2": 200, "admin": 200}
OFFICIALS_NOT_FOUND = {"anonymous": LOGIN, "official_1": 404, "official_2": 404, "admin": 404}
OFFICIALS_REFUSED = {"anonymous": LOGIN, "official_1": 400, "official_2": 400, "admin": 400}
#: the certificate of household B (commune 2): the official of commune 1 finds nothing
OFFICIALS_TRAIL = {"anonymous": LOGIN, "official_1": 200, "official_2": 302, "admin": 302}
OWN_IMPORT = {"anonymous": LOGIN, "official_1": 404, "official_2": 200, "admin": 200}
#: assisted mode (issue #22): trainers, the digital team of commune 1, admins
ASSISTERS_OK = {"anonymous": LOGIN, "trainer_x": 200, "team_1": 200, "admin": 200}
#: the learning pages without an open assisted mode: back to the helper's sessions
ASSISTERS_BACK = {"anonymous": LOGIN, "trainer_x": 302, "team_1": 302, "admin": 302}
#: session Y (organisation Y, commune 2, tomorrow): not today, so opening is refused (400)
ASSIST_AT_Y = {"anonymous": LOGIN, "trainer_x": 404, "trainer_y": 200, "team_1": 404, "admin": 200}

#: what each actor must never read in any page: the names, phones and national IDs of
#: households, and the sessions, of another scope
HOUSEHOLD_A = ("Nguyễn Thị Hương", "0912345678", "040186001234")
HOUSEHOLD_B = ("Trần Văn Đức", "0987654321", "040084002345")
FOREIGN = {
    "member_a": (*HOUSEHOLD_B, "Lớp Yên Thành", "Lớp Diễn Châu"),
    "member_b": (*HOUSEHOLD_A, "Lớp Yên Thành", "Lớp Diễn Châu"),
    "official_1": (*HOUSEHOLD_B, "Lớp Yên Thành"),
    "official_2": (*HOUSEHOLD_A, "Lớp Diễn Châu"),
    "trainer_x": ("Lớp Yên Thành",),
    "trainer_y": ("Lớp Diễn Châu",),
    # the digital technology team of commune 1: never commune 2, never a national ID
    "team_1": (*HOUSEHOLD_B, "Lớp Yên Thành", HOUSEHOLD_A[2]),
}

#: (endpoint, method, path built from the world, {actor: status}); anything not listed is 403
MATRIX = [
    ("core.index", "GET", lambda w: "/", dict.fromkeys(ACTORS, 302)),
    ("core.set_language", "GET", lambda w: "/language/en", dict.fromkeys(ACTORS, 302)),
    ("favicon", "GET", lambda w: "/favicon.ico", dict.fromkeys(ACTORS, 200)),
    ("auth.login", "GET", lambda w: "/login", {"anonymous": 200, **dict.fromkeys(ACTORS[1:], 302)}),
    (
        "auth.login_staff",
        "GET",
        lambda w: "/login/staff",
        {"anonymous": 200, **dict.fromkeys(ACTORS[1:], 302)},
    ),
    (
        "auth.change_pin",
        "GET",
        lambda w: "/account/pin",
        {"anonymous": LOGIN, "member_a": 200, "member_b": 200},
    ),
    ("auth.logout", "POST", lambda w: "/logout", dict.fromkeys(ACTORS, 302)),
    ("auth.users", "GET", lambda w: "/users", {"anonymous": LOGIN, "admin": 200}),
    ("auth.create_user", "GET", lambda w: "/users/new", {"anonymous": LOGIN, "admin": 200}),
    (
        "auth.edit_user",
        "GET",
        lambda w: f"/users/{w.official_2.id}/edit",
        {"anonymous": LOGIN, "admin": 200},
    ),
    (
        "auth.deactivate_user",
        "POST",
        lambda w: f"/users/{w.official_2.id}/deactivate",
        # the first POST shows what deactivating does; its button deactivates
        {"anonymous": LOGIN, "admin": 200},
    ),
    ("admin.index", "GET", lambda w: "/admin/", {"anonymous": LOGIN, "admin": 200}),
    ("admin.audit", "GET", lambda w: "/admin/audit", {"anonymous": LOGIN, "admin": 200}),
    ("areas.index", "GET", lambda w: "/areas/", {"anonymous": LOGIN, "admin": 200}),
    ("areas.create", "GET", lambda w: "/areas/new", {"anonymous": LOGIN, "admin": 200}),
    (
        "areas.edit",
        "GET",
        lambda w: f"/areas/{w.commune_2.id}/edit",
        {"anonymous": LOGIN, "admin": 200},
    ),
    ("areas.import_csv", "GET", lambda w: "/areas/import", {"anonymous": LOGIN, "admin": 200}),
    ("organisations.index", "GET", lambda w: "/organisations/", {"anonymous": LOGIN, "admin": 200}),
    (
        "organisations.create",
        "GET",
        lambda w: "/organisations/new",
        {"anonymous": LOGIN, "admin": 200},
    ),
    (
        "organisations.edit",
        "GET",
        lambda w: f"/organisations/{w.org_y.id}/edit",
        {"anonymous": LOGIN, "admin": 200},
    ),
    (
        "households.index",
        "GET",
        lambda w: "/households/",
        {"anonymous": LOGIN, "trainer_x": 200, "official_1": 200, "official_2": 200, "admin": 200},
    ),
    # household B lives in commune 2: out of scope for household A and the official of commune 1
    (
        "households.detail",
        "GET",
        lambda w: f"/households/{w.household_b.id}",
        {
            "anonymous": LOGIN,
            "team_1": 404,
            "member_a": 404,
            "member_b": 200,
            "trainer_x": 200,
            "official_1": 404,
            "official_2": 200,
            "admin": 200,
        },
    ),
    (
        "attendance.sessions",
        "GET",
        lambda w: "/sessions/",
        {"anonymous": LOGIN, "trainer_x": 200, "official_1": 200, "official_2": 200, "admin": 200},
    ),
    # session Y belongs to organisation Y in commune 2
    (
        "attendance.detail",
        "GET",
        lambda w: f"/sessions/{w.session_y.id}",
        {
            "anonymous": LOGIN,
            "trainer_x": 404,
            "trainer_y": 200,
            "official_1": 404,
            "official_2": 200,
            "admin": 200,
        },
    ),
    ("households.export", "GET", lambda w: "/households/export.xlsx", STAFF_OK),
    ("households.create", "GET", lambda w: "/households/new", STAFF_OK),
    (
        "households.edit",
        "GET",
        lambda w: f"/households/{w.household_b.id}/edit",
        CHANGE_FORM_IN_COMMUNE_2,
    ),
    (
        "households.inform",
        "POST",
        lambda w: "/households/inform",
        {**STAFF_OK, **dict.fromkeys(STAFF, 302)},
    ),
    (
        "households.import_upload",
        "GET",
        lambda w: "/households/import",
        {"anonymous": LOGIN, "official_1": 200, "official_2": 200, "admin": 200},
    ),
    (
        "households.import_history",
        "GET",
        lambda w: "/households/imports",
        {"anonymous": LOGIN, "official_1": 200, "official_2": 200, "admin": 200},
    ),
    # import 2 was uploaded by the official of commune 2
    (
        "households.import_preview",
        "GET",
        lambda w: f"/households/import/{w.import_2.id}",
        OWN_IMPORT,
    ),
    (
        "households.import_rejected",
        "GET",
        lambda w: f"/households/import/{w.import_2.id}/rejected.xlsx",
        OWN_IMPORT,
    ),
    (
        "households.import_commit",
        "POST",
        lambda w: f"/households/import/{w.import_2.id}/commit",
        {**OWN_IMPORT, "official_2": 302, "admin": 302},
    ),
    (
        "households.import_resolve",
        "POST",
        lambda w: f"/households/import/{w.import_2.id}/rows/2/resolve",
        {**OWN_IMPORT, "official_2": 302, "admin": 302},
    ),
    (
        "households.classifications",
        "GET",
        lambda w: "/households/classifications/scale-classes",
        {"anonymous": LOGIN, "admin": 200},
    ),
    # editing one class: a made-up id is a 404 for the admin, a 403 for everyone else
    (
        "households.classifications",
        "GET",
        lambda w: "/households/classifications/product-groups/999999",
        {"anonymous": LOGIN, "admin": 404},
    ),
    (
        "households.classifications",
        "POST",
        lambda w: "/households/classifications/product-groups/999999",
        {"anonymous": LOGIN, "admin": 404},
    ),
    # product B belongs to household B, in commune 2
    (
        "products.create",
        "GET",
        lambda w: f"/households/{w.household_b.id}/products/new",
        CHANGE_FORM_IN_COMMUNE_2,
    ),
    ("products.edit", "GET", lambda w: f"/products/{w.product_b.id}", CHANGE_FORM_IN_COMMUNE_2),
    (
        "products.delete",
        "POST",
        lambda w: f"/products/{w.product_b.id}/delete",
        CHANGE_FORM_IN_COMMUNE_2,  # the first POST shows what it does; its button does it
    ),
    (
        "products.add_certification",
        "POST",
        lambda w: f"/products/{w.product_b.id}/certifications",
        CHANGES_IN_COMMUNE_2,
    ),
    (
        "products.delete_certification",
        "POST",
        lambda w: f"/certifications/{w.certification_b.id}/delete",
        CHANGE_FORM_IN_COMMUNE_2,  # the first POST shows what it does; its button does it
    ),
    (
        "products.set_listing",
        "POST",
        lambda w: f"/products/{w.product_b.id}/listings",
        CHANGES_IN_COMMUNE_2,
    ),
    (
        "products.end_listing",
        "POST",
        lambda w: f"/listings/{w.listing_b.id}/end",
        CHANGE_FORM_IN_COMMUNE_2,  # the first POST shows what ending does; its button ends
    ),
    ("auth.card_login", "GET", lambda w: "/card/not-a-card", dict.fromkeys(ACTORS, 400)),
    (
        "auth.print_card",
        "POST",
        lambda w: f"/households/{w.household_b.id}/card",
        CARD_OF_B,
    ),
    (
        "auth.print_card",
        "POST",
        lambda w: f"/households/{w.household_b.id}/card.pdf",
        CARD_OF_B,
    ),
    (
        "auth.revoke_cards",
        "POST",
        lambda w: f"/households/{w.household_b.id}/card/revoke",
        CARD_OF_B,  # the first POST shows what revoking does; its button revokes
    ),
    (
        "courses.course",
        "GET",
        lambda w: "/learn/thu-nghiem/",
        {"anonymous": LOGIN, "member_a": 302},
    ),
    (
        "courses.lesson",
        "GET",
        lambda w: "/learn/thu-nghiem/1",
        {"anonymous": LOGIN, "member_a": 200},
    ),
    (
        "courses.lesson_done",
        "POST",
        lambda w: "/learn/thu-nghiem/1/done",
        # the lesson was not open long enough to count as read: a kind 400 on the lesson
        {"anonymous": LOGIN, "member_a": 400},
    ),
    (
        "courses.quiz",
        "GET",
        lambda w: "/learn/thu-nghiem/quiz",
        {"anonymous": LOGIN, "member_a": 200},
    ),
    # household B's attempt: out of scope for household A and the official of commune 1
    (
        "courses.attempt",
        "GET",
        lambda w: f"/learn/results/{w.attempt_b.id}",
        {
            "anonymous": LOGIN,
            "team_1": 404,
            "member_a": 404,
            "member_b": 200,
            "trainer_x": 200,
            "official_1": 404,
            "official_2": 200,
            "admin": 200,
        },
    ),
    ("courses.results", "GET", lambda w: "/learn/results/", {"anonymous": LOGIN, "member_a": 200}),
    (
        "courses.media",
        "GET",
        lambda w: f"/learn/media/{w.attempt_b.course_version_id}/none.png",
        {**dict.fromkeys(ACTORS, 404), "anonymous": LOGIN},
    ),
    ("courses.admin", "GET", lambda w: "/learn/admin/", {"anonymous": LOGIN, "admin": 200}),
    (
        "courses.preview",
        "GET",
        lambda w: "/learn/admin/thu-nghiem/1/1",
        {"anonymous": LOGIN, "admin": 200},
    ),
    (
        "courses.publish",
        "POST",
        lambda w: "/learn/admin/thu-nghiem/publish",
        {"anonymous": LOGIN, "admin": 302},
    ),
    (
        "courses.programme",
        "GET",
        lambda w: "/learn/admin/programmes/new",
        {"anonymous": LOGIN, "admin": 200},
    ),
    (
        "courses.programme",
        "GET",
        lambda w: f"/learn/admin/programmes/{w.certificate_b.programme_id}",
        {"anonymous": LOGIN, "admin": 200},
    ),
    ("attendance.create", "GET", lambda w: "/sessions/new", {"anonymous": LOGIN, "trainer_x": 200}),
    # session Y belongs to organisation Y in commune 2
    ("attendance.edit", "GET", lambda w: f"/sessions/{w.session_y.id}/edit", SESSION_Y_MARKERS),
    (
        "attendance.cancel",
        "POST",
        lambda w: f"/sessions/{w.session_y.id}/cancel",
        SESSION_Y_MARKERS,  # the first POST shows what cancelling does; its button cancels
    ),
    (
        "attendance.restore",
        "POST",
        lambda w: f"/sessions/{w.session_y.id}/restore",
        SESSION_Y_CHANGES,
    ),
    ("attendance.cards", "GET", lambda w: f"/sessions/{w.session_y.id}/cards", SESSION_Y_MARKERS),
    (
        "attendance.cards_pdf",
        "POST",
        lambda w: f"/sessions/{w.session_y.id}/cards.pdf",
        SESSION_Y_CHANGES,  # nothing ticked: back to the page
    ),
    ("attendance.roster", "GET", lambda w: f"/sessions/{w.session_y.id}/roster", SESSION_Y_MARKERS),
    (
        "attendance.roster_add",
        "POST",
        lambda w: f"/sessions/{w.session_y.id}/roster/add",
        SESSION_Y_CHANGES,
    ),
    (
        "attendance.roster_phones",
        "POST",
        lambda w: f"/sessions/{w.session_y.id}/roster/phones",
        SESSION_Y_CHANGES,
    ),
    (
        "attendance.roster_walk_in",
        "POST",
        lambda w: f"/sessions/{w.session_y.id}/roster/walk-in",
        SESSION_Y_CHANGES,
    ),
    (
        "attendance.roster_remove",
        "POST",
        lambda w: f"/sessions/{w.session_y.id}/roster/999999/remove",
        {**SESSION_Y_MARKERS, "trainer_y": 404, "admin": 404},
    ),
    ("attendance.marks", "GET", lambda w: f"/sessions/{w.session_y.id}/marks", SESSION_Y_MARKERS),
    (
        "attendance.checkin_screen",
        "GET",
        lambda w: f"/sessions/{w.session_y.id}/checkin-screen",
        SESSION_Y_MARKERS,
    ),
    (
        "attendance.sign_in_sheet",
        "GET",
        lambda w: f"/sessions/{w.session_y.id}/sign-in-sheet.pdf",
        SESSION_Y_READERS,
    ),
    (
        "attendance.export_session",
        "GET",
        lambda w: f"/sessions/{w.session_y.id}/attendance.xlsx",
        SESSION_Y_READERS,
    ),
    (
        "attendance.export_range",
        "GET",
        lambda w: "/sessions/attendance.xlsx?first=2026-01-01&last=2026-12-31",
        {"anonymous": LOGIN, "trainer_x": 200, "official_1": 200, "official_2": 200, "admin": 200},
    ),
    ("checkin.checkin", "GET", lambda w: "/checkin/", {"anonymous": LOGIN, "member_a": 200}),
    (
        "checkin.checkin_link",
        "GET",
        lambda w: f"/checkin/{w.session_y.id}/000000",
        {"anonymous": LOGIN, "member_a": 400},
    ),
    # household B's certificate
    (
        "certificates.pdf",
        "GET",
        lambda w: f"/certificates/{w.certificate_b.id}.pdf",
        {
            "anonymous": LOGIN,
            "team_1": 404,
            "member_a": 404,
            "member_b": 200,
            "trainer_x": 200,
            "official_1": 404,
            "official_2": 200,
            "admin": 200,
        },
    ),
    (
        "certificates.credential",
        "GET",
        lambda w: f"/certificates/{w.certificate_b.id}.credential.json",
        {
            "anonymous": LOGIN,
            "team_1": 404,
            "member_a": 404,
            "member_b": 200,
            "trainer_x": 200,
            "official_1": 404,
            "official_2": 200,
            "admin": 200,
        },
    ),
    (
        "certificates.mine",
        "GET",
        lambda w: "/certificates/mine",
        {"anonymous": LOGIN, "member_a": 200, "member_b": 200},
    ),
    (
        "certificates.detail",
        "GET",
        lambda w: f"/certificates/{w.certificate_b.id}",
        {"anonymous": LOGIN, "trainer_x": 200, "official_1": 404, "official_2": 200, "admin": 200},
    ),
    (
        "certificates.revoke",
        "POST",
        lambda w: f"/certificates/{w.certificate_b.id}/revoke",
        # without a reason: back to the form with the message (with one, the confirmation step)
        {"anonymous": LOGIN, "admin": 302},
    ),
    (
        "certificates.index",
        "GET",
        lambda w: "/certificates/",
        {"anonymous": LOGIN, "trainer_x": 200, "official_1": 200, "official_2": 200, "admin": 200},
    ),
    (
        "certificates.bundle_page",
        "GET",
        lambda w: "/certificates/bundle.pdf?area_id=999999",
        {"anonymous": LOGIN, "trainer_x": 302, "official_1": 302, "official_2": 302, "admin": 302},
    ),
    (
        "certificates.bundle",
        "POST",
        lambda w: "/certificates/bundle.pdf",
        {"anonymous": LOGIN, "trainer_x": 302, "official_1": 302, "official_2": 302, "admin": 302},
    ),
    (
        "jobs.index",
        "GET",
        lambda w: "/jobs/",
        {"anonymous": LOGIN, **dict.fromkeys(ACTORS[1:], 200)},
    ),
    (
        "jobs.detail",
        "GET",
        lambda w: "/jobs/999999",
        {"anonymous": LOGIN, **dict.fromkeys(ACTORS[1:], 404)},
    ),
    (
        "jobs.status",
        "GET",
        lambda w: "/jobs/999999.json",
        {"anonymous": LOGIN, **dict.fromkeys(ACTORS[1:], 404)},
    ),
    (
        "jobs.download",
        "GET",
        lambda w: "/jobs/999999/download",
        {"anonymous": LOGIN, **dict.fromkeys(ACTORS[1:], 404)},
    ),
    (
        "certificates.render_all",
        "POST",
        lambda w: "/certificates/render",
        {"anonymous": LOGIN, "admin": 302},
    ),
    ("verify.token", "GET", lambda w: "/v/not.genuine", dict.fromkeys(ACTORS, 404)),
    ("verify.lookup", "GET", lambda w: "/v/", dict.fromkeys(ACTORS, 200)),
    ("verify.public_key", "GET", lambda w: "/v/public-key.pem", dict.fromkeys(ACTORS, 200)),
    ("verify.status_list", "GET", lambda w: "/v/status/0", dict.fromkeys(ACTORS, 200)),
    ("courses.my_courses", "GET", lambda w: "/learn/", {"anonymous": LOGIN, "member_a": 200}),
    ("reports.overview", "GET", lambda w: "/overview/", OFFICIALS_OK),
    ("reports.export", "GET", lambda w: "/overview/export.xlsx", OFFICIALS_OK),
    (
        "reports.households",
        "GET",
        lambda w: "/overview/households/listed_not_trained",
        OFFICIALS_OK,
    ),
    (
        "reports.export_households",
        "GET",
        lambda w: "/overview/households/listed_not_trained.csv",
        OFFICIALS_OK,
    ),
    ("reports.ineligible", "GET", lambda w: "/overview/listings/ineligible", OFFICIALS_OK),
    (
        "reports.export_ineligible",
        "GET",
        lambda w: "/overview/listings/ineligible.xlsx",
        OFFICIALS_OK,
    ),
    ("reports.report", "GET", lambda w: "/overview/report.pdf", OFFICIALS_OK),
    ("reports.plan_targets_page", "GET", lambda w: "/overview/targets", OFFICIALS_OK),
    # an empty form changes no commune's targets
    (
        "reports.plan_targets_page",
        "POST",
        lambda w: "/overview/targets",
        {**OFFICIALS_OK, "official_1": 302, "official_2": 302, "admin": 302},
    ),
    (
        "reports.import_plan_targets",
        "POST",
        lambda w: "/overview/targets/import",
        OFFICIALS_REFUSED,
    ),
    ("reports.reconcile", "GET", lambda w: "/overview/reconcile", OFFICIALS_OK),
    # someone else's (or a made-up) upload: nobody may open it
    (
        "reports.reconcile_preview",
        "GET",
        lambda w: f"/overview/reconcile/{'0' * 32}?marketplace_id=1",
        OFFICIALS_NOT_FOUND,
    ),
    (
        "reports.reconcile_commit",
        "POST",
        lambda w: f"/overview/reconcile/{'0' * 32}?marketplace_id=1",
        OFFICIALS_NOT_FOUND,
    ),
    (
        "reports.reconcile_decide",
        "POST",
        lambda w: f"/overview/reconcile/{'0' * 32}/sellers/2",
        OFFICIALS_NOT_FOUND,
    ),
    (
        "reports.reconcile_report",
        "GET",
        lambda w: f"/overview/reconcile/{'0' * 32}/report.xlsx?marketplace_id=1",
        OFFICIALS_NOT_FOUND,
    ),
    ("reports.trail", "GET", lambda w: "/overview/trail?q=NA-2026-000001", OFFICIALS_TRAIL),
    (
        "reports.household_trail",
        "GET",
        lambda w: f"/overview/trail/{w.household_b.id}",
        {"anonymous": LOGIN, "official_1": 404, "official_2": 200, "admin": 200},
    ),
    ("activation.mine", "GET", lambda w: "/activation/", {"anonymous": LOGIN, "member_a": 200}),
    # asking for household B (no marketplace given: 400 once the household is in scope)
    (
        "activation.ask",
        "POST",
        lambda w: f"/households/{w.household_b.id}/activation",
        {"anonymous": LOGIN, "member_a": 404, "member_b": 400, "trainer_x": 400, "admin": 400},
    ),
    ("activation.queue", "GET", lambda w: "/activation/requests", STAFF_OK),
    ("activation.export", "GET", lambda w: "/activation/requests.csv", STAFF_OK),
    # household B's request, in commune 2
    ("activation.detail", "GET", lambda w: f"/activation/requests/{w.request_b.id}", IN_COMMUNE_2),
    (
        "activation.approve",
        "POST",
        lambda w: f"/activation/requests/{w.request_b.id}/approve",
        DECIDE_POSTMART,
    ),
    (
        "activation.refuse",
        "POST",
        lambda w: f"/activation/requests/{w.request_b.id}/refuse",
        {**DECIDE_POSTMART, "trainer_x": 400, "admin": 400},
    ),
    (
        "activation.activated",
        "POST",
        lambda w: f"/activation/requests/{w.request_b.id}/activated",
        {**DECIDE_POSTMART, "trainer_x": 400, "admin": 400},
    ),
    (
        "activation.close",
        "POST",
        lambda w: f"/activation/requests/{w.request_b.id}/close",
        # the first POST shows what closing does; its button closes
        {**DECIDE_POSTMART, "trainer_x": 200, "admin": 200},
    ),
    (
        "admin.api_keys_index",
        "GET",
        lambda w: "/admin/api-keys",
        {"anonymous": LOGIN, "admin": 200},
    ),
    (
        "admin.revoke_api_key",
        "POST",
        lambda w: f"/admin/api-keys/{w.api_key.id}/revoke",
        # the first POST shows what revoking does; its button revokes
        {"anonymous": LOGIN, "admin": 200},
    ),
    # the API answers a key, never a session: everyone without one gets 401
    ("api.openapi_document", "GET", lambda w: "/api/v1/openapi.json", dict.fromkeys(ACTORS, 200)),
    (
        "api.verify_certificate",
        "GET",
        lambda w: "/api/v1/certificates/verify?serial=NA-2026-000001",
        dict.fromkeys(ACTORS, 401),
    ),
    (
        "api.certificate_credential",
        "GET",
        lambda w: "/api/v1/certificates/credential?phone=0987654321",
        dict.fromkeys(ACTORS, 401),
    ),
    (
        "api.eligibility",
        "GET",
        lambda w: "/api/v1/marketplaces/postmart/eligibility?phone=0987654321",
        dict.fromkeys(ACTORS, 401),
    ),
    (
        "api.report_activation",
        "POST",
        lambda w: "/api/v1/marketplaces/postmart/activations",
        dict.fromkeys(ACTORS, 401),
    ),
    (
        "api.report_closure",
        "POST",
        lambda w: "/api/v1/marketplaces/postmart/closures",
        dict.fromkeys(ACTORS, 401),
    ),
    (
        "api.flagship_products",
        "GET",
        lambda w: "/api/v1/flagship-products",
        dict.fromkeys(ACTORS, 401),
    ),
    (
        "api.flagship_product",
        "GET",
        lambda w: "/api/v1/flagship-products/che-xanh",
        dict.fromkeys(ACTORS, 401),
    ),
    # messages and consent (issue #22): the household's box and consent, a trainer's paper
    # consent for its session's roster, the officials' delivery screen
    ("messages.mine", "GET", lambda w: "/messages/", {"anonymous": LOGIN, "member_a": 200}),
    (
        "messages.consent",
        "GET",
        lambda w: "/messages/consent",
        {"anonymous": LOGIN, "member_a": 200},
    ),
    (
        "messages.consent_post",
        "POST",
        lambda w: "/messages/consent",
        {"anonymous": LOGIN, "member_a": 400},
    ),
    (
        "messages.paper_consent",
        "GET",
        lambda w: f"/messages/sessions/{w.session_y.id}/consent",
        SESSION_Y_MARKERS,
    ),
    (
        "messages.record_paper_consent",
        "POST",
        lambda w: f"/messages/sessions/{w.session_y.id}/consent/{w.household_b.id}",
        {"anonymous": LOGIN, "trainer_x": 404, "trainer_y": 400, "admin": 400},
    ),
    ("messages.delivery", "GET", lambda w: "/messages/delivery", OFFICIALS_OK),
    # assisted learning and proxy flags (issue #22)
    ("assisted.index", "GET", lambda w: "/assisted/", ASSISTERS_OK),
    ("assisted.roster", "GET", lambda w: f"/assisted/sessions/{w.session_y.id}", ASSIST_AT_Y),
    (
        "assisted.open_assist",
        "POST",
        lambda w: f"/assisted/sessions/{w.session_y.id}/households/{w.household_b.id}",
        {**ASSIST_AT_Y, "trainer_y": 400, "admin": 400},
    ),
    ("assisted.end", "POST", lambda w: "/assisted/end", ASSISTERS_BACK),
    ("assisted.learn", "GET", lambda w: "/assisted/learn/", ASSISTERS_BACK),
    ("assisted.lesson", "GET", lambda w: "/assisted/learn/thu-nghiem/1", ASSISTERS_BACK),
    (
        "assisted.lesson_done",
        "POST",
        lambda w: "/assisted/learn/thu-nghiem/1/done",
        ASSISTERS_BACK,
    ),
    ("assisted.quiz", "GET", lambda w: "/assisted/learn/thu-nghiem/quiz", ASSISTERS_BACK),
    ("assisted.quiz", "POST", lambda w: "/assisted/learn/thu-nghiem/quiz", ASSISTERS_BACK),
    (
        "assisted.attempt",
        "GET",
        lambda w: f"/assisted/learn/results/{w.attempt_b.id}",
        ASSISTERS_BACK,
    ),
    ("assisted.proxy_flags", "GET", lambda w: "/assisted/flags", OFFICIALS_OK),
    # flagship products: public pages for anyone, choosing for officials (issue 23)
    ("flagship.index", "GET", lambda w: "/flagship/", dict.fromkeys(ACTORS, 200)),
    ("flagship.detail", "GET", lambda w: "/flagship/che-xanh", dict.fromkeys(ACTORS, 404)),
    ("flagship.qr", "GET", lambda w: "/flagship/che-xanh/qr.svg", dict.fromkeys(ACTORS, 404)),
    ("flagship.media", "GET", lambda w: "/flagship/media/1/a.svg", dict.fromkeys(ACTORS, 404)),
    ("flagship.manage", "GET", lambda w: "/flagship/manage/", OFFICIALS_OK),
    ("flagship.choose", "POST", lambda w: "/flagship/manage/choose", OFFICIALS_NOT_FOUND),
    ("flagship.producers", "GET", lambda w: "/flagship/manage/999", OFFICIALS_NOT_FOUND),
    (
        "flagship.withdraw",
        "POST",
        lambda w: "/flagship/manage/999/withdraw",
        OFFICIALS_NOT_FOUND,
    ),
    # the commune radio (issue #22): officials of the commune; another commune is a 404
    ("outreach.index", "GET", lambda w: "/radio/", OFFICIALS_OK),
    (
        "outreach.announcement",
        "GET",
        lambda w: (
            f"/radio/announcement?area_id={w.commune_2.id}&date_from=2026-12-01&date_to=2026-12-20"
        ),
        {"anonymous": LOGIN, "official_1": 404, "official_2": 200, "admin": 200},
    ),
    (
        "outreach.announcement_text",
        "GET",
        lambda w: (
            f"/radio/announcement.txt?area_id={w.commune_2.id}&date_from=2026-12-01&date_to=2026-12-20"
        ),
        {"anonymous": LOGIN, "official_1": 404, "official_2": 200, "admin": 200},
    ),
    ("outreach.record", "GET", lambda w: "/radio/broadcasts/new", OFFICIALS_OK),
    ("outreach.detail", "GET", lambda w: "/radio/broadcasts/999999", OFFICIALS_NOT_FOUND),
    # the household's rights (issue #22): its own data; requests filed by it or on its behalf
    ("privacy.mine", "GET", lambda w: "/my-data", {"anonymous": LOGIN, "member_a": 200}),
    (
        "privacy.mine_download",
        "GET",
        lambda w: "/my-data.txt",
        {"anonymous": LOGIN, "member_a": 200},
    ),
    (
        "privacy.file",
        "GET",
        lambda w: f"/households/{w.household_b.id}/data-request",
        {**CHANGE_FORM_IN_COMMUNE_2, "member_a": 404, "member_b": 200, "team_1": 404},
    ),
    ("privacy.requests", "GET", lambda w: "/data-requests/", OFFICIALS_OK),
    ("privacy.answer", "GET", lambda w: "/data-requests/999999", OFFICIALS_NOT_FOUND),
    # the installable, offline web app (issue #21): the same for everyone
    ("offline.service_worker", "GET", lambda w: "/sw.js", dict.fromkeys(ACTORS, 200)),
    ("offline.manifest", "GET", lambda w: "/manifest.webmanifest", dict.fromkeys(ACTORS, 200)),
    ("offline.page", "GET", lambda w: "/offline", dict.fromkeys(ACTORS, 200)),
]


#: screens that show a form on GET and take it back on POST. Sent empty, the POST answers
#: as the GET does, except for who may send it: a new record's form comes back with its
#: errors (400); an edit form without fields keeps the record as it is (302)
FORMS = {
    "auth.login", "auth.login_staff", "auth.change_pin", "auth.create_user", "areas.create",
    "areas.import_csv",
    "organisations.create", "households.create", "households.import_upload",
    "households.classifications", "products.create", "attendance.create", "attendance.edit",
    "attendance.marks", "checkin.checkin", "courses.quiz", "courses.programme",
    "admin.api_keys_index", "reports.reconcile",
    "outreach.record", "privacy.file", "privacy.answer",
}  # fmt: skip
EDITS = {"auth.edit_user", "areas.edit", "organisations.edit", "households.edit", "products.edit"}
MATRIX += [
    (endpoint, "POST", path, {a: (302 if endpoint in EDITS else 400) if s == 200 else s for a, s in expected.items()})
    for endpoint, method, path, expected in list(MATRIX)
    if endpoint in FORMS | EDITS and method == "GET"
]  # fmt: skip


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    ("endpoint", "method", "path", "expected"),
    MATRIX,
    ids=[f"{row[0]}:{row[1]}" for row in MATRIX],
)
def test_access(shared_matrix_world, client_for, actor, endpoint, method, path, expected):
    world = shared_matrix_world
    user = None if actor == "anonymous" else getattr(world, actor)
    response = client_for(user).open(path(world), method=method)
    status = expected.get(actor, expected.get(TWINS.get(actor, ""), 403))
    if status == LOGIN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    else:
        assert response.status_code == status
    if response.status_code == 200 and response.mimetype.startswith("text/"):
        body = response.get_data(as_text=True)
        leaked = [marker for marker in FOREIGN.get(actor, ()) if marker in body]
        assert not leaked, f"{endpoint} shows {actor} records of another scope: {leaked}"


@pytest.mark.parametrize(
    ("actor", "path", "absent"),
    [
        ("official_1", "/households/", "Trần Văn Đức"),
        ("official_2", "/households/", "Nguyễn Thị Hương"),
        ("official_1", "/sessions/", "Lớp Yên Thành"),
        ("trainer_x", "/sessions/", "Lớp Yên Thành"),
        ("official_1", "/overview/", "Xã Yên Thành"),
    ],
)
def test_lists_hold_no_record_of_another_scope(world, client_for, actor, path, absent):
    body = client_for(getattr(world, actor)).get(path).get_data(as_text=True)
    assert absent not in body


def test_a_household_sees_its_own_record_with_its_national_id(world, client_for):
    body = (
        client_for(world.member_a).get(f"/households/{world.household_a.id}").get_data(as_text=True)
    )
    assert "040186001234" in body


def test_staff_see_national_ids_masked_except_admins(world, client_for):
    path = f"/households/{world.household_a.id}"
    assert "********1234" in client_for(world.official_1).get(path).get_data(as_text=True)
    assert "040186001234" not in client_for(world.trainer_x).get(path).get_data(as_text=True)
    assert "040186001234" in client_for(world.admin).get(path).get_data(as_text=True)


def test_every_url_rule_and_method_is_in_the_matrix(app, matrix_world):
    """Each row's path is matched to its URL rule: a rule (or a method of it) no row requests
    fails here, even when its endpoint is requested through another rule."""
    adapter = app.url_map.bind("localhost")
    requested = set()
    for endpoint, method, path, _expected in MATRIX:
        rule, _args = adapter.match(urlsplit(path(matrix_world)).path, method, return_rule=True)
        assert rule.endpoint == endpoint, f"{path(matrix_world)} is {rule.endpoint}, not {endpoint}"
        requested.add((rule.rule, method))
    rules = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert sorted(rules - requested) == []
