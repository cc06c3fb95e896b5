"""Tenants' passwords: generated strong, stored encrypted (AES-256-GCM, the ``cryptography``
package), decrypted only in memory to connect.

The key is 32 random bytes, written as ``trueup-key-1:`` and their URL-safe base64 (``trueup
secret-key new``); it comes from ``TRUEUP_SECRET_KEY`` or from the file ``[registry] key_file``
names. Each ciphertext is bound to its tenant and role (GCM's associated data): one copied onto
another tenant's row does not decrypt. The registry keeps a check value encrypted with the key
it was first used with, so a wrong key is refused before anything is written.

No function here puts a password or key into an exception's message, and :class:`Password`
shows itself as ``***``.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from trueup.errors import TrueupError

ENV = "TRUEUP_SECRET_KEY"
PREFIX = "trueup-key-1:"
_CIPHER = "v1:"
#: the registry's check value (meta key) and what it encrypts
CHECK_KEY = "key_check"
_CHECK = b"trueup registry key check"


class SecretKeyError(TrueupError):
    """No key, a malformed key, or a key that does not open the registry's secrets."""


class Password:
    """A plain-text password, in memory only: printing it shows ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Password(***)"

    __str__ = __repr__


def new_password() -> Password:
    """32 random bytes, URL-safe (43 characters): safe in any connection string."""
    return Password(secrets.token_urlsafe(32))


def new_key() -> str:
    return PREFIX + base64.urlsafe_b64encode(os.urandom(32)).decode()


@dataclass(frozen=True)
class SecretKey:
    raw: bytes
    #: where it came from, for messages ("TRUEUP_SECRET_KEY", "key file /etc/...")
    source: str

    def __repr__(self) -> str:
        return f"SecretKey(from {self.source})"

    def encrypt(self, password: Password, tenant: str, role: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.raw).encrypt(nonce, password.reveal().encode(), _aad(tenant, role))
        return _CIPHER + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, ciphertext: str, tenant: str, role: str) -> Password:
        if not ciphertext.startswith(_CIPHER):
            raise SecretKeyError(f"tenant '{tenant}': its stored password is not one trueup encrypted",
                                 hint="rotate its credentials: trueup tenant rotate-credentials " + tenant)
        try:
            blob = base64.urlsafe_b64decode(ciphertext[len(_CIPHER):])
            return Password(AESGCM(self.raw).decrypt(blob[:12], blob[12:], _aad(tenant, role)).decode())
        except (InvalidTag, binascii.Error, ValueError):
            raise SecretKeyError(f"tenant '{tenant}': the secret key (from {self.source}) does not decrypt its "
                                 "stored password", hint="use the key the registry was written with") from None

    def check_value(self) -> str:
        return self.encrypt(Password(_CHECK.decode()), "", "")

    def opens(self, check: str) -> bool:
        try:
            return self.decrypt(check, "", "").reveal() == _CHECK.decode()
        except SecretKeyError:
            return False


def _aad(tenant: str, role: str) -> bytes:
    return f"trueup\x00{tenant}\x00{role}".encode()


def parse_key(text: str, source: str) -> SecretKey:
    value = text.strip()
    if not value.startswith(PREFIX):
        raise SecretKeyError(f"the secret key from {source} is not a trueup key (it starts with {PREFIX!r})",
                             hint="make one with `trueup secret-key new`")
    try:
        raw = base64.urlsafe_b64decode(value[len(PREFIX):])
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise SecretKeyError(f"the secret key from {source} is damaged (not 32 bytes of base64)",
                             hint="make one with `trueup secret-key new`")
    return SecretKey(raw, source)


def load_key(key_file: str | None) -> SecretKey:
    """The key from ``TRUEUP_SECRET_KEY``, else from ``key_file``; one clear error naming
    both places when neither has one."""
    env = os.environ.get(ENV)
    if env:
        return parse_key(env, f"the environment variable {ENV}")
    if key_file:
        path = Path(key_file)
        try:
            return parse_key(path.read_text(encoding="utf-8"), f"the key file {path}")
        except FileNotFoundError:
            raise SecretKeyError(f"no secret key: the key file {path} does not exist and {ENV} is not set",
                                 hint=f"make one: trueup secret-key new > {path}; chmod 600 {path}") from None
        except OSError as err:
            raise SecretKeyError(f"no secret key: cannot read the key file {path}: {err.strerror}") from None
    raise SecretKeyError(f"no secret key: set {ENV}, or name a key file in [registry] key_file",
                         hint=f"make one with `trueup secret-key new`, e.g. export {ENV}=$(trueup secret-key new)")
