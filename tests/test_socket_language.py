"""A socket follows its viewer's language switch without a reconnect (controlroom.web.socket,
``language`` messages; the hub moves the connection to the new language's stream)."""

from __future__ import annotations

from tests.support.server import ClientFactory, LiveServerFactory, marked_scenario


async def test_a_language_message_rerenders_the_view_and_what_follows(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    control = clients(server, exercise, "control")
    await control.connect()
    await control.until(lambda f: f["type"] == "live")
    await control.send({"type": "language", "language": "ru"})
    await control.until(lambda f: f["type"] == "snapshot")
    snapshot = control.frames[-1]["content"]
    assert "Не начаты" in snapshot, snapshot[:400]  # the clock, re-rendered in Russian
    assert "Not started" not in snapshot
    server.run(exercise, ("startex", {"by": "d"}))
    await control.until(lambda f: f["type"] == "event")
    pushed = control.frames[-1]["content"]
    assert "Идут" in pushed and "Running" not in pushed, pushed[:400]
    await control.send({"type": "language", "language": "en"})
    await control.until(lambda f: f["type"] == "snapshot")
    english = control.frames[-1]["content"]
    assert "Running" in english and "Идут" not in english


async def test_an_unknown_language_gets_an_error_frame_and_the_socket_stays(
    live_server: LiveServerFactory, clients: ClientFactory
) -> None:
    server = live_server(journal_url="memory://")
    exercise = server.create_exercise(marked_scenario())
    team = clients(server, exercise, "team:t1")
    await team.connect()
    await team.until(lambda f: f["type"] == "live")
    for wrong in ("xx", 5, None):
        await team.send({"type": "language", "language": wrong})
        await team.until(lambda f: f["type"] == "error")
        assert team.frames[-1]["code"] == "bad-message"
    await team.send({"type": "ping", "t": 1})
    await team.until(lambda f: f["type"] == "pong")
