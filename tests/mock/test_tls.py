"""The mock's https:// mode: a self-signed certificate for localhost that clients refuse until told to trust it."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request

import httpx2
import openai
import pytest
import requests

from tests.mock.support import CHAT_MODEL, chat_body


@pytest.fixture
def tls_server(start_server):
    return start_server(tls=True)


def test_the_base_url_is_https(tls_server):
    assert tls_server.base_url.startswith("https://127.0.0.1:")


def test_urllib_refuses_an_untrusted_certificate(tls_server):
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(f"{tls_server.base_url}/models", timeout=10)


def test_requests_refuses_it_then_accepts_it_when_trusted(tls_server):
    url, headers = f"{tls_server.base_url}/models", {"Authorization": f"Bearer {tls_server.api_key}"}
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url, headers=headers, timeout=10)
    assert requests.get(url, headers=headers, timeout=10, verify=tls_server.certificate_path).status_code == 200


def test_the_sdk_refuses_it_then_accepts_it_when_trusted(tls_server):
    with (openai.OpenAI(base_url=tls_server.base_url, api_key=tls_server.api_key, max_retries=0) as client,
          pytest.raises(openai.APIConnectionError)):
        client.chat.completions.create(**chat_body())
    trusted = httpx2.Client(verify=ssl.create_default_context(cafile=tls_server.certificate_path))
    with openai.OpenAI(base_url=tls_server.base_url, api_key=tls_server.api_key, http_client=trusted) as client:
        assert client.chat.completions.create(**chat_body()).model == CHAT_MODEL


def test_a_refused_handshake_leaves_the_server_serving(tls_server):
    for _ in range(3):
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{tls_server.base_url}/models", timeout=10)
    headers = {"Authorization": f"Bearer {tls_server.api_key}"}
    reply = requests.get(f"{tls_server.base_url}/models", headers=headers, timeout=10,
                         verify=tls_server.certificate_path)
    assert reply.status_code == 200
