"""Outlet page templates: ``render(story)`` picks the story's template; ``debris(story)`` lists the
chrome text of that page that must not survive extraction."""

from __future__ import annotations

from devkit.fixture_web.model import Story
from devkit.fixture_web.templates import morocco, qatar

RENDERERS = {**morocco.RENDERERS, **qatar.RENDERERS}
DEBRIS = {**morocco.DEBRIS, **qatar.DEBRIS}


def render(story: Story) -> str:
    return RENDERERS[story.template](story)


def debris(story: Story) -> tuple[str, ...]:
    extra = (story.title,) if story.title_in_body else ()
    return tuple(dict.fromkeys(DEBRIS[story.template] + story.page_debris + extra))
