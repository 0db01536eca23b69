"""The playground of lesson 05: an ipywidgets chat that streams a reply token by token, sent one of three ways.
The three `stream_with_*` functions are the lesson's code; the `Playground` class only wires them to widgets."""

from __future__ import annotations

import html
import json
import urllib.error
import urllib.request
from typing import Any, Callable, Iterator

import ipywidgets as widgets
import openai
import requests

from .connection import MODEL, Connection
from .display import format_exchange

TIMEOUT_SECONDS = 20  # long enough for a slow model, short enough that the `timeout` fault ends in a message
MODELS = (MODEL, "gpt-5.4", "gpt-4.1-mini", "gpt-4o-mini")  # suggestions; any name can be typed in
STREAM_CUT_SHORT = "the stream ended before `data: [DONE]`, so the reply is incomplete"
NO_WIRE_RECORD = "(No wire record: a real provider keeps no record for us. Only the local mock shows the wire.)"

# Every piece of the page (by attribute name) has a CSS class, so a browser test (or a learner's own CSS) can find it.
CSS_CLASSES = {
    "view": "playground",
    "way": "playground-way",
    "model": "playground-model",
    "temperature": "playground-temperature",
    "max_tokens": "playground-max-tokens",
    "history": "playground-history",
    "prompt": "playground-prompt",
    "send_button": "playground-send",
    "new_conversation_button": "playground-new-conversation",
    "reply": "playground-reply",
    "status": "playground-status",
    "wire": "playground-wire",
}


# --- The three ways: each sends one streamed chat completion and yields the reply's text piece by piece ---

def request_body(model: str, messages: list[dict[str, str]], temperature: float, max_tokens: int) -> dict[str, Any]:
    """The JSON all three ways send. `max_completion_tokens` is the name every current OpenAI model accepts."""
    return {
        "model": model,
        "messages": messages,
        "temperature": temperature,
        "max_completion_tokens": max_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},  # a last chunk with the token counts (lesson 07)
    }


def text_in_event(line: str) -> str | None:
    """The reply text carried by one line of a server-sent event stream: "" when the line carries none,
    None once the stream says `data: [DONE]`."""
    if not line.startswith("data:"):
        return ""  # the blank line between events (or an SSE comment)
    data = line.removeprefix("data:").strip()
    if data == "[DONE]":
        return None
    chunk = json.loads(data)
    return "".join(choice["delta"].get("content") or "" for choice in chunk["choices"])


def stream_with_urllib(base_url: str, api_key: str, body: dict[str, Any]) -> Iterator[str]:
    request = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        for raw_line in response:  # http.client reads the chunked body line by line, as it arrives
            text = text_in_event(raw_line.decode("utf-8"))
            if text is None:
                return
            if text:
                yield text
    raise ConnectionError(STREAM_CUT_SHORT)  # http.client does not notice a stream cut between two lines


def stream_with_requests(base_url: str, api_key: str, body: dict[str, Any]) -> Iterator[str]:
    with requests.post(
        f"{base_url}/chat/completions",
        headers={"Authorization": f"Bearer {api_key}"},
        json=body,
        stream=True,  # without it, requests reads the whole body before returning
        timeout=TIMEOUT_SECONDS,
    ) as response:
        if not response.ok:
            response.content  # read the error's JSON now: leaving `with` closes the connection
            response.raise_for_status()
        for line in response.iter_lines(decode_unicode=True):
            text = text_in_event(line)
            if text is None:
                return
            if text:
                yield text
    raise ConnectionError(STREAM_CUT_SHORT)


def stream_with_sdk(base_url: str, api_key: str, body: dict[str, Any]) -> Iterator[str]:
    # No retries here, so a fault shows in the page as it does for the other two ways (lesson 04 retries).
    with openai.OpenAI(base_url=base_url, api_key=api_key, timeout=TIMEOUT_SECONDS, max_retries=0) as client:
        stream = client.chat.completions.create(**body)  # the SDK reads the events and parses them for us
        for chunk in stream:
            for choice in chunk.choices:
                if choice.delta.content:
                    yield choice.delta.content


WAYS: dict[str, Callable[[str, str, dict[str, Any]], Iterator[str]]] = {
    "urllib": stream_with_urllib,
    "requests": stream_with_requests,
    "openai SDK": stream_with_sdk,
}


def describe_error(error: Exception) -> str:
    """One line for the learner: the HTTP status and the service's own message when there is one."""
    status, body = None, None
    if isinstance(error, urllib.error.HTTPError):
        status, body = error.code, error.read().decode("utf-8", "replace")
    elif isinstance(error, requests.HTTPError) and error.response is not None:
        status, body = error.response.status_code, error.response.text
    elif isinstance(error, openai.APIStatusError):
        status, body = error.status_code, error.response.text
    if status is not None:
        try:
            message = json.loads(body or "")["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = (body or "").strip() or "(no message)"
        return f"HTTP {status}: {message}"
    return f"{type(error).__name__}: {error}"


# --- The page ---

class Playground:
    """A chat page: settings, the conversation so far, a prompt and a Send button, the streamed reply,
    and the last exchange on the wire. `on_send()` is what the button calls; tests call it directly."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.messages: list[dict[str, str]] = []  # the conversation, sent again with every turn
        self.last_error: str | None = None
        self.status_text = "Ready."  # what the status line says, as plain text

        self.way = widgets.ToggleButtons(options=list(WAYS), value="urllib", description="Way")
        self.model = widgets.Combobox(value=connection.model, options=list(dict.fromkeys((connection.model,) + MODELS)),
                                      description="Model", ensure_option=False)
        self.temperature = widgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1, description="Temperature")
        # Generous: a reasoning model spends part of this limit thinking before it writes a visible word.
        self.max_tokens = widgets.BoundedIntText(value=1000, min=1, max=100_000, description="Max tokens")
        self.history = widgets.HTML(value=self._history_html())
        self.prompt = widgets.Text(placeholder="Type a prompt, then press Send", description="Prompt",
                                   layout=widgets.Layout(width="100%"))
        self.send_button = widgets.Button(description="Send", button_style="primary", icon="paper-plane")
        self.new_conversation_button = widgets.Button(description="New conversation", icon="eraser")
        self.reply = widgets.Textarea(value="", placeholder="The reply streams in here.", disabled=True,
                                      layout=widgets.Layout(width="100%", height="8em"))
        self.status = widgets.HTML(value=self.status_text)
        self.wire = widgets.HTML(value=_pre("(The exchange on the wire appears here after each send.)"))

        self.send_button.on_click(self.on_send)
        self.new_conversation_button.on_click(self.on_new_conversation)

        chat = widgets.VBox([
            self.way, self.model, self.temperature, self.max_tokens, self.history,
            self.prompt, widgets.HBox([self.send_button, self.new_conversation_button]),
            self.reply, self.status,
        ], layout=widgets.Layout(width="50%", padding="0 1em 0 0"))
        wire_panel = widgets.VBox([widgets.HTML("<b>On the wire</b>"), self.wire],
                                  layout=widgets.Layout(width="50%", max_height="40em", overflow="auto"))
        self.view = widgets.HBox([chat, wire_panel], layout=widgets.Layout(width="100%"))
        for attribute, css_class in CSS_CLASSES.items():
            getattr(self, attribute).add_class(css_class)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Leaving `playground` last in a cell shows the page."""
        return self.view._repr_mimebundle_(**kwargs)

    def on_send(self, _button: widgets.Button | None = None) -> None:
        """Send the prompt with the whole conversation, stream the reply into the page, record the turn.
        Any failure ends as a message in the status line, never as a traceback."""
        prompt = self.prompt.value.strip()
        if not prompt:
            self.last_error = "Type a prompt first."
            self._show_status(self.last_error, error=True)
            return
        way = self.way.value
        messages = self.messages + [{"role": "user", "content": prompt}]
        body = request_body(self.model.value.strip(), messages, round(self.temperature.value, 2),
                            self.max_tokens.value)
        before = self.connection.last_exchange
        self.send_button.disabled = True
        self.reply.value = ""
        self.last_error = None
        self._show_status(f"Streaming with {way}...")
        pieces = 0
        try:
            for text in WAYS[way](self.connection.base_url, self.connection.api_key, body):
                self.reply.value += text  # each assignment reaches the browser as its own update
                pieces += 1
        except Exception as error:  # shown to the learner: a page, unlike a script, must keep going
            self.last_error = describe_error(error)
            self._show_status(f"Error with {way}: {self.last_error}", error=True)
        else:
            self.messages = messages + [{"role": "assistant", "content": self.reply.value}]
            self.prompt.value = ""
            self._show_status(f"Done: the reply came in {pieces} pieces.")
        finally:
            self.send_button.disabled = False
        self.history.value = self._history_html()
        self.wire.value = _pre(self._wire_text(before))

    def on_new_conversation(self, _button: widgets.Button | None = None) -> None:
        self.messages = []
        self.reply.value = ""
        self.last_error = None
        self.history.value = self._history_html()
        self._show_status("Ready.")

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status_text = text
        colour = "#b00020" if error else "inherit"
        self.status.value = f'<span style="color: {colour}">{html.escape(text)}</span>'

    def _history_html(self) -> str:
        if not self.messages:
            return "<i>No conversation yet.</i>"
        turns = [f"<b>{m['role']}:</b> {html.escape(m['content'])}" for m in self.messages]
        return '<div style="white-space: pre-wrap">' + "<br>".join(turns) + "</div>"

    def _wire_text(self, before: Any) -> str:
        mock = self.connection.mock
        if mock is None:
            return NO_WIRE_RECORD
        exchange = mock.last_exchange  # filed by the server before its answer went out
        return "(No request reached the server.)" if exchange is before else format_exchange(exchange)


def _pre(text: str) -> str:
    return f'<pre style="white-space: pre-wrap; font-size: 85%">{html.escape(text)}</pre>'
