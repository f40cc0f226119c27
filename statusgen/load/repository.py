"""The load stage's entry point: a whole status repository, read and checked at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from statusgen.errors import Problem, ValidationFailed
from statusgen.load import messages
from statusgen.load.config import Config, load_config, theme_path_problems
from statusgen.load.incidents import Incident, ParseCache, TranslationFile, load_incidents
from statusgen.load.translations import Translation, load_translations
from statusgen.load.upstream import UpstreamState, upstream_states
from statusgen.theme import checks, files

# Opens the build cache of the repository at a root, for its config, once the config is loaded.
CacheOpener = Callable[[Path, Config], ParseCache]


@dataclass(frozen=True)
class Repository:
    """Everything loaded from a status repository."""

    config: Config
    incidents: tuple[Incident, ...]
    # Each language's translations of incidents, by incident id.
    translations: dict[str, dict[str, Translation]] = field(default_factory=dict)
    cache: ParseCache | None = field(default=None, compare=False, repr=False)
    # The other status pages shown beside the components, as last fetched (statusgen.load.upstream).
    upstream: tuple[UpstreamState, ...] = ()
    warnings: list[Problem] = field(default_factory=list)  # what the build reports but builds anyway


def load_repository(root: Path, publishing: bool = True, cache: CacheOpener | None = None) -> Repository:
    """Load and validate a status repository; raise ValidationFailed with every problem found.

    ``publishing`` adds the checks that only matter for what goes live (template text left in a
    file); the editing commands leave them out, so a half-written incident can still be edited.
    With ``cache``, which opens the build cache for the config once it is loaded, files parsed by
    an earlier build are not parsed again.
    """
    problems: list[Problem] = []
    config = load_config(root, problems)
    # The theme is read (into the cache's fingerprint, then checked) only once the links on the
    # way to it and under it are known to stay in the repository; load_config reported the former.
    name = config.site.theme if config is not None else None
    reachable = name is not None and not theme_path_problems(root, name)
    links = files.link_problems(root, f"themes/{name}") if reachable and (publishing or cache is not None) else []
    problems += links
    store = cache(root, config) if cache is not None and config is not None and not problems else None
    translation_files: list[TranslationFile] = []
    incidents = load_incidents(root, config, problems, store, translation_files)
    translations = load_translations(root, translation_files, incidents, config, problems) if config is not None else {}
    hidden = {i.id for i in incidents if i.hidden}
    for incident in incidents if publishing else ():
        if not incident.hidden:  # cached or not: what is published is checked every time
            problems += messages.left_in(incident)
    for by_id in translations.values() if publishing else ():
        problems += [p for iid, t in by_id.items() if iid not in hidden for p in messages.left_in_translation(t)]
    if publishing and name is not None and reachable and not links:
        problems += checks.theme_problems(root, name)
    # Documents in the repository are read here; what is fetched is the build's to add.
    upstream = upstream_states(root, config.upstream, problems, kept={}) if config is not None else []
    warnings = [p for p in problems if p.warning]
    problems = [p for p in problems if not p.warning]
    if problems or config is None:
        raise ValidationFailed(problems)
    return Repository(config, tuple(incidents), translations, cache=store, upstream=tuple(upstream), warnings=warnings)
