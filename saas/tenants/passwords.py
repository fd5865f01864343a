"""Password hashing (argon2id through argon2-cffi) and the strength rule."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _

_hasher = PasswordHasher()
# Cheap parameters for test suites only (PASSWORD_HASH_PROFILE = "test"): argon2's defaults are
# deliberately slow, and a suite creates hundreds of users.
_test_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _current_hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_PROFILE") == "test":
        return _test_hasher
    return _hasher
MIN_LENGTH = 10
COMMON = {
    "password", "password1", "password12", "password123", "1234567890", "12345678910",
    "qwertyuiop", "qwerty123456", "iloveyou12", "abcdefghij", "aaaaaaaaaa", "letmein123",
    "welcome123", "admin12345", "0123456789", "1111111111", "88888888888",
}


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        # Verification reads the parameters from the hash itself.
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is too weak, in the user's language; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    if password.lower() in COMMON or len(set(password)) < 4:
        return _("This password is too easy to guess. Try a longer phrase.")
    if email and password.lower() == email.lower():
        return _("Do not use your e-mail address as password.")
    if password.isdigit() or password.isalpha():
        return _("Mix letters with digits or symbols.")
    return None
