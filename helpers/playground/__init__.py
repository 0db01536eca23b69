"""Lesson 05, the playground: a chat page in the notebook that streams each reply, sent one of three ways.
ways.py is the lesson's code (one function per way); page.py wires those functions to ipywidgets."""

from .page import CSS_CLASSES, Playground
from .ways import STREAM_CUT_SHORT, WAYS, describe_error, request_body, text_in_event

__all__ = ["CSS_CLASSES", "STREAM_CUT_SHORT", "WAYS", "Playground", "describe_error", "request_body",
           "text_in_event"]
