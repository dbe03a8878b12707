"""Fixtures of the end-to-end tests: a real scanned-bill image to upload."""

import io

import pytest
from PIL import Image, ImageDraw


@pytest.fixture
def bill_png() -> bytes:
    """Return a small PNG image of a hospital bill, as a clerk would scan it."""
    image = Image.new("RGB", (320, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 311, 151), outline="black", width=2)
    draw.text((24, 30), "Hospital bill", fill="black")
    draw.text((24, 70), "Out of pocket: 18000.00", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
