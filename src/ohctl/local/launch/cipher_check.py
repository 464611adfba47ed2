"""Run by ``ohctl local doctor`` in the server's own Python: does the agent server's secret cipher work?

The agent server derives its Fernet key as ``base64.b64encode(sha256(secret))``: the standard alphabet,
which cryptography >= 51 refuses whenever the key holds '+' or '/' (about 3 keys in 4). Half the
secrets tried here have such a key, so a broken environment fails every time, not 74% of the time.
Prints one line: ``ohctl-doctor-result <json>``.
"""

import base64
import hashlib
import importlib.util
import json
import pathlib
import secrets


def round_trip(out):
    import cryptography
    from pydantic import SecretStr

    out["cryptography"] = getattr(cryptography, "__version__", "unknown")
    # The file itself: importing openhands.sdk takes 10 s (litellm) and tries the network.
    found = importlib.util.find_spec("openhands")
    if found is None:
        raise ModuleNotFoundError("this Python has no openhands package")
    package = found.submodule_search_locations[0]
    spec = importlib.util.spec_from_file_location("cipher", pathlib.Path(package, "sdk", "utils", "cipher.py"))
    cipher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cipher)
    unsafe, safe = [], []
    while len(unsafe) < 16 or len(safe) < 16:  # about 3 in 4 keys are unsafe: a few dozen draws
        secret = secrets.token_urlsafe(32)
        key = base64.b64encode(hashlib.sha256(secret.encode()).digest())
        (unsafe if b"+" in key or b"/" in key else safe).append(secret)
    out["unsafe_keys"] = 16
    for secret in unsafe[:16] + safe[:16]:
        out["tried"] += 1
        try:
            back = cipher.Cipher(secret).decrypt(cipher.Cipher(secret).encrypt(SecretStr("ohctl doctor")))
            if back is None or back.get_secret_value() != "ohctl doctor":
                raise ValueError("decrypting what was just encrypted did not give it back")
        except Exception as exc:
            out["failed"] += 1
            out["error"] = out["error"] or f"{type(exc).__name__}: {exc}"


def main():
    out = {"cryptography": "unknown", "tried": 0, "unsafe_keys": 0, "failed": 0, "error": None}
    try:
        round_trip(out)
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    print("ohctl-doctor-result " + json.dumps(out))


if __name__ == "__main__":
    main()
