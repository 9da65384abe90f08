"""A stand-in for `systemctl` in tests of deploy/install-agent.sh, where no systemd runs (and a
container with one needs an image we cannot pull).

It reads the unit files the script wrote (under $FAKE_SYSTEMD_UNITS) and runs their ExecStart the
way systemd does: the EnvironmentFile and Environment= variables, `${VAR}` as one word and `$VAR`
split on whitespace, %H as the host name, a SIGTERM on stop (SIGKILL after TimeoutStopSec). Every
call is appended to $FAKE_SYSTEMD_STATE/calls, one line each, so tests can see what the script
asked for. Only what the script uses is here: daemon-reload, enable, disable [--now], start, stop,
restart, is-active, is-enabled, kill --signal.

Use: write_wrapper(bin_dir, units, state) makes an executable `systemctl` for $SYSTEMCTL.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def _state() -> Path:
    return Path(os.environ["FAKE_SYSTEMD_STATE"])


def _unit_file(unit: str) -> Path:
    return Path(os.environ["FAKE_SYSTEMD_UNITS"]) / unit


def _service(unit: str) -> dict[str, list[str]]:
    """The [Service] section: key -> values in order."""
    section, out = "", {}
    for line in _unit_file(unit).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line:
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def _environment(service: dict[str, list[str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in service.get("Environment", []):
        for word in shlex.split(item):
            key, _, value = word.partition("=")
            env[key] = value.replace("%H", socket.gethostname())
    for name in service.get("EnvironmentFile", []):
        optional = name.startswith("-")
        path = Path(name.lstrip("-"))
        if not path.exists() and optional:
            continue
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                env[key.strip()] = value.strip().strip('"')
    return env


def _argv(command: str, env: dict[str, str]) -> list[str]:
    argv: list[str] = []
    for word in shlex.split(command.replace("%H", socket.gethostname())):
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            argv += env.get(whole.group(1), "").split()
        else:
            argv.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m.group(1), ""), word))
    return argv


def _pid_file(unit: str) -> Path:
    return _state() / f"{unit}.pid"


def main_pid(unit: str) -> int:
    """The unit's running main process, or 0."""
    try:
        pid = int(_pid_file(unit).read_text())
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ValueError):
        return 0
    return 0 if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X") else pid


def start(unit: str) -> None:
    if main_pid(unit):
        return
    service = _service(unit)
    env = _environment(service)
    argv = _argv(service["ExecStart"][-1], env)
    child_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    with open(_state() / f"{unit}.log", "ab") as log:
        proc = subprocess.Popen(
            argv,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _pid_file(unit).write_text(str(proc.pid))


def stop(unit: str) -> None:
    pid = main_pid(unit)
    if not pid:
        return
    timeout = float(_service(unit).get("TimeoutStopSec", ["90s"])[-1].rstrip("s"))
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while main_pid(unit) and time.monotonic() < deadline:
        time.sleep(0.1)
    if main_pid(unit):
        os.kill(pid, signal.SIGKILL)


def run(args: list[str]) -> int:
    with open(_state() / "calls", "a") as calls:
        calls.write(" ".join(args) + "\n")
    flags = [a for a in args if a.startswith("-")]
    words = [a for a in args if not a.startswith("-")]
    command, units = words[0], words[1:]
    enabled = _state() / "enabled"
    enabled.mkdir(exist_ok=True)
    for unit in units:
        if command == "enable":
            (enabled / unit).touch()
            if "--now" in flags:
                start(unit)
        elif command == "disable":
            (enabled / unit).unlink(missing_ok=True)
            if "--now" in flags:
                stop(unit)
        elif command == "start":
            start(unit)
        elif command == "stop":
            stop(unit)
        elif command == "restart":
            stop(unit)
            start(unit)
        elif command == "is-active":
            active = bool(main_pid(unit))
            if "--quiet" not in flags:
                print("active" if active else "inactive")
            return 0 if active else 3
        elif command == "is-enabled":
            return 0 if (enabled / unit).exists() else 1
        elif command == "kill":
            name = next(f.split("=", 1)[1] for f in flags if f.startswith("--signal="))
            pid = main_pid(unit)
            if pid:
                os.kill(pid, signal.Signals[name if name.startswith("SIG") else f"SIG{name}"])
        else:
            print(f"fake systemctl: {command} is not supported", file=sys.stderr)
            return 1
    return 0


def write_wrapper(bin_dir: Path, units: Path, state: Path) -> Path:
    """An executable `systemctl` that runs this module with the given unit and state dirs."""
    state.mkdir(parents=True, exist_ok=True)
    path = bin_dir / "systemctl"
    path.write_text(
        "#!/bin/sh\n"
        f"FAKE_SYSTEMD_UNITS={shlex.quote(str(units))} FAKE_SYSTEMD_STATE={shlex.quote(str(state))} "
        f'exec {shlex.quote(sys.executable)} {shlex.quote(__file__)} "$@"\n'
    )
    path.chmod(0o755)
    return path


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
