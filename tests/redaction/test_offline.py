"""The engine never touches the network: run it in a fresh process with sockets blocked, with
the shipped NER model (no fallback to the stock spaCy model) and this checkout's sources."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent("""
    import socket, warnings

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    warnings.simplefilter("error", RuntimeWarning)  # no fallback to the stock model

    from synthguard.redaction import RedactionEngine
    from synthguard.redaction._model import model_info
    import tldextract.tldextract as tld

    assert model_info("shipped") is not None

    text = "Mail ops@example.co.uk or visit https://status.example.com/now and shop.example.org."
    [spans] = RedactionEngine().analyze([text])
    found = sorted((s.entity_type, text[s.start:s.end]) for s in spans)
    assert ("EMAIL_ADDRESS", "ops@example.co.uk") in found, found
    assert ("URL", "https://status.example.com/now") in found, found
    assert ("URL", "shop.example.org") in found, found
    # Presidio's own EmailRecognizer uses tldextract's module default: it is offline too
    assert tld.TLD_EXTRACTOR.suffix_list_urls == ()
    assert tld.extract("a.b.example.co.uk").suffix == "co.uk"
    print("OFFLINE-OK")
""")


def test_engine_works_with_sockets_blocked(tmp_path: Path) -> None:
    import synthguard

    src = str(Path(synthguard.__file__).resolve().parents[1])  # this checkout, not the venv's
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "OFFLINE-OK" in out.stdout
