"""stats.html of the sample vault in a real headless Chromium (Debian's `chromium`, driven by
Playwright), light and dark: no console errors, and a screenshot that is not blank.

Skipped where Playwright or /usr/bin/chromium is missing (CI: `apt-get install chromium`,
`pip install -e '.[test]'`; never downloads a browser).
"""

from __future__ import annotations

import shutil
import struct
import zlib

import pytest
from conftest import SAMPLE_VAULT
from site_helpers import build


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of pixels) of an 8-bit RGB or RGBA PNG, with the stdlib only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    width = height = bpp = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0
            bpp = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):  # undo the PNG row filter (none, sub, up, average, Paeth)
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif kind == 4:
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r[i : i + 3]) for r in rows for i in range(0, stride, bpp)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("site")
    vault = tmp_path_factory.mktemp("vault") / "sample-vault"
    shutil.copytree(SAMPLE_VAULT, vault)  # a build also writes the vault's publish folder
    result = build(
        CliRunner(env={"NO_COLOR": "1", "VAULTKIT_VAULT": None}), vault, "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_stats_page_renders_without_errors(site, tmp_path, scheme, chromium):
    errors: list[str] = []
    page = chromium.new_page(viewport={"width": 1100, "height": 900}, color_scheme=scheme)
    try:
        page.set_default_timeout(10_000)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
        page.goto((site / "stats.html").as_uri())
        assert page.locator("svg[role=img]").count() == 3
        # The bars are drawn at a visible size, in the accent colour, not black.
        box = page.locator("#funnel-title").locator("..").bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
        fill = page.eval_on_selector("svg .bar", "e => getComputedStyle(e).fill")
        assert fill not in ("rgb(0, 0, 0)", "none")
        shot = tmp_path / f"stats-{scheme}.png"
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.close()
    assert not errors, errors
    width, height, pixels = png_pixels(shot.read_bytes())
    assert width == 1100 and height > 900
    assert len(set(pixels)) > 100, "the screenshot is (nearly) blank"
    # The page background follows the colour scheme: the bottom-left pixel is light or dark.
    r, g, b = pixels[-width]
    assert (r + g + b > 600) if scheme == "light" else (r + g + b < 150), (r, g, b)
