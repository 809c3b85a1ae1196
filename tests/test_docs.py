"""The README is part of the product: it must name every command and setting that exists."""

import re
from pathlib import Path

import click
import pytest

from becoming.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
REFERENCE = README.split("## Command-line reference", 1)[1].split("\n## ", 1)[0]


def command_paths(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, path)
        else:
            yield path, command


def test_every_command_and_option_is_in_the_readme():
    for path, command in command_paths(main):
        line = next((ln for ln in REFERENCE.splitlines() if ln.startswith("becoming " + " ".join(path) + " ")
                     or ln == "becoming " + " ".join(path)), None)
        assert line is not None, f"README's command reference lacks `becoming {' '.join(path)}`"
        block = REFERENCE[REFERENCE.index(line):].split("\n", 3)
        shown = "\n".join(block[:3])
        for param in command.params:
            opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
            if opts and "--help" not in opts:
                assert any(o in shown for o in opts), f"README's `becoming {' '.join(path)}` lacks {opts}"


def test_every_environment_setting_is_in_the_readme():
    settings_py = (Path(__file__).resolve().parents[1] / "src" / "becoming" / "settings.py").read_text()
    names = set(re.findall(r'env_(?:bool|int)\("([A-Z_]+)"', settings_py))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_py))
    names -= {"BECOMING_FAST_HASHER", "BECOMING_JOBS_IMMEDIATE", "EMAIL_BACKEND"}
    for name in sorted(names):
        assert f"`{name}`" in README, f"README's configuration table lacks {name}"


@pytest.mark.once
def test_the_readme_walkthrough_works_when_followed_literally(tmp_path):
    """Runs the README's first command-line block as written, in a copy of its folder layout."""
    import os
    import socket
    import subprocess
    import time
    import urllib.request

    from support import TELCO, need_data

    need_data(TELCO)
    root = Path(__file__).resolve().parents[1]
    # The copy below shares this .venv: with a stale one, `make venv` would reinstall Becoming
    # into it from the temporary copy. `make test` (and CI) bring it up to date first.
    import hashlib

    stamp = hashlib.md5((root / "pyproject.toml").read_bytes()).hexdigest()[:12]  # as the Makefile
    assert (root / ".venv" / f".installed-{stamp}").exists(), (
        ".venv is older than pyproject.toml: run `make venv` (as `make test` does) first")
    block = README.split("## A first workspace, from the command line", 1)[1]
    block = block.split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [ln for ln in block.splitlines() if ln.strip()]
    assert lines[-1].startswith("becoming serve")
    # The walkthrough runs from the repository's folder with ../shared beside it: the same here,
    # with links, so its files (telco-home, stages.csv) land in tmp_path.
    repo = tmp_path / "becoming"
    repo.mkdir()
    for name in ("Makefile", "pyproject.toml", "src", ".venv"):
        (repo / name).symlink_to(root / name)
    (tmp_path / "shared").symlink_to(TELCO.parents[2])
    env = {k: v for k, v in os.environ.items() if k not in ("BECOMING_HOME", "VIRTUAL_ENV")}
    env["PATH"] = "/usr/bin:/bin:/usr/local/bin"  # no .venv on the PATH until the README says so
    script = "set -e\n" + "\n".join(lines[:-1]) + "\n"
    done = subprocess.run(["bash", "-c", script], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "telco" in done.stdout
    stages = (repo / "stages.csv").read_text().splitlines()
    assert (len(stages) - 1) % 7043 == 0 and stages[0].startswith('"customer_id"')

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve = lines[-1].split("#", 1)[0].strip() + f" --port {port}"
    server = subprocess.Popen(["bash", "-c", f". .venv/bin/activate && export BECOMING_HOME=$PWD/telco-home && exec {serve}"],
                              cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("`becoming serve` did not answer")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_every_command_a_page_suggests_runs():
    """Empty states and hints show commands to copy: each must parse as the CLI defines it."""
    import html

    templates = Path(__file__).resolve().parents[1] / "src" / "becoming"
    shown = []
    for path in templates.rglob("templates/**/*.html"):
        for code in re.findall(r"<code>(becoming [^<]+)</code>", path.read_text()):
            shown.append((path.name, html.unescape(code)))
    assert len(shown) >= 5
    for name, command in shown:
        text = re.sub(r"\{\{[^}]+\}\}", "acme", command)
        args = text.split()[1:]
        group, cmd_args = main, list(args)
        while isinstance(group, click.Group) and cmd_args and cmd_args[0] in group.commands:
            group = group.commands[cmd_args.pop(0)]
        assert not isinstance(group, click.Group), f"{name}: `{command}` names no command"
        if "EMAIL" in cmd_args or "ROLE" in cmd_args:  # placeholders a person fills in
            cmd_args = [{"EMAIL": "me@example.com", "ROLE": "member"}.get(a, a) for a in cmd_args]
        try:
            group.make_context(group.name, cmd_args)
        except click.UsageError as exc:
            raise AssertionError(f"{name}: `{command}` does not run: {exc.format_message()}") from None
