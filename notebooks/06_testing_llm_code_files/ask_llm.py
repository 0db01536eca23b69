"""The code under test in lesson 06: ask a model one question and return the text of its answer, three ways.
The SDK version takes a ready-made client, so a test can hand it one that respx can intercept."""

from __future__ import annotations

import json
import urllib.request

import requests
from openai import OpenAI


def chat_body(model: str, prompt: str) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": prompt}]}


def ask_with_urllib(base_url: str, api_key: str, model: str, prompt: str) -> str:
    request = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=json.dumps(chat_body(model, prompt)).encode(),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["choices"][0]["message"]["content"]


def ask_with_requests(base_url: str, api_key: str, model: str, prompt: str) -> str:
    response = requests.post(
        f"{base_url}/chat/completions",
        headers={"Authorization": f"Bearer {api_key}"},
        json=chat_body(model, prompt),
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["choices"][0]["message"]["content"]


def ask_with_sdk(client: OpenAI, model: str, prompt: str) -> str:
    completion = client.chat.completions.create(**chat_body(model, prompt))
    return completion.choices[0].message.content
