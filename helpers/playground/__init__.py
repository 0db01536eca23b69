"""Lesson 05, the playground: a chat page in the notebook that streams each reply, sent one of three ways,
to Chat Completions or to the Responses API. ways.py is the lesson's code (one function per way and API);
page.py wires those functions to ipywidgets."""

from .page import APIS, CSS_CLASSES, Playground
from .ways import (
    RESPONSES_CUT_SHORT,
    RESPONSES_WAYS,
    STREAM_CUT_SHORT,
    WAYS,
    Finished,
    describe_error,
    read_frames,
    request_body,
    responses_request_body,
    text_in_event,
    text_in_frames,
)

__all__ = ["APIS", "CSS_CLASSES", "RESPONSES_CUT_SHORT", "RESPONSES_WAYS", "STREAM_CUT_SHORT", "WAYS", "Finished",
           "Playground", "describe_error", "read_frames", "request_body", "responses_request_body", "text_in_event",
           "text_in_frames"]
