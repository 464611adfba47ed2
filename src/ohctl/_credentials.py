"""Stored credentials and named profiles (server URL + key) for the command line and ``OpenHands()``.

Profiles (name -> server URL, auth scheme, where the key is kept) live in ``profiles.json`` under the
config dir: ``OHCTL_CONFIG_DIR``, else platformdirs' ``user_config_dir("ohctl")``. Keys go to the OS
keyring (service ``ohctl``, the profile name as user) when a usable backend exists, else to
``credentials.json`` in the same dir, which is created 0600 and replaced atomically (never readable
by others, not even for a moment). ``OHCTL_KEYRING=0`` turns the keyring off; a failing or null
backend counts as none. ``keyring`` (the ohctl[cli] extra) is imported only when a key is read from or
written to it; without it keys go to the file, and a key already in the keyring cannot be read
(MissingExtraError says what to install).

``_config.resolve`` calls ``load_profile(name)``: the named profile (None: ``OHCTL_PROFILE``, else
the stored default), or None when nothing is stored.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ._errors import ConfigurationError, InvalidArgumentError
from ._require import MissingExtraError, require

log = logging.getLogger("ohctl.credentials")

SERVICE = "ohctl"
PROFILES_FILE = "profiles.json"
KEYS_FILE = "credentials.json"
NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

KeyStore = Literal["keyring", "file"]


@dataclass(frozen=True)
class StoredProfile:
    """A stored profile. ``api_key`` is filled by ``load_profile`` only (``list_profiles`` leaves it
    None); ``key_source`` says where the key is kept: ``"keyring"``, the key file's path, or None
    when no key is stored."""

    name: str
    base_url: str | None
    api_key: str | None = field(default=None, repr=False)
    auth: str = "bearer"
    key_source: str | None = None
    default: bool = False
    org: str | None = None  # the hosted Cloud organization (X-Org-Id) this profile acts in


def config_dir() -> Path:
    """Where profiles (and, without a keyring, keys) are stored: ``OHCTL_CONFIG_DIR``, else the
    platform's user config dir for ``ohctl``."""
    override = os.environ.get("OHCTL_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("ohctl"))


def profile_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidArgumentError(
            f"{name!r} is not a valid profile name: use 1 to 64 letters, digits, '.', '_' or '-'"
        )
    return name


# -- files ----------------------------------------------------------------------------------------
def _read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        raise ConfigurationError(f"{path} is not valid JSON: fix or remove it") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path} does not hold a JSON object: fix or remove it")
    return data


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path``, mode 0600 from creation on, replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _profiles() -> dict[str, Any]:
    data = _read_json(config_dir() / PROFILES_FILE)
    profiles = data.get("profiles")
    data["profiles"] = profiles if isinstance(profiles, dict) else {}
    return data


def _keys_path() -> Path:
    return config_dir() / KEYS_FILE


def _file_keys() -> dict[str, str]:
    path = _keys_path()
    data = _read_json(path)
    if data and os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("%s was readable by others (mode %o): made it 0600", path, mode)
            path.chmod(0o600)
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}


# -- keyring --------------------------------------------------------------------------------------
def _keyring(purpose: str | None = None) -> Any | None:
    """The keyring module when a usable backend exists, else None. Without the ``keyring`` package
    (it comes with the ohctl[cli] extra) there is no backend; but with ``purpose`` (a key stored in
    the keyring is wanted) its absence is MissingExtraError, which names the extra."""
    if os.environ.get("OHCTL_KEYRING", "").strip().lower() in ("0", "false", "no", "off"):
        return None
    try:
        keyring = require("keyring", extra="cli", purpose=purpose)
    except MissingExtraError:
        if purpose is not None:
            raise
        return None
    try:
        backend = keyring.get_keyring()
        priority = float(getattr(backend, "priority", 0))
    except Exception as exc:  # a broken backend is the same as none
        log.debug("no keyring: %s", type(exc).__name__)
        return None
    module = type(backend).__module__
    if priority <= 0 or module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return None
    return keyring


def keyring_available() -> bool:
    """Whether keys would be kept in the OS keyring (False: in the 0600 file)."""
    return _keyring() is not None


def _keyring_get(name: str) -> str | None:
    kr = _keyring(purpose=f"Reading the key of profile {name!r} from the OS keyring")
    if kr is None:
        return None
    try:
        value = kr.get_password(SERVICE, name)
    except Exception as exc:
        log.warning("could not read the key of profile %s from the keyring: %s", name, type(exc).__name__)
        return None
    return value if isinstance(value, str) else None


def _keyring_set(name: str, key: str) -> bool:
    kr = _keyring()
    if kr is None:
        return False
    try:
        kr.set_password(SERVICE, name, key)
    except Exception as exc:  # e.g. a locked or unreachable keyring: fall back to the file
        log.warning("could not store the key in the keyring (%s): using the 0600 file", type(exc).__name__)
        return False
    return True


def _keyring_delete(name: str) -> None:
    kr = _keyring()
    if kr is None:
        return
    try:
        kr.delete_password(SERVICE, name)
    except Exception as exc:  # already gone, or the keyring refuses: nothing more to do
        log.debug("keyring delete of %s: %s", name, type(exc).__name__)


# -- profiles -------------------------------------------------------------------------------------
def _source(store: object) -> str | None:
    if store == "keyring":
        return "keyring"
    if store == "file":
        return str(_keys_path())
    return None


def _profile(name: str, entry: dict[str, Any], default: str | None, api_key: str | None = None) -> StoredProfile:
    base_url = entry.get("base_url")
    auth = entry.get("auth")
    org = entry.get("org")
    return StoredProfile(
        name=name,
        base_url=base_url if isinstance(base_url, str) else None,
        api_key=api_key,
        auth=auth if auth in ("bearer", "session-key") else "bearer",
        key_source=_source(entry.get("key_store")),
        default=name == default,
        org=org if isinstance(org, str) and org else None,
    )


def default_profile_name() -> str | None:
    """The profile used when none is named (``ohctl auth switch`` sets it)."""
    data = _profiles()
    name = data.get("default")
    return name if isinstance(name, str) and name in data["profiles"] else None


def list_profiles() -> list[StoredProfile]:
    """Every stored profile, by name, without keys (``key_source`` says where each key is)."""
    data = _profiles()
    default = data.get("default")
    return [_profile(n, e, default) for n, e in sorted(data["profiles"].items()) if isinstance(e, dict)]


def load_profile(name: str | None = None) -> StoredProfile | None:
    """The profile ``name`` (None: ``OHCTL_PROFILE``, else the stored default) with its key, or None
    when no profile is stored. A profile named explicitly that does not exist is an error."""
    explicit = name or os.environ.get("OHCTL_PROFILE") or None
    data = _profiles()
    default = data.get("default")
    wanted = explicit or (default if isinstance(default, str) else None)
    if wanted is None:
        return None
    entry = data["profiles"].get(wanted)
    if not isinstance(entry, dict):
        if explicit:
            known = ", ".join(sorted(data["profiles"])) or "none"
            raise ConfigurationError(
                f"No stored profile {wanted!r} (stored: {known}): run `ohctl auth login --profile {wanted}`"
            )
        return None
    store = entry.get("key_store")
    key = _keyring_get(wanted) if store == "keyring" else _file_keys().get(wanted) if store == "file" else None
    return _profile(wanted, entry, default, key)


def save_profile(
    name: str,
    *,
    base_url: str,
    api_key: str | None = None,
    auth: str = "bearer",
    make_default: bool = True,
) -> StoredProfile:
    """Store (or replace) profile ``name``: its server, auth scheme and key (in the keyring when there
    is one, else in the 0600 file). ``make_default`` makes it the profile used when none is named."""
    profile_name(name)
    if auth not in ("bearer", "session-key"):
        raise InvalidArgumentError(f"auth must be 'bearer' or 'session-key', not {auth!r}")
    data = _profiles()
    old = data["profiles"].get(name)
    store: KeyStore | None = None
    if api_key:
        if _keyring_set(name, api_key):
            store = "keyring"
            _drop_file_key(name)
        else:
            keys = _file_keys()
            keys[name] = api_key
            _write_private(_keys_path(), keys)
            store = "file"
    else:
        _forget_key(name, old)
    entry: dict[str, Any] = {"base_url": base_url, "auth": auth, "key_store": store}
    if isinstance(old, dict) and isinstance(old.get("org"), str) and old.get("base_url") == base_url:
        entry["org"] = old["org"]  # logging in again keeps the profile's organization
    data["profiles"][name] = entry
    if make_default or not isinstance(data.get("default"), str):
        data["default"] = name
    _write_private(config_dir() / PROFILES_FILE, data)
    return _profile(name, data["profiles"][name], data["default"], api_key)


def _drop_file_key(name: str) -> None:
    keys = _file_keys()
    if name in keys:
        del keys[name]
        _write_private(_keys_path(), keys)


def _forget_key(name: str, entry: object) -> None:
    if isinstance(entry, dict) and entry.get("key_store") == "keyring":
        _keyring_delete(name)
    _drop_file_key(name)


def delete_profile(name: str) -> bool:
    """Remove profile ``name`` and its key; False when there was no such profile. When it was the
    default, no profile is the default afterwards (``set_default_profile`` picks one)."""
    data = _profiles()
    entry = data["profiles"].pop(name, None)
    if entry is None:
        return False
    _forget_key(name, entry)
    if data.get("default") == name:
        data["default"] = None
    _write_private(config_dir() / PROFILES_FILE, data)
    return True


def set_default_profile(name: str) -> StoredProfile:
    """Make ``name`` the profile used when none is named."""
    data = _profiles()
    entry = data["profiles"].get(name)
    if not isinstance(entry, dict):
        known = ", ".join(sorted(data["profiles"])) or "none"
        raise ConfigurationError(f"No stored profile {name!r} (stored: {known})")
    data["default"] = name
    _write_private(config_dir() / PROFILES_FILE, data)
    return _profile(name, entry, name)


def set_profile_org(name: str, org: str | None) -> StoredProfile:
    """Store (None: forget) the hosted Cloud organization profile ``name`` acts in (sent as X-Org-Id)."""
    data = _profiles()
    entry = data["profiles"].get(name)
    if not isinstance(entry, dict):
        known = ", ".join(sorted(data["profiles"])) or "none"
        raise ConfigurationError(f"No stored profile {name!r} (stored: {known}): run `ohctl auth login` first")
    if org:
        entry["org"] = org
    else:
        entry.pop("org", None)
    _write_private(config_dir() / PROFILES_FILE, data)
    return _profile(name, entry, data.get("default"))
