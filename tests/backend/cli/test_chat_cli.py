"""`lathe chat` through Typer's runner: replies streamed to the terminal, the conversation kept
until /reset, and bad options or models refused in one line."""

from __future__ import annotations

from typer.testing import CliRunner

from lathe.cli import app
from lathe.inference.chat import start_chat
from lathe.inference.engine import ChatEngine
from lathe.inference.sampling import ChatSampling
from lathe.models.registry import import_model
from lathe.settings import Settings
from tests.backend.conftest import MakeModelFolder

runner = CliRunner()
GREEDY = ["--temperature", "0", "--max-tokens", "8"]


def test_chat_streams_replies_and_keeps_the_conversation(
    settings: Settings, make_model_folder: MakeModelFolder
) -> None:
    import_model(settings, str(make_model_folder("tiny")))
    result = runner.invoke(
        app,
        ["chat", "--model", "tiny", *GREEDY],
        input="hello world\n\n/reset\nhello world\n/exit\n",
    )
    assert result.exit_code == 0, result.output
    assert "Chatting with tiny" in result.stdout
    with ChatEngine(settings) as engine:
        sampling = ChatSampling(temperature=0, max_tokens=8)
        messages = [{"role": "user", "content": "hello world"}]
        expected = start_chat(engine, "tiny", messages, sampling).stream.collect().text
    # The same reply twice: /reset forgot the first exchange.
    assert result.stdout.count(f"> {expected}\n") == 2


def test_chat_refuses_bad_options_and_unknown_models(settings: Settings) -> None:
    bad = runner.invoke(app, ["chat", "--top-p", "1.5"])
    assert bad.exit_code == 2
    assert "--top-p: Input should be less than or equal to 1" in bad.output
    missing = runner.invoke(app, ["chat", "--model", "nope"], input="hi\n")
    assert missing.exit_code == 2
    assert "no model named 'nope'" in missing.output
