"""A real headless Chromium for console tests (Debian's chromium and chromium-driver, driven by
selenium). No network beyond 127.0.0.1: background services, sync and updates are off."""

from __future__ import annotations

import base64
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.infra import missing

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless=new",
    "--no-sandbox",  # tests run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--window-size=1400,1000",
)


def spki_pins(ca_file: Path) -> str:
    """Chromium's --ignore-certificate-errors-spki-list value for the certificates of a bundle:
    base64 SHA-256 of each public key. Chromium then trusts a chain that holds one of them (the
    cluster CA) and no other, without touching the system's trust store."""
    from cryptography.hazmat.primitives import serialization

    from berth import tls

    pins = []
    for cert in tls.certificates(ca_file.read_bytes()):
        spki = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        pins.append(base64.b64encode(hashlib.sha256(spki).digest()).decode())
    return ",".join(pins)


@contextmanager
def chromium(ca_file: Path | None = None) -> Iterator[Any]:
    """A selenium WebDriver on a fresh profile, trusting the CA bundle `ca_file` (a control
    plane's); fails (CI) or skips (laptop) when Chromium or chromedriver is missing."""
    binary = next((p for p in map(shutil.which, CHROMIUM) if p), None)
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        missing("Chromium and chromedriver (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("selenium (pip install selenium)")
    profile = Path(tempfile.mkdtemp(prefix="berth-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    pins = [f"--ignore-certificate-errors-spki-list={spki_pins(ca_file)}"] if ca_file else []
    for flag in (*FLAGS, f"--user-data-dir={profile}", *pins):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(driver_path)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
