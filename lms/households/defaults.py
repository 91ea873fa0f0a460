"""The scale classes and product groups a commune starts with, and the usual wordings of
them in import files.

Migration 0015 seeds the classes below (a frozen copy; admins rename, add or retire them on
the classification screens). ``ALIASES`` names, by code, the other ways a spreadsheet
writes a class; they are matched as the names are, without diacritics or case, so "chè",
"Trà" and "CHE XANH" all find the tea group.
"""

from __future__ import annotations

#: (code, name) in display order
SCALE_CLASSES: tuple[tuple[str, str], ...] = (
    ("ho-nho", "Hộ nhỏ"),
    ("ho-vua", "Hộ vừa"),
    ("ho-lon", "Hộ lớn"),
    ("to-hop-tac", "Tổ hợp tác"),
    ("hop-tac-xa", "Hợp tác xã"),
)

PRODUCT_GROUPS: tuple[tuple[str, str], ...] = (
    ("che-tra", "Chè"),
    ("mat-ong", "Mật ong"),
    ("gao-lua", "Gạo – lúa"),
    ("rau-cu-qua", "Rau – củ – quả"),
    ("thuy-san", "Thủy sản"),
    ("chan-nuoi", "Chăn nuôi"),
    ("nong-san-che-bien", "Nông sản chế biến"),
    ("duoc-lieu", "Dược liệu"),
    ("khac", "Khác"),
)

#: words a cell may put before the class itself: "Quy mô nhỏ", "Hộ nhỏ", "Nhóm: Chè"
PREFIXES: tuple[str, ...] = (
    "phan loai quy mo",
    "quy mo ho",
    "quy mo",
    "nhom san pham",
    "nhom sp",
    "nhom",
    "san pham",
    "loai",
    "ho",
)

#: other wordings, by the code of the class they mean (written without diacritics)
ALIASES: dict[str, tuple[str, ...]] = {
    "ho-nho": ("nho", "ho nho le", "ho quy mo nho", "small"),
    "ho-vua": ("vua", "trung binh", "ho trung binh", "medium"),
    "ho-lon": ("lon", "ho quy mo lon", "large"),
    "to-hop-tac": ("tht", "to hop tac", "to hop tac san xuat", "nhom ho", "to san xuat"),
    "hop-tac-xa": ("htx", "hop tac xa", "hop tac xa nong nghiep", "cooperative"),
    "che-tra": ("che", "tra", "che xanh", "tra xanh", "che bup", "che kho", "che shan", "tea"),
    "mat-ong": ("mat ong", "ong", "nuoi ong", "honey"),
    "gao-lua": ("gao", "lua", "lua gao", "gao lua", "thoc", "rice"),
    "rau-cu-qua": (
        "rau",
        "rau cu",
        "rau qua",
        "rau cu qua",
        "cu qua",
        "trai cay",
        "hoa qua",
        "cay an qua",
        "qua",
    ),
    "thuy-san": ("thuy san", "ca", "tom", "nuoi trong thuy san", "nuoi ca"),
    "chan-nuoi": ("chan nuoi", "gia suc", "gia cam", "lon", "heo", "ga", "vit", "bo"),
    "nong-san-che-bien": ("che bien", "nong san che bien", "thuc pham che bien"),
    "duoc-lieu": ("duoc lieu", "cay thuoc", "thuoc nam", "cay duoc lieu"),
    "khac": ("khac", "other"),
}
