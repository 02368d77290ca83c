"""A fake OpenAI-compatible LLM server (real HTTP on loopback) for tests and the local demo."""

from devtools.fake_llm.server import FakeLLMServer, ScriptedReply

__all__ = ["FakeLLMServer", "ScriptedReply"]
