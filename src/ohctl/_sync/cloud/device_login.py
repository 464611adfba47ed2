# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""``ohctl auth login --web``: the hosted Cloud's OAuth device flow (RFC 8628), driven over the SDK's
request pipeline. The polling rules live in ``ohctl._device_flow`` (no I/O there).

No key is needed (or sent) to log in: the flow's answer is a new API key of the user, in
``DeviceToken.access_token``. The token endpoint is only read, so its polls may be retried.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx

from ... import _errors
from ..._backend import Sleep, sync_sleep
from ..._config import BASE_URL_VARS, CLOUD_URL, ClientConfig, _server_root, check_transport
from ..._device_flow import DevicePolling, Granted
from ..._options import Timeout
from ...types.cloud import DeviceAuthorization, DeviceToken
from .._http import HTTP
from ._secret_body import read_secret_body, request_secret

log = logging.getLogger("ohctl.auth")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class DeviceLogin:
    """Log in through a browser: ``start()`` gets a code to show the user, ``wait(authorization)``
    polls until the user approved it and returns the key (``login()`` does both).

    The server is ``base_url``, else ``OPENHANDS_BASE_URL`` / ``OPENHANDS_APP_BASE``, else the hosted Cloud.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: Timeout = None,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
        sleep: Sleep | None = None,
        clock: Callable[[], float] = time.monotonic,
        allow_insecure: bool = False,
    ) -> None:
        url = base_url or next((os.environ[v] for v in BASE_URL_VARS if os.environ.get(v)), None) or CLOUD_URL
        root = _server_root(url)
        check_transport(root, None, allow_insecure)
        config = ClientConfig(base_url=root, api_key=None, api_key_source=None, auth="bearer")
        self._http = HTTP(config, timeout=timeout, max_retries=max_retries, http_client=http_client, sleep=sleep)
        self._sleep = sleep or sync_sleep
        self._clock = clock
        self.polling: DevicePolling | None = None

    @property
    def base_url(self) -> str:
        return self._http.config.base_url

    def start(self) -> DeviceAuthorization:
        """Ask for a device code and the user code to show (with the page to enter it on)."""
        return request_secret(
            self._http, "POST", "/oauth/device/authorize", DeviceAuthorization.model_validate, idempotent=False
        )

    def _poll(self, device_code: str) -> tuple[int, Any, httpx.Response]:
        body = urlencode({"device_code": device_code})
        try:
            response = self._http.send(
                "POST", "/oauth/device/token", content=body, headers=FORM, idempotent=True, retry_server_errors=False
            )
        except _errors.APIStatusError as exc:
            return exc.status_code, exc.body, exc.response
        return response.status_code, read_secret_body(response, lambda data: data), response

    def wait(self, authorization: DeviceAuthorization) -> DeviceToken:
        """Poll until the user approves (the key), refuses (DeviceAccessDeniedError) or the code
        expires (DeviceCodeExpiredError), at the server's interval, slowing down when told to."""
        polling = DevicePolling(interval=authorization.interval, expires_in=authorization.expires_in, now=self._clock())
        self.polling = polling
        step = polling.first(self._clock())
        while True:
            self._sleep(step.after)
            try:
                status, body, response = self._poll(authorization.device_code)
            except (_errors.APIConnectionError, _errors.UnexpectedResponseError) as exc:
                log.debug("device token poll failed: %s", type(exc).__name__)
                step = polling.failure(self._clock(), type(exc).__name__)
                continue
            answer = polling.answer(status, body, self._clock())
            if isinstance(answer, Granted):
                return read_secret_body(response, DeviceToken.model_validate)
            log.debug("device login pending; next poll in %.0fs", answer.after)
            step = answer

    def login(self, show: Callable[[DeviceAuthorization], None] | None = None) -> DeviceToken:
        """``start()``, ``show(authorization)`` (print the code, open the browser), then ``wait``."""
        authorization = self.start()
        if show is not None:
            show(authorization)
        return self.wait(authorization)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DeviceLogin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
