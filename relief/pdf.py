"""Rendering Django templates to PDF with WeasyPrint, and storing a PDF once.

Most of a one-page PDF's cost is subsetting the large CJK fonts, once per
document and per font face. WeasyPrint 70 subsets with HarfBuzz when
``libharfbuzz-subset`` (at least 4.1.0) can be loaded, and otherwise falls
back to fontTools, which takes seconds per face instead of tens of
milliseconds. ``harfbuzz_subsetter_available`` returns which one it will use.
"""

import logging
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML, URLFetcher

from registry.models import Area, AreaLevel

logger = logging.getLogger(__name__)

_COUNTY_OR_ABOVE = {AreaLevel.COUNTY, AreaLevel.CITY, AreaLevel.PROVINCE}


def format_yuan(amount: Decimal) -> str:
    """Return an amount in figures with thousands separators, e.g. ¥7,100.00."""
    return f"¥{amount:,.2f}"


def county_name(area: Area) -> str:
    """Return the name of the county containing ``area`` (or of ``area`` itself
    when it is a county or above), for the poverty office's name and seal."""
    current: Area | None = area
    while current is not None and current.level not in _COUNTY_OR_ABOVE:
        current = current.parent
    return current.name if current is not None else ""


def harfbuzz_subsetter_available() -> bool:
    """Return whether WeasyPrint will subset fonts with HarfBuzz.

    This repeats the test in WeasyPrint 70's ``weasyprint.pdf.fonts.Font.subset``
    (not public API): the subset library loaded and HarfBuzz is at least 4.1.0.
    When it is false, WeasyPrint logs "Using fontTools instead of
    HarfBuzz-Subset" on the ``weasyprint`` logger for every font it subsets.
    """
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def html_to_pdf(html: str) -> bytes:
    """Render an HTML document to PDF bytes.

    The document may embed data: URIs only, so a template can never make the
    renderer read a local file or reach another host.
    """
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a template to PDF in the site's language (``LANGUAGE_CODE``).

    A stored document must not depend on the language of the user who
    triggered the rendering, so the active language is overridden.
    """
    started = time.perf_counter()
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    pdf = html_to_pdf(html)
    logger.info(
        "rendered %s in %.3f s (%d bytes)",
        template_name,
        time.perf_counter() - started,
        len(pdf),
    )
    return pdf


def store_file_once(
    instance: models.Model,
    field_name: str,
    filename: str,
    content: bytes,
    **fields: Any,
) -> bool:
    """Save ``content`` as the instance's empty file field, with ``fields``.

    Return False and keep nothing when the row already has a file. The file
    is written first, then set by one conditional UPDATE, so when two
    workers race only one file stays referenced and the other is deleted.
    """
    field = instance._meta.get_field(field_name)
    storage = field.storage
    name = storage.save(
        field.generate_filename(instance, filename), ContentFile(content)
    )
    empty = models.Q(**{field_name: ""}) | models.Q(**{f"{field_name}__isnull": True})
    try:
        updated = (
            type(instance)
            ._default_manager.filter(empty, pk=instance.pk)
            .update(**{field_name: name}, **fields)
        )
    except BaseException:
        storage.delete(name)
        raise
    if not updated:
        storage.delete(name)
        return False
    return True
