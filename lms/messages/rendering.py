"""The message templates (``texts/<name>.toml``) and the consent texts
(``consent_texts/<purpose>-v<n>.md``), read from their files and rendered per channel."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lms.messages.models import Channel, ConsentPurpose

FOLDER = Path(__file__).resolve().parent
#: a GSM-7 SMS part alone, and each part of a longer one (the rest is the joining header)
SMS_PART, SMS_JOINED_PART = 160, 153


@dataclass(frozen=True)
class Template:
    name: str
    subject: str
    #: parameter → its longest value (the ZNS template's limit)
    params: dict[str, int]
    title: str
    body: str
    sms: str
    sms_parts: int

    @property
    def sms_limit(self) -> int:
        return SMS_PART if self.sms_parts == 1 else SMS_JOINED_PART * self.sms_parts


@cache
def template(name: str) -> Template:
    data = tomllib.loads((FOLDER / "texts" / f"{name}.toml").read_text("utf-8"))
    return Template(name=name, **data)


def template_names() -> list[str]:
    return sorted(path.stem for path in (FOLDER / "texts").glob("*.toml"))


def cut(value: object, limit: int) -> str:
    """A parameter's value within its limit (cut with an ellipsis)."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit_params(template: Template, values: dict[str, object]) -> dict[str, str]:
    """Every parameter the template names, each within its limit; a missing one is an error
    of the trigger, not of the household."""
    missing = set(template.params) - set(values)
    if missing:
        raise KeyError(f"{template.name}: missing parameters {sorted(missing)}")
    return {name: cut(values[name], limit) for name, limit in template.params.items()}


def unaccent(text: str) -> str:
    """Vietnamese without diacritics, case kept ("Đức" → "Duc"): brandname SMS are sent so
    (GSM-7: 160 characters a part instead of 70)."""
    text = text.replace("đ", "d").replace("Đ", "D").replace("…", "...")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return plain.encode("ascii", "replace").decode("ascii")


class _Erased(dict):
    """The parameters of a message whose household's data was deleted read as "…"."""

    def __missing__(self, key: str) -> str:
        return "…"


def render(template: Template, channel: Channel, params: dict[str, str]) -> str:
    """The text sent on ``channel`` (ZNS sends only the parameters: its text is Zalo's)."""
    params = _Erased(params)
    if channel is Channel.SMS:
        text = re.sub(r"\s+", " ", unaccent(template.sms.format_map(params)))
        return text if len(text) <= template.sms_limit else text[: template.sms_limit - 3] + "..."
    return template.body.format_map(params)


# ---------------------------------------------------------------- consent texts


@dataclass(frozen=True)
class ConsentText:
    purpose: ConsentPurpose
    version: int
    text: str


def consent_versions(purpose: ConsentPurpose) -> list[int]:
    pattern = re.compile(rf"{purpose.value}-v(\d+)\.md")
    found = (pattern.fullmatch(p.name) for p in (FOLDER / "consent_texts").iterdir())
    return sorted(int(match.group(1)) for match in found if match)


@cache
def consent_text(purpose: ConsentPurpose, version: int | None = None) -> ConsentText:
    """The text of a purpose's consent: the newest version, or the one named."""
    version = version or consent_versions(purpose)[-1]
    path = FOLDER / "consent_texts" / f"{purpose.value}-v{version}.md"
    return ConsentText(purpose, version, path.read_text("utf-8").strip())
