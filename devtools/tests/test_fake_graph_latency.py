"""The fake Graph API can take Meta's time to answer a send (bench_outbound's production-like runs)."""

import time

import httpx

from devtools.fake_graph import FakeGraphServer

BODY = {"messaging_product": "whatsapp", "to": "4915112345678", "type": "text", "text": {"body": "hi"}}


def _send(fake: FakeGraphServer) -> tuple[float, httpx.Response]:
    began = time.perf_counter()
    response = httpx.post(f"{fake.base_url}/v25.0/111/messages", json=BODY, headers={"Authorization": "Bearer t"})
    return time.perf_counter() - began, response


def test_a_send_is_answered_after_the_set_latency_and_still_answered_in_full():
    fake = FakeGraphServer(accept_unknown_tokens=True, latency_seconds=0.3).start()
    try:
        took, response = _send(fake)
    finally:
        fake.stop()
    assert took >= 0.3  # a lower bound: the fake waited; how fast the machine is does not matter
    assert response.status_code == 200 and response.json()["messages"][0]["id"].startswith("wamid.")
    assert len(fake.state.sent) == 1


def test_a_refused_send_is_refused_without_the_latency():
    """Meta refuses a malformed send before processing it; with 30 s of latency a waiting fake would time out."""
    fake = FakeGraphServer(accept_unknown_tokens=True, latency_seconds=30).start()
    try:
        response = httpx.post(
            f"{fake.base_url}/v25.0/111/messages", json={**BODY, "type": "nope"}, headers={"Authorization": "Bearer t"}
        )
    finally:
        fake.stop()
    assert response.status_code == 400 and fake.state.sent == []
