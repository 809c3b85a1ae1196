"""The README is part of the product: it must name every command and setting that exists."""

import re
from pathlib import Path

import click

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
