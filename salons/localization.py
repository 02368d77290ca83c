"""Moved to the top-level ``localization`` package. This alias only keeps ``ai_conversations/dialog.py`` and
``ai_conversations/engine`` importing while the assistant's branch switches them to ``localization``; delete it then."""

from localization import *  # noqa: F403
from localization import __all__  # noqa: F401
