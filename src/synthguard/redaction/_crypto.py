"""Keys and salts for the ``encrypt``/``decrypt`` and ``hash`` operators.

Encryption is AES-SIV (RFC 5297, ``cryptography``): deterministic, so the same value
encrypts to the same token everywhere (joins across documents and columns still work) and
authenticated, so a tampered token fails to decrypt. The entity type is bound as
associated data. Any key material of >= 16 bytes is stretched with HKDF-SHA256.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from pathlib import Path

from synthguard.errors import ParameterError

KEY_ENV = "SYNTHGUARD_REDACTION_KEY"
SALT_ENV = "SYNTHGUARD_REDACTION_SALT"
TOKEN_RE = re.compile(r"\[ENC:([A-Z_]+):([A-Za-z0-9_\-]+)\]")

KEY_HELP = (
    f"give a key with key=bytes (32+ random bytes, or hex/base64 text) or the "
    f"environment variable {KEY_ENV} (hex or base64); make one with "
    f"`python -c \"import secrets; print(secrets.token_hex(32))\"`"
)


def _decode_material(raw: bytes) -> bytes:
    text = raw.strip()
    try:
        as_text = text.decode("ascii")
    except UnicodeDecodeError:
        return raw
    if re.fullmatch(r"[0-9a-fA-F]+", as_text) and len(as_text) % 2 == 0:
        return binascii.unhexlify(as_text)
    try:
        return base64.b64decode(as_text + "=" * (-len(as_text) % 4), validate=False,
                                altchars=b"-_" if ("-" in as_text or "_" in as_text) else None)
    except (binascii.Error, ValueError):
        return text


def load_secret(path: str | Path | None, env: str, what: str) -> bytes | None:
    """Key/salt bytes from a file (raw, hex or base64) or an environment variable."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ParameterError(f"{what} file {str(p)!r} does not exist")
        return _decode_material(p.read_bytes())
    value = os.environ.get(env)
    if value:
        return _decode_material(value.encode())
    return None


def _siv_key(key: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if len(key) < 16:
        raise ParameterError(f"encryption key is {len(key)} bytes; need at least 16. {KEY_HELP}")
    return HKDF(algorithm=hashes.SHA256(), length=64, salt=b"synthguard-redaction-aes-siv",
                info=b"v1").derive(key)


def encrypt_value(value: str, entity: str, key: bytes) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV

    ct = AESSIV(_siv_key(key)).encrypt(value.encode("utf-8"), [entity.encode()])
    return f"[ENC:{entity}:{base64.urlsafe_b64encode(ct).decode().rstrip('=')}]"


def decrypt_text(text: str, key: bytes) -> str:
    """Replace every ``[ENC:TYPE:...]`` token in ``text`` by its plaintext."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV

    siv = AESSIV(_siv_key(key))

    def repl(m: re.Match[str]) -> str:
        data = base64.urlsafe_b64decode(m.group(2) + "=" * (-len(m.group(2)) % 4))
        try:
            return siv.decrypt(data, [m.group(1).encode()]).decode("utf-8")
        except InvalidTag:
            raise ParameterError(
                "a token does not decrypt with this key (wrong key or altered text)"
            ) from None

    return TOKEN_RE.sub(repl, text)
