"""Lesson 05's chat page: settings, the conversation so far, a prompt, the reply as it streams in, and the
last exchange on the wire. The `Playground` class only wires the three ways (ways.py), for either API, to widgets."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as widgets

from ..connection import Connection
from ..display import NO_WIRE_RECORD, format_exchange
from ..mock import Exchange
from ..mock.catalogue import SUGGESTED_MODELS
from .ways import RESPONSES_WAYS, WAYS, Finished, describe_error, request_body, responses_request_body

CHAT_COMPLETIONS, RESPONSES = "Chat Completions", "Responses"
APIS = (CHAT_COMPLETIONS, RESPONSES)

# Every piece of the page (by attribute name) has a CSS class, so a browser test (or a learner's own CSS) can find it.
CSS_CLASSES = {
    "view": "playground",
    "api": "playground-api",
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


class Playground:
    """A chat page: settings, the conversation so far, a prompt and a Send button, the streamed reply,
    and the last exchange on the wire. `on_send()` is what the button calls; tests call it directly."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.messages: list[dict[str, str]] = []  # the conversation, sent again with every chat turn
        # After a Responses turn the server holds the conversation: the next turn names it by this id.
        self.previous_response_id: str | None = None
        self.last_error: str | None = None
        self.status_text = "Ready."  # what the status line says, as plain text

        self.api = widgets.ToggleButtons(options=list(APIS), value=CHAT_COMPLETIONS, description="API")
        self.way = widgets.ToggleButtons(options=list(WAYS), value="urllib", description="Way")
        suggestions = list(dict.fromkeys((connection.model, *SUGGESTED_MODELS)))  # any name can be typed in
        self.model = widgets.Combobox(value=connection.model, options=suggestions, description="Model",
                                      ensure_option=False)
        wide_label = {"description_width": "initial"}  # the default width cuts "Temperature" short
        self.temperature = widgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1, description="Temperature",
                                               style=wide_label)
        # Generous: a reasoning model spends part of this limit thinking before it writes a visible word.
        self.max_tokens = widgets.BoundedIntText(value=1000, min=1, max=100_000, description="Max tokens",
                                                 style=wide_label)
        self.history = widgets.HTML(value=self._history_html())
        self.prompt = widgets.Text(placeholder="Type a prompt, then press Enter or Send", description="Prompt",
                                   layout=widgets.Layout(width="100%"))
        self.send_button = widgets.Button(description="Send", button_style="primary", icon="paper-plane")
        self.new_conversation_button = widgets.Button(description="New conversation", icon="eraser")
        self.reply = widgets.Textarea(value="", placeholder="The reply streams in here.", disabled=True,
                                      layout=widgets.Layout(width="100%", height="8em"))
        self.status = widgets.HTML(value=self.status_text)
        self.wire = widgets.HTML(value=_pre("(The exchange on the wire appears here after each send.)"))

        self.send_button.on_click(self.on_send)
        self.prompt.on_msg(self._on_prompt_message)
        self.new_conversation_button.on_click(self.on_new_conversation)

        chat = widgets.VBox([
            self.api, self.way, self.model, self.temperature, self.max_tokens, self.history,
            self.prompt, widgets.HBox([self.send_button, self.new_conversation_button]),
            self.reply, self.status,
        ], layout=widgets.Layout(width="50%", padding="0 1em 0 0"))
        wire_panel = widgets.VBox([widgets.HTML("<b>On the wire</b>"), self.wire],
                                  layout=widgets.Layout(width="50%", max_height="40em", overflow="auto"))
        self.view = widgets.HBox([chat, wire_panel], layout=widgets.Layout(width="100%"))
        for attribute, css_class in CSS_CLASSES.items():
            getattr(self, attribute).add_class(css_class)

    def _on_prompt_message(self, _widget: widgets.Text, content: dict[str, Any], _buffers: Any) -> None:
        """Enter in the prompt box sends, as the button does: the browser sends the box a `submit` event.
        (ipywidgets 8 deprecates `Text.on_submit`, which listened for this same event.)"""
        if content.get("event") == "submit":
            self.on_send()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Leaving `playground` last in a cell shows the page."""
        return self.view._repr_mimebundle_(**kwargs)

    def on_send(self, _button: widgets.Button | None = None) -> None:
        """Send the prompt (with the whole conversation, or the id of the server's copy of it), stream the
        reply into the page, record the turn. Any failure ends as a message in the status line, never as a
        traceback."""
        prompt = self.prompt.value.strip()
        if not prompt:
            self.last_error = "Type a prompt first."
            self._show_status(self.last_error, error=True)
            return
        way = self.way.value
        messages = [*self.messages, {"role": "user", "content": prompt}]
        settings = (round(self.temperature.value, 2), self.max_tokens.value)
        send: Callable[[str, str, dict[str, Any]], Iterator[str | Finished]]
        if self.api.value == RESPONSES:
            # Only what the server has not seen: the new message, or the whole conversation when no
            # Responses turn came before it (a new page, or chat turns the server never stored).
            new_input = messages[-1:] if self.previous_response_id else messages
            body = responses_request_body(self.model.value.strip(), new_input, self.previous_response_id,
                                          *settings)
            send = RESPONSES_WAYS[way]
        else:
            body = request_body(self.model.value.strip(), messages, *settings)
            send = WAYS[way]
        before = self.connection.last_exchange
        self.send_button.disabled = True
        self.reply.value = ""
        self.last_error = None
        self._show_status(f"Streaming with {way}...")
        pieces, response_id = 0, None
        try:
            for piece in send(self.connection.base_url, self.connection.api_key, body):
                if isinstance(piece, Finished):
                    response_id = piece.response_id
                    continue
                self.reply.value += piece  # each assignment reaches the browser as its own update
                pieces += 1
        except Exception as error:  # shown to the learner: a page, unlike a script, must keep going
            self.last_error = describe_error(error)
            self._show_status(f"Error with {way}: {self.last_error}", error=True)
        else:
            self.messages = [*messages, {"role": "assistant", "content": self.reply.value}]
            self.previous_response_id = response_id  # None after a chat turn: the server kept nothing
            self.prompt.value = ""
            kept = (" The server keeps the conversation: the next Responses turn sends only the new message"
                    " and previous_response_id." if response_id else "")
            self._show_status(f"Done: the reply came in {pieces} pieces.{kept}")
        finally:
            self.send_button.disabled = False
        self.history.value = self._history_html()
        self.wire.value = _pre(self._wire_text(before))

    def on_new_conversation(self, _button: widgets.Button | None = None) -> None:
        self.messages = []
        self.previous_response_id = None
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

    def _wire_text(self, before: Exchange | None) -> str:
        mock = self.connection.mock
        if mock is None:
            return NO_WIRE_RECORD
        exchange = mock.last_exchange  # filed by the server before its answer went out
        if exchange is None or exchange is before:
            return "(No request reached the server.)"
        return format_exchange(exchange)


def _pre(text: str) -> str:
    return f'<pre style="white-space: pre-wrap; font-size: 85%">{html.escape(text)}</pre>'
