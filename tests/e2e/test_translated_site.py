"""A site with a translated incident: its page in the other language shows the translation, and
what is not translated yet in the default language, marked with that language."""

from __future__ import annotations

import re

from conftest import CONFIG, Repo

ID = "2025-11-03-api-errors"
TRANSLATION = """\
---
title: Tassi di errore elevati sull'API
updates:
  - at: 2025-11-03T15:05:00+01:00
    message: Stiamo indagando su tassi di errore elevati sull'API pubblica.
---
"""


def update_item(page: str, anchor: str) -> str:
    found = re.search(rf'<li id="{anchor}">(.*?)</li>\s*(?:<li id=|</ol>)', page, re.S)
    assert found is not None, anchor
    return found.group(1)


def test_the_italian_page_shows_the_translation_and_marks_the_rest_english(repo: Repo) -> None:
    repo.config(CONFIG.replace("  timezone: Europe/Rome\n", "  timezone: Europe/Rome\n  languages: [it]\n"))
    repo.incident(f"{ID}.it.md", TRANSLATION)
    assert repo.build() == 0
    page = repo.page(f"it/incidents/{ID}/index.html")
    assert "<h1>Tassi di errore elevati sull&#39;API</h1>" in page
    first = update_item(page, "update-20251103t140500z")
    assert '<div class="message"><p>Stiamo indagando su tassi di errore elevati sull\'API pubblica.</p></div>' in first
    last = update_item(page, "update-20251103t152000z")
    assert '<div class="message" lang="en"><p>Error rates are back to normal.</p></div>' in last
    # The default language's page is as the incident's own file has it.
    english = repo.page(f"incidents/{ID}/index.html")
    assert "<h1>Elevated API error rates</h1>" in english
    assert "Stiamo indagando" not in english
