"""Global options (--endpoint, --token, --config, --output) go anywhere on the line, as with `aws ecs`."""

from __future__ import annotations

import argparse

import pytest

from berth.cli import build_parser

GLOBALS = {"--endpoint": "h:7410", "--token": "t0k", "--config": "/tmp/c", "--output": "table"}


PARSER = build_parser()


def commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in PARSER._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def required_args(p: argparse.ArgumentParser) -> list[str]:
    """Placeholder values for a command's positional and required options, so it parses."""
    out: list[str] = []
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            name, sub = next(iter(action.choices.items()))
            out += [name, *required_args(sub)]
        elif not action.option_strings and action.nargs != 0 and action.dest != "help":
            out.append("x")
        elif action.required:
            out += [action.option_strings[0], "x"]
    return out


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_global_option_works_after_the_command(name: str) -> None:
    rest = required_args(commands()[name])
    for flag, value in GLOBALS.items():
        before = PARSER.parse_args([flag, value, name, *rest])
        after = PARSER.parse_args([name, *rest, flag, value])
        assert getattr(before, flag[2:]) == getattr(after, flag[2:]) == value, (name, flag)


def test_a_value_after_the_command_wins_and_one_before_is_kept() -> None:
    args = build_parser().parse_args(["--output", "table", "--token", "a", "events", "--output", "json"])
    assert (args.output, args.token, args.endpoint) == ("json", "a", None)


def test_a_bad_value_after_the_command_fails_loudly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args(["events", "--output", "yaml"])
    assert e.value.code == 2
    assert "--output: invalid choice: 'yaml'" in capsys.readouterr().err
