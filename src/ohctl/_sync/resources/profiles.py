# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Saved LLM profiles: ``client.settings.profiles``.

A profile is a named LLM configuration (model, base_url, api_key, ...). Activating one copies it into
``agent_settings.llm``, so new conversations use it. Checked against app server 1.11.0:

- Names match ``^[A-Za-z0-9._-]{1,64}$``; anything else is refused with 422 (checked here first).
- At most 10 profiles per user: saving an 11th answers 409 (ConflictError). Saving an existing name
  overwrites it.
- API keys never come back: ``api_key_set`` says whether one is stored, and a detail's
  ``config["api_key"]`` is always None. Saving with ``llm`` but no ``api_key`` keeps the stored key.
- ``delete`` is idempotent (a missing profile still answers 200); ``retrieve``, ``activate`` and
  ``rename`` of a missing profile answer 404; ``rename`` onto a taken name answers 409.
- Deleting the active profile activates the first remaining one (its LLM becomes
  ``agent_settings.llm``); renaming the active profile keeps it active. Changing the LLM through
  ``settings.update`` so it no longer matches the active profile clears ``active_profile``.
- The list shows the effective ``base_url`` (the provider's default when none is stored); the
  detail's ``config`` shows what is stored (None then).
"""

from __future__ import annotations

import re
from typing import Any

from ..._errors import InvalidArgumentError
from ..._routes import route
from ...types.profiles import LLMProfileDetail, LLMProfileList, ProfileChange
from ._base import Resource

NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def profile_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidArgumentError(
            f"{name!r} is not a valid profile name: use 1 to 64 letters, digits, '.', '_' or '-'"
        )
    return name


class Profiles(Resource):
    def list(self) -> LLMProfileList:
        """Every saved profile (name, model, base_url, api_key_set) and the active profile's name."""
        return self._http.request("GET", "/api/v1/settings/profiles", parse=LLMProfileList.model_validate)

    def retrieve(self, name: str) -> LLMProfileDetail:
        """One profile's full LLM config (its api_key nulled); NotFoundError if there is none."""
        path = route("/api/v1/settings/profiles/{name}", name=profile_name(name))
        return self._http.request("GET", path, parse=LLMProfileDetail.model_validate)

    def save(
        self,
        name: str,
        llm: dict[str, Any] | None = None,
        *,
        include_secrets: bool = True,
        preserve_existing_api_key: bool = False,
    ) -> ProfileChange:
        """Save ``llm`` (a dict of model, base_url, api_key, ...; unknown keys give 422) as profile
        ``name``, or, without ``llm``, a snapshot of the current ``agent_settings.llm``. Overwrites a
        profile of the same name. ``include_secrets=False`` stores it without the api_key;
        ``preserve_existing_api_key`` keeps the key the profile already has. The api_key is sent once
        and never logged."""
        body: dict[str, Any] = {
            "include_secrets": include_secrets,
            "preserve_existing_api_key": preserve_existing_api_key,
        }
        if llm is not None:
            body["llm"] = llm
        path = route("/api/v1/settings/profiles/{name}", name=profile_name(name))
        return self._http.request("POST", path, json=body, idempotent=True, parse=ProfileChange.model_validate)

    def delete(self, name: str) -> ProfileChange:
        """Delete a profile; succeeds also when there was no such profile (the server is idempotent)."""
        path = route("/api/v1/settings/profiles/{name}", name=profile_name(name))
        return self._http.request("DELETE", path, parse=ProfileChange.model_validate)

    def activate(self, name: str) -> ProfileChange:
        """Make the profile the LLM of new conversations; the answer's ``model`` is the active model."""
        path = route("/api/v1/settings/profiles/{name}/activate", name=profile_name(name))
        return self._http.request("POST", path, idempotent=True, parse=ProfileChange.model_validate)

    def rename(self, name: str, new_name: str) -> ProfileChange:
        """Rename a profile, keeping its config, key and active flag; ConflictError if ``new_name`` is
        taken. Not retried: a retry after a rename that went through would answer 404."""
        path = route("/api/v1/settings/profiles/{name}/rename", name=profile_name(name))
        body = {"new_name": profile_name(new_name)}
        return self._http.request("POST", path, json=body, idempotent=False, parse=ProfileChange.model_validate)
