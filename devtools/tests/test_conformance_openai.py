"""Conformance of the fake LLM with the official ``openai`` SDK (pinned in requirements-dev.txt), streaming included,
and the app's provider taking a base URL as given."""

from __future__ import annotations

import json

import openai
import pytest

from ai_conversations.providers.openai_compat import OpenAICompatClient
from devtools.fake_llm import FakeLLMServer

KEY = "test-llm-key"
HELLO = [{"role": "user", "content": "Hello"}]


@pytest.fixture
def fake():
    server = FakeLLMServer(api_key=KEY).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sdk(fake):
    return openai.OpenAI(base_url=fake.base_url, api_key=KEY, max_retries=0, timeout=5.0)


def test_a_completion_with_tool_calls_parses(fake, sdk):
    fake.call_tools(("find_slots", {"date": "2026-12-01"}), prompt_tokens=50, completion_tokens=7)
    answer = sdk.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    (call,) = answer.choices[0].message.tool_calls
    assert call.function.name == "find_slots" and json.loads(call.function.arguments) == {"date": "2026-12-01"}
    assert answer.choices[0].finish_reason == "tool_calls" and answer.usage.total_tokens == 57


def test_streaming_yields_the_text_and_the_usage(fake, sdk):
    fake.reply_text("Booked! See you tomorrow at 15:00 with Anna.", prompt_tokens=30, completion_tokens=12)
    stream = sdk.chat.completions.create(
        model="gpt-4o-mini", messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Booked! See you tomorrow at 15:00 with Anna."
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage.prompt_tokens == 30 and chunks[-1].usage.completion_tokens == 12


def test_streaming_tool_calls_arrive_whole(fake, sdk):
    fake.call_tools(("create_booking", {"service_id": 3, "starts_at": "2026-12-01T15:00:00+01:00"}))
    chunks = list(sdk.chat.completions.create(model="gpt-4o-mini", messages=HELLO, stream=True))
    calls = [call for c in chunks for call in (c.choices[0].delta.tool_calls or [])]
    assert [c.function.name for c in calls] == ["create_booking"]
    assert json.loads(calls[0].function.arguments)["service_id"] == 3


def test_rate_limit_is_a_429_with_retry_after_and_a_code(fake, sdk):
    fake.fail_next(429, retry_after=7)
    with pytest.raises(openai.RateLimitError) as caught:
        sdk.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.code == "rate_limit_exceeded"


def test_server_errors_and_bad_keys_have_codes(fake, sdk):
    fake.fail_next(500)
    with pytest.raises(openai.InternalServerError) as caught:
        sdk.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert caught.value.code == "server_error"
    wrong = openai.OpenAI(base_url=fake.base_url, api_key="nope", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        wrong.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert caught.value.code == "invalid_api_key"


@pytest.mark.parametrize(
    "kwargs, param",
    [
        ({"messages": []}, "messages"),
        ({"messages": HELLO, "response_format": {"type": "xml"}}, "response_format.type"),
        ({"messages": HELLO, "response_format": {"type": "json_object"}}, "messages"),  # no word "json"
    ],
)
def test_what_it_cannot_serve_is_a_400_naming_the_parameter(fake, sdk, kwargs, param):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.chat.completions.create(model="gpt-4o-mini", **kwargs)
    assert caught.value.param == param and caught.value.code
    assert fake.requests == []


@pytest.mark.parametrize(
    "response_format",
    [
        {"type": "json_object"},
        {"type": "json_schema", "json_schema": {"name": "reply", "schema": {"type": "object"}}},
    ],
)
def test_json_response_formats_answer_json(fake, sdk, response_format):
    fake.reply_text("not json at all")
    answer = sdk.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Answer in JSON."}],
        response_format=response_format,
    )
    assert json.loads(answer.choices[0].message.content) == {"content": "not json at all"}


@pytest.mark.parametrize("prefix", ["/openai/v1", "/api/v3", ""])
def test_the_app_takes_the_providers_base_url_as_given(prefix):
    fake = FakeLLMServer(api_key=KEY, prefix=prefix).start()
    try:
        fake.reply_text("Hi!")
        client = OpenAICompatClient(base_url=fake.base_url, api_key=KEY, model="m", timeout=5.0)
        assert client.complete(messages=HELLO, tools=[]).content == "Hi!"
        assert client.url == f"{fake.base_url}/chat/completions"
    finally:
        fake.stop()
