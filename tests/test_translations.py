"""The Chinese (zh-hans) catalog: complete, well-formed, compiled, and used by
default on pages and in the PDFs.

The catalog is read with a small parser of its own (only what makemessages
writes: comments, flags, msgid, msgid_plural, msgstr and msgstr[n], strings
continued over several quoted lines).
"""

import ast
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from claims import notice_pdf, notices
from claims.models import Status
from payouts.certificates import render_certificate_pdf
from payouts.models import Certificate
from tests.journey import claim_at

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOG.with_suffix(".mo")
# Placeholders a translation must keep: %(name)s, %s, %d and template tags.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{\{.*?\}\}|\{%.*?%\}")
# Latin-script words that may appear on a Chinese page or PDF: file types and
# the native name of the English language switch.
ALLOWED_LATIN = {"PDF", "JPEG", "PNG", "English"}
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_catalog(path: Path) -> list[Entry]:
    """Return the entries of a .po file, the header included (empty msgid)."""
    entries: list[Entry] = []
    entry, keyword = Entry(), None
    parts: dict[str, list[str]] = {}

    def finish() -> None:
        if "msgid" in parts:
            entry.msgid = "".join(parts.pop("msgid"))
            entry.msgid_plural = "".join(parts.pop("msgid_plural", []))
            entry.msgstrs = ["".join(value) for value in parts.values()]
            entries.append(entry)

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            finish()
            entry, keyword, parts = Entry(line=number + 1), None, {}
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            parts[keyword].append(ast.literal_eval(line))
        else:
            keyword, quoted = line.split(" ", 1)
            parts[keyword] = [ast.literal_eval(quoted)]
    finish()
    return entries


def messages() -> list[Entry]:
    return [entry for entry in parse_catalog(CATALOG) if entry.msgid]


def latin_words(text: str, known: set[str]) -> set[str]:
    """Return the Latin-script words of ``text``, leaving out the ``known``
    values (user names, certificate codes) and ``ALLOWED_LATIN``."""
    for value in known:
        text = text.replace(value, " ")
    return {word for word in LATIN_WORD.findall(text) if word not in ALLOWED_LATIN}


def visible_text(html: str) -> str:
    """Return the text a reader sees in the page body, without markup."""
    body = html.split("<body", 1)[1].split(">", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=60,
    )
    return result.stdout.decode()


# The catalog file -------------------------------------------------------------


def test_catalog_no_untranslated_entry():
    untranslated = [
        f"line {entry.line}: {entry.msgid!r}"
        for entry in messages()
        if not entry.msgstrs or not all(entry.msgstrs)
    ]
    assert untranslated == []


def test_catalog_no_fuzzy_entry():
    fuzzy = [
        f"line {entry.line}: {entry.msgid!r}"
        for entry in parse_catalog(CATALOG)
        if "fuzzy" in entry.flags
    ]
    assert fuzzy == []


def test_catalog_keeps_placeholders():
    changed = [
        f"line {entry.line}: {entry.msgid!r} => {msgstr!r}"
        for entry in messages()
        for msgstr in entry.msgstrs
        if set(PLACEHOLDER.findall(entry.msgid)) != set(PLACEHOLDER.findall(msgstr))
    ]
    assert changed == []


def test_catalog_one_plural_form():
    header = parse_catalog(CATALOG)[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstrs[0]


def test_catalog_passes_msgfmt_check():
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is missing; install Debian's gettext package")
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(CATALOG)],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


def test_compiled_catalog_current():
    # The .mo is built from the .po by `make install` (compilemessages).
    assert COMPILED.exists(), f"{COMPILED} is missing; run `make install`"
    assert COMPILED.stat().st_mtime >= CATALOG.stat().st_mtime, (
        f"{COMPILED} is older than {CATALOG.name}; run `make install`"
    )


# Glossary terms ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Claim number", "申请编号"),
        ("Application", "个人申请"),
        ("Referral", "部门推送"),
        ("screening", "镇村初筛"),
        ("verification", "入户核查"),
        ("Village deliberation", "村级评议"),
        ("Public notices", "公示"),
        ("Ledger", "台账"),
        ("Reservation", "预留"),
        ("Disbursement", "拨付"),
        ("Release", "释放"),
        ("Appropriation", "追加拨款"),
        ("Relief payout certificate", "防贫帮困金发放凭证"),
        ("income line", "防贫监测线"),
        ("Per-capita net income", "家庭人均纯收入"),
        ("Head of household", "户主"),
        ("Village clerk", "村委会经办人"),
        ("Poverty office", "扶贫办"),
        ("Insurer inspector", "核查员"),
        ("Non-poor low-income", "非贫低收入户"),
        ("Illness", "因病"),
        ("Closed: not eligible", "核查不符合（已办结）"),
        ("Referred to insurer", "已移交核查"),
        ("Paid", "已发放"),
    ],
)
def test_glossary_term(english, chinese):
    with translation.override("zh-hans"):
        assert gettext(english) == chinese


# Pages and PDFs in the default language ---------------------------------------


@pytest.mark.django_db
def test_login_page_default_chinese():
    response = Client().get(reverse("login"))
    text = visible_text(response.content.decode())
    assert "登录" in text
    assert "用户名" in text
    assert "密码" in text


@pytest.mark.django_db
def test_paid_claim_page_no_english(client, staff, household, policy, fund):
    # Timeline notes are stored in the language active when each step is
    # taken, which is the default language for a Chinese user's requests.
    with translation.override(settings.LANGUAGE_CODE):
        claim = claim_at(Status.PAID, household, staff)
    client.force_login(staff.poverty_office)
    response = client.get(reverse("claims:detail", args=[claim.pk]))
    text = visible_text(response.content.decode())
    usernames = {user.username for user in vars(staff).values()}
    assert "已发放" in text
    assert "办理记录" in text
    assert latin_words(text, usernames) == set()


@pytest.mark.django_db
def test_certificate_pdf_chinese(staff, household, policy, fund, tmp_path):
    claim = claim_at(Status.PAID, household, staff)
    certificate = Certificate.objects.get(payment__claim=claim)
    text = pdf_text(render_certificate_pdf(certificate), tmp_path)
    check_url = settings.SITE_URL + reverse("payouts:check_certificate")
    codes = {certificate.number, certificate.verification_code, check_url}
    assert "防贫帮困金发放凭证" in text
    assert "特此证明" in text
    assert "扶贫开发办公室（盖章）" in text
    assert latin_words(text, codes) == set()


@pytest.mark.django_db
def test_notice_pdf_chinese(staff, household, policy, fund, tmp_path):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    notice = notices.current_entry(claim).notice
    text = pdf_text(notice_pdf.render_notice_pdf(notice), tmp_path)
    assert "防贫帮困金拟发放名单公示" in text
    assert "兴岭村村民委员会" in text
    assert latin_words(text, {notice.number}) == set()
