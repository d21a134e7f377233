"""The catalog's pages over HTTP: what a visitor sees, that nothing private ever reaches a
page, the page weight, the caching and security headers, and the photos."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import aiohttp
import pytest
from PIL import Image

from bot.deps import Deps
from tests.catalog.conftest import BOT_USERNAME, WHATSAPP_NUMBER
from tests.catalog.seed import EXIF_SECRET, Seeded, seed


async def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    async with (
        aiohttp.ClientSession() as client,
        client.get(url, headers=headers, allow_redirects=False) as answer,
    ):
        return answer.status, dict(answer.headers), await answer.read()


def every_page(seeded: Seeded) -> list[str]:
    """Every page a visitor can open: the list with each filter, searches, each innovation,
    the summary, the errors."""
    codes = [*seeded.public_codes, "INO-2026-0003", "INO-2026-0004", "INO-2026-0005"]
    pages = [
        "/katalog",
        "/katalog?lang=en",
        "/katalog?unit=DINKES",
        "/katalog?unit=PKM-NNK&lang=en",
        "/katalog?urusan=pendidikan",
        "/katalog?urusan=kominfo",
        "/katalog?tahapan=penerapan",
        "/katalog?jenis=digital",
        "/katalog?tahun=2026",
        "/katalog?q=posyandu",
        "/katalog?q=Rahasia",
        "/katalog?q=khusus",
        "/katalog?halaman=2",
        "/katalog?unit=NOPE",
        "/katalog?tahun=abc",
        "/katalog/ringkasan",
        "/katalog/ringkasan?lang=en",
        "/katalog/tidak-ada",
        "/katalog/inovasi/../../etc/passwd",
    ]
    pages += [f"/katalog/inovasi/{code}" for code in codes]
    pages += [f"/katalog/inovasi/{code}?lang=en" for code in codes]
    return pages


async def test_no_private_value_reaches_any_page(
    catalog_deps: Deps, seeded: Seeded, base_url: str
) -> None:
    assert len(seeded.private) > 40
    for path in every_page(seeded):
        status, _, body = await _get(base_url + path)
        page = body.decode("utf-8")
        assert status in (200, 400, 404), path
        for value in seeded.private:
            assert value not in page, f"{value!r} on {path}"
        # nor any secret of the settings
        for secret in catalog_deps.settings.secrets():
            assert secret not in page, path


async def test_the_list_shows_the_catalog(seeded: Seeded, base_url: str) -> None:
    status, headers, body = await _get(base_url + "/katalog")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Katalog Inovasi Daerah" in page and "Pemerintah Kabupaten Nunukan" in page
    assert "2 inovasi" in page
    assert f'href="/katalog/inovasi/{seeded.a}"' in page and seeded.name_a in page
    # what people typed is text, never markup
    assert "<b>" not in page and "&lt;b&gt;" in page
    assert "<script" not in page.lower()
    # the filters offer the units with innovations, under their parents
    assert '<option value="PKM-NNK">· Puskesmas Nunukan</option>' in page
    english = (await _get(base_url + "/katalog?lang=en"))[2].decode()
    assert "Regional Innovation Catalog" in english and "2 innovations" in english
    assert f'href="/katalog/inovasi/{seeded.a}?lang=en"' in english


async def test_filters_and_search_over_http(seeded: Seeded, base_url: str) -> None:
    page = (await _get(base_url + "/katalog?unit=DINKES&jenis=non_digital"))[2].decode()
    assert "1 inovasi" in page and seeded.name_a in page and seeded.name_b not in page
    assert '<option value="DINKES" selected>' in page
    page = (await _get(base_url + "/katalog?q=sekolah+ramah"))[2].decode()
    assert "1 inovasi" in page and seeded.name_b in page
    assert 'value="sekolah ramah"' in page
    page = (await _get(base_url + "/katalog?q=tidakadasamasekali"))[2].decode()
    assert "Tidak ada inovasi yang cocok" in page
    # empty fields of the form are no filter
    empty = "/katalog?q=&unit=&urusan=&tahapan=&jenis=&tahun="
    assert "2 inovasi" in (await _get(base_url + empty))[2].decode()


@pytest.mark.parametrize(
    "query",
    ["unit=NOPE", "urusan=x", "tahapan=%3Cscript%3E", "jenis=1", "tahun=abc", "tahun=99999",
     "halaman=0", "halaman=-1", "halaman=%D9%A1", "tahun=2026.5"],
)  # fmt: skip
async def test_a_bad_parameter_gets_a_friendly_page(
    seeded: Seeded, base_url: str, query: str
) -> None:
    status, headers, body = await _get(base_url + "/katalog?" + query)
    page = body.decode()
    assert status == 400
    assert "Saringan tidak dikenali" in page and "Traceback" not in page
    assert "<script>" not in page
    assert headers["Cache-Control"] == "no-store"


async def test_an_innovation_page(seeded: Seeded, base_url: str) -> None:
    status, _, body = await _get(base_url + f"/katalog/inovasi/{seeded.a}")
    page = body.decode()
    assert status == 200
    assert f"<h1>{seeded.name_a}</h1>" in page
    assert "Puskesmas Nunukan" in page and "Pendidikan" in page and "Kepala Daerah" in page
    assert "Jl. Tien Soeharto No. 1, Nunukan" in page
    assert "Status terakhir: Dikembangkan" in page
    assert "Inovasi Tiruan Malinau (Kabupaten Malinau)" in page
    assert f'href="/katalog/inovasi/{seeded.b}"' in page
    assert "1 replikasi lain dengan inovasi di daerah ini yang belum dipublikasikan" in page
    assert f'src="/katalog/foto/{seeded.public_photo}.jpg"' in page
    assert f"https://t.me/{BOT_USERNAME}?start={seeded.a}" in page
    assert f"https://wa.me/{WHATSAPP_NUMBER}?text={quote('status ' + seeded.a)}" in page
    assert "Kontak" not in page  # no consent to show it
    b = (await _get(base_url + f"/katalog/inovasi/{seeded.b}"))[2].decode()
    assert seeded.contact in b and "Meniru" in b
    # a code in lower case is the same innovation
    assert (await _get(base_url + f"/katalog/inovasi/{seeded.a.lower()}"))[0] == 200


@pytest.mark.parametrize(
    "query",
    ["q=%FF%FE", "q=%00nol", "q=" + "panjang+" * 500, "q=%27%3B+DROP+TABLE+innovations",
     "q=%E2%80%AE%F0%9F%98%80", "lang=%3Cscript%3E", "q=a&q=b", "unknown=1"],
)  # fmt: skip
async def test_odd_searches_get_a_page(seeded: Seeded, base_url: str, query: str) -> None:
    status, _, body = await _get(base_url + "/katalog?" + query)
    assert status == 200, body.decode()[:300]
    assert "<script>" not in body.decode()


@pytest.mark.parametrize(
    "path",
    ["/katalog/inovasi/INO-2026-0003", "/katalog/inovasi/INO-2026-0004",
     "/katalog/inovasi/INO-2026-0005", "/katalog/inovasi/INO-9999-0001",
     "/katalog/inovasi/%3Cscript%3E", "/katalog/foto/999.jpg", "/katalog/foto/abc.jpg",
     "/katalog/templates/base.html", "/katalog/style.css", "/katalog/foto/",
     "/katalog/../bot/settings.py"],
)  # fmt: skip
async def test_what_is_not_on_the_catalog_is_not_found(
    seeded: Seeded, base_url: str, path: str
) -> None:
    status, headers, body = await _get(base_url + path)
    assert status == 404, path
    page = body.decode()
    if not path.startswith("/katalog/.."):
        assert "Halaman tidak ditemukan" in page
        assert headers["Content-Type"].startswith("text/html")


async def test_a_trailing_slash_is_the_list(seeded: Seeded, base_url: str) -> None:
    status, headers, _ = await _get(base_url + "/katalog/?q=posyandu&lang=en")
    assert status == 301 and headers["Location"] == "/katalog?q=posyandu&lang=en"


async def test_caching_and_security_headers(seeded: Seeded, base_url: str) -> None:
    for path in ("/katalog", f"/katalog/inovasi/{seeded.a}", "/katalog/ringkasan"):
        status, headers, _ = await _get(base_url + path)
        assert status == 200
        assert headers["Cache-Control"] == "public, max-age=300"
        assert headers["X-Content-Type-Options"] == "nosniff"
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp
        assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+'", csp)
        assert "unsafe-inline" not in csp
        assert headers["X-Frame-Options"] == "DENY"
    for path in (f"/katalog/foto/{seeded.public_photo}.jpg", "/katalog/ringkasan/grafik.png"):
        status, headers, _ = await _get(base_url + path)
        assert status == 200, path
        assert headers["Cache-Control"] == "public, max-age=3600"
        assert headers["X-Content-Type-Options"] == "nosniff"
    _, headers, _ = await _get(base_url + "/katalog/tidak-ada")
    assert headers["Cache-Control"] == "no-store"


async def test_the_stylesheet_hash_matches_the_page(seeded: Seeded, base_url: str) -> None:
    import base64
    import hashlib

    _, headers, body = await _get(base_url + "/katalog")
    css = re.search(r"<style>(.*?)</style>", body.decode(), re.S)
    assert css is not None
    digest = base64.b64encode(hashlib.sha256(css.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in headers["Content-Security-Policy"]


async def test_public_photos_are_small_thumbnails_without_metadata(
    seeded: Seeded, base_url: str
) -> None:
    status, headers, body = await _get(base_url + f"/katalog/foto/{seeded.public_photo}.jpg")
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(body))
    assert image.format == "JPEG" and max(image.size) == 480 and image.size == (480, 360)
    assert EXIF_SECRET.encode() not in body and not image.getexif()
    assert len(body) < 60_000
    for private in (seeded.private_photo, seeded.hidden_photo):
        status, _, body = await _get(base_url + f"/katalog/foto/{private}.jpg")
        assert status == 404 and b"\xff\xd8" not in body[:2]


async def test_the_summary(seeded: Seeded, base_url: str) -> None:
    page = (await _get(base_url + "/katalog/ringkasan"))[2].decode()
    assert "2 inovasi terpublikasi" in page
    assert "2 dari 6 urusan pelayanan dasar" in page  # pendidikan and sosial
    assert 'href="/katalog?unit=PKM-NNK"' in page
    assert 'src="/katalog/ringkasan/grafik.png"' in page
    status, headers, png = await _get(base_url + "/katalog/ringkasan/grafik.png?lang=en")
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert png.startswith(b"\x89PNG")


async def test_page_weight_of_a_list_of_twenty(
    catalog_deps: Deps, clock: object, base_url: str
) -> None:
    await seed(catalog_deps, clock, extra=30)  # type: ignore[arg-type]
    status, _, body = await _get(base_url + "/katalog", **{"Accept-Encoding": "identity"})
    assert status == 200
    assert body.decode().count('<li class="card">') == 20
    assert len(body) < 100_000, len(body)
    # gzip when the browser takes it, as every browser does
    gzip = {"Accept-Encoding": "gzip"}
    async with (
        aiohttp.ClientSession(auto_decompress=False) as client,
        client.get(base_url + "/katalog", headers=gzip) as answer,
    ):
        assert answer.headers.get("Content-Encoding") == "gzip"
        assert len(await answer.read()) < len(body) / 3


async def test_only_get_reads_the_catalog(seeded: Seeded, base_url: str) -> None:
    async with aiohttp.ClientSession() as client:
        async with client.post(base_url + "/katalog", data=b"x") as answer:
            assert answer.status == 405
        async with client.head(base_url + "/katalog") as answer:
            assert answer.status == 200
