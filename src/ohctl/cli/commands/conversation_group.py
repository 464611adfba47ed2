"""``ohctl conversations VERB``: the noun-then-verb form of the top-level conversation commands
(``ohctl conversations list`` is ``ohctl list``)."""

from __future__ import annotations

import click

from .conversations import delete, list_command, open_command, rename, show
from .download import download
from .send import send
from .watching import events, watch


@click.group("conversations")
def conversations_group() -> None:
    """Conversations: list, show, events, watch, send, download, rename, delete, open."""


for _command in (list_command, show, events, watch, send, download, rename, delete, open_command):
    conversations_group.add_command(_command)
