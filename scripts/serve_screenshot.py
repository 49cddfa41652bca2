"""Take the README's screenshot of `drscan serve`: three scans of samples/acme a month apart
(ages move, so the trends move), the dashboard on a free loopback port, headless Chromium.

    python scripts/serve_screenshot.py [--out docs/serve-overview.png] [--path /]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "acme"
AS_OF = ("2026-09-20T06:00:00Z", "2026-10-20T06:00:00Z", "2026-11-20T06:00:00Z")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "serve-overview.png")
    parser.add_argument("--path", default="/")
    parser.add_argument("--colours", type=int, default=64, help="Palette size of the PNG (smaller file).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "drscan.db"
        for as_of in AS_OF:
            subprocess.run([sys.executable, "-m", "drscan.cli", "scan", "--import", str(SAMPLES), "--config",
                            str(SAMPLES / "drscan.yaml"), "--db", str(db), "--as-of", as_of, "-q"], cwd=REPO, timeout=300)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "drscan.cli", "serve", "--db", str(db), "--port", str(port), "-q",
                                   "--config", str(SAMPLES / "drscan.yaml")], cwd=REPO)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("drscan serve did not start")
                    time.sleep(0.2)
            shoot(base + args.path, args.out, args.colours)
        finally:
            server.terminate()
            server.wait(timeout=15)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


def shoot(url: str, out: Path, colours: int) -> None:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
            page.goto(url)
            page.screenshot(path=str(out))
        finally:
            browser.close()
    image = Image.open(out).convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    image.save(out, optimize=True)


if __name__ == "__main__":
    main()
