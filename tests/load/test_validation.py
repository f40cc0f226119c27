"""Every class of bad input: the exact message and line, exit 1, and site/ left untouched."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CONFIG, Repo, tree_digest

UPDATE = """\
updates:
  - at: 2025-11-03T14:05:00Z
    status: investigating
    message: Looking into it.
"""
MAINT_UPDATE = UPDATE.replace("investigating", "scheduled")


def md(front: str) -> str:
    return "---\n" + front + "---\n"


NAME = "incidents/2025-11-03-x.md"
URL_HINT = "feeds and the API need it, e.g. https://status.example.com/"
AT_HINT = "give the address the site is published at, e.g. https://status.example.com/"
SLASHES_HINT = "a path starting '//' names another site to a browser; write the path as e.g. /status/"
SINCE_HINT = "write the first day the component was in service"
TAG_HINT = "remove the '!' tag; plain values are enough"
HINT_TIME = "write it with an offset, like 2025-11-03T14:05:00Z or 2025-11-03T15:05:00+01:00"

LANGUAGE_HINT = (
    "use a language code such as it, pt-BR or en-GB: the interface is translated to ar, cs, de, en, es, fr, he, hi, "
    "id, it, ja, ko, nl, pl, pt-BR, ru, sv, tr, uk, vi, zh-Hans"
)

# (case id, {path: text}, expected line of stderr)
CASES = [
    (
        "unknown-key",
        {NAME: md("title: X\nimpcat: major\n" + UPDATE)},
        f"{NAME}:3: unknown key 'impcat' (did you mean 'impact'?)",
    ),
    (
        "unknown-update-key",
        {NAME: md("title: X\n" + UPDATE + "    mesage: typo\n")},
        f"{NAME}:7: unknown key 'mesage' in update (did you mean 'message'?)",
    ),
    (
        "unknown-component",
        {NAME: md("title: X\ncomponents:\n  apj: partial_outage\n" + UPDATE)},
        f"{NAME}:4: unknown component 'apj' (did you mean 'api'?)",
    ),
    (
        "unknown-component-in-update",
        {NAME: md("title: X\n" + UPDATE + "    components: {wbe: major_outage}\n")},
        f"{NAME}:7: unknown component 'wbe' (did you mean 'web'?)",
    ),
    (
        "unknown-component-status",
        {NAME: md("title: X\ncomponents:\n  api: partial_outgae\n" + UPDATE)},
        f"{NAME}:4: unknown component status 'partial_outgae' (did you mean 'partial_outage'?)",
    ),
    (
        "under-maintenance-on-incident",
        {NAME: md("title: X\ncomponents:\n  api: under_maintenance\n" + UPDATE)},
        f"{NAME}:4: under_maintenance is set by maintenance windows, not incidents "
        "(write a maintenance file with kind: maintenance)",
    ),
    (
        "unknown-status",
        {NAME: md("title: X\n" + UPDATE.replace("investigating", "investigatin"))},
        f"{NAME}:5: unknown status 'investigatin' (did you mean 'investigating'?)",
    ),
    (
        "unknown-impact",
        {NAME: md("title: X\nimpact: severe\n" + UPDATE)},
        f"{NAME}:3: unknown impact 'severe' (one of: none, minor, major, critical)",
    ),
    ("missing-title", {NAME: md(UPDATE)}, f"{NAME}:2: missing 'title'"),
    ("empty-title", {NAME: md("title: ''\n" + UPDATE)}, f"{NAME}:2: title is empty"),
    ("missing-updates", {NAME: md("title: X\nimpact: minor\n")}, f"{NAME}:2: missing 'updates'"),
    (
        "empty-updates",
        {NAME: md("title: X\nupdates: []\n")},
        f"{NAME}:3: 'updates' must be a list with at least one update (each update has at, status and message)",
    ),
    (
        "missing-message",
        {NAME: md("title: X\nupdates:\n  - at: 2025-11-03T14:05:00Z\n    status: identified\n")},
        f"{NAME}:4: missing 'message' update",
    ),
    (
        "naive-time",
        {NAME: md("title: X\n" + UPDATE.replace("14:05:00Z", "14:05:00"))},
        f"{NAME}:4: time '2025-11-03T14:05:00' has no UTC offset ({HINT_TIME})",
    ),
    (
        "date-only",
        {NAME: md("title: X\n" + UPDATE.replace("T14:05:00Z", ""))},
        f"{NAME}:4: '2025-11-03' is a date, not a time ({HINT_TIME})",
    ),
    (
        "unparsable-time",
        {NAME: md("title: X\n" + UPDATE.replace("2025-11-03T14:05:00Z", "yesterday"))},
        f"{NAME}:4: unparsable time 'yesterday' ({HINT_TIME})",
    ),
    (
        "same-instant",
        {
            NAME: md(
                "title: X\n" + UPDATE + "  - at: 2025-11-03T15:05:00+01:00\n    status: resolved\n    message: Fixed.\n"
            )
        },
        f"{NAME}:7: two updates at the same instant (the update on line 4 has the same time)",
    ),
    (
        "duplicate-id",
        {NAME: md("title: X\n" + UPDATE), "incidents/2025-11-03-x.yaml": "title: Y\n" + UPDATE},
        "incidents/2025-11-03-x.yaml:1: duplicate incident id '2025-11-03-x' "
        f"({NAME} has the same name; rename one of them)",
    ),
    (
        "window-end-before-start",
        {
            NAME: md(
                "title: M\nkind: maintenance\ncomponents: [db]\n"
                "window: {start: 2025-12-01T04:00:00Z, end: 2025-12-01T02:00:00Z}\n" + MAINT_UPDATE
            )
        },
        f"{NAME}:5: maintenance window ends before it starts (check the date, and the offset of each time)",
    ),
    (
        "window-missing",
        {NAME: md("title: M\nkind: maintenance\n" + MAINT_UPDATE)},
        f"{NAME}:2: missing 'window' (maintenance needs window: {{start: ..., end: ...}})",
    ),
    (
        "maintenance-status-on-incident",
        {NAME: md("title: X\n" + MAINT_UPDATE)},
        f"{NAME}:5: 'scheduled' is a status for a maintenance, not this incident "
        "(add 'kind: maintenance' or use one of: investigating, identified, monitoring, resolved)",
    ),
    (
        "incident-status-on-maintenance",
        {
            NAME: md(
                "title: M\nkind: maintenance\n"
                "window: {start: 2025-12-01T02:00:00Z, end: 2025-12-01T04:00:00Z}\n" + UPDATE
            )
        },
        f"{NAME}:7: 'investigating' is a status for an incident, not this maintenance "
        "(remove 'kind: maintenance' or use one of: scheduled, in_progress, verifying, completed, cancelled)",
    ),
    (
        "impact-on-maintenance",
        {
            NAME: md(
                "title: M\nkind: maintenance\nimpact: major\n"
                "window: {start: 2025-12-01T02:00:00Z, end: 2025-12-01T04:00:00Z}\n" + MAINT_UPDATE
            )
        },
        f"{NAME}:4: unknown key 'impact' (allowed: body, components, hidden, kind, references, title, updates, window)",
    ),
    (
        "bad-yaml",
        {NAME: md("title: X\n" + UPDATE.replace("Looking into it.", "Cause: disk: full"))},
        f"{NAME}:6: invalid YAML: mapping values are not allowed in this context, column 19 "
        "(check indentation, and quote text that contains ': ' or starts with a symbol)",
    ),
    (
        "bad-yaml-indent",
        {"incidents/2025-11-03-x.yaml": "title: X\n updates: []\n"},
        "incidents/2025-11-03-x.yaml:2: invalid YAML: mapping values are not allowed in this context, column 9 "
        "(check indentation, and quote text that contains ': ' or starts with a symbol)",
    ),
    (
        "duplicate-key",
        {NAME: md("title: X\ntitle: Y\n" + UPDATE)},
        f"{NAME}:3: duplicate key 'title' (it is already set on line 2)",
    ),
    (
        "alias",
        {NAME: md("title: &t X\nimpact: minor\nreferences: [*t]\n" + UPDATE)},
        f"{NAME}:2: YAML anchors and aliases (&name, *name) are not supported (write the value out in full)",
    ),
    (
        "reference-not-a-link",
        {NAME: md("title: X\nreferences:\n  - https://example.com/1\n  - javascript:alert(1)\n" + UPDATE)},
        f"{NAME}:5: reference 'javascript:alert(1)' is not a web link "
        "(references are http:// or https:// links to tickets, pull requests or pages)",
    ),
    (
        "wrong-type",
        {NAME: md("title: X\nhidden: maybe\n" + UPDATE)},
        f"{NAME}:3: 'hidden' must be true or false, not 'maybe'",
    ),
    (
        "file-name",
        {"incidents/api-outage.md": md("title: X\n" + UPDATE)},
        "incidents/api-outage.md:1: file name must be YYYY-MM-DD-slug with a lowercase slug "
        "(e.g. incidents/2025-11-03-api-errors.md)",
    ),
    (
        "no-front-matter",
        {NAME: "title: X\n"},
        f"{NAME}:1: missing front matter (start the file with a line '---', the YAML keys, then another '---')",
    ),
    (
        "unclosed-front-matter",
        {NAME: "---\ntitle: X\n"},
        f"{NAME}:1: front matter is not closed (end the YAML keys with a line '---')",
    ),
    ("not-utf8", {NAME: None}, f"{NAME}:3: not UTF-8 text (save the file as UTF-8)"),
    (
        "bad-explicit-tag",
        {NAME: md("title: X\nhidden: !!bool maybe\n" + UPDATE)},
        f"{NAME}:3: invalid value 'maybe' for YAML tag 'tag:yaml.org,2002:bool' (remove the '!!' tag)",
    ),
    (
        "unclosed-quote",
        {NAME: md('title: "Elevated errors\n' + UPDATE)},
        f"{NAME}:2: invalid YAML: while scanning a quoted scalar, found unexpected end of stream, column 8 "
        "(check indentation, and quote text that contains ': ' or starts with a symbol)",
    ),
    (
        "unclosed-bracket",
        {NAME: md("title: X\n" + UPDATE.replace("Looking into it.", "[unclosed"))},
        f"{NAME}:6: invalid YAML: while parsing a flow sequence, did not find expected ',' or ']', column 14 "
        "(check indentation, and quote text that contains ': ' or starts with a symbol)",
    ),
    (
        "control-character",
        {NAME: md("title: X\n" + UPDATE.replace("Looking", "Look\x07ing"))},
        f"{NAME}:6: invalid YAML: character U+0007 is not allowed (remove the control character)",
    ),
    (
        "yaml-only-line-break",
        {NAME: md('title: "A\u2028B"\n' + UPDATE.replace("investigating", "investigatin"))},
        f"{NAME}:5: unknown status 'investigatin' (did you mean 'investigating'?)",
    ),
    (
        "deep-nesting",
        {NAME: md("title: X\nreferences: " + "[" * 50000 + "]" * 50000 + "\n" + UPDATE)},
        f"{NAME}:2: YAML nested more than 50 levels deep",
    ),
    (
        "year-out-of-range",
        {NAME: md("title: X\n" + UPDATE.replace("2025-11-03T14:05:00Z", "0001-01-01T00:00:00+01:00"))},
        f"{NAME}:4: time '0001-01-01T00:00:00+01:00' is out of range ({HINT_TIME})",
    ),
    *[
        (
            f"time-at-the-edge-{at}",
            {NAME: md("title: X\n" + UPDATE.replace("2025-11-03T14:05:00Z", at))},
            f"{NAME}:4: time '{at}' is out of range{years} ({HINT_TIME})",
        )
        for at, years in [
            ("0001-01-01T00:00:00-05:00", " (years 1970-2999)"),
            ("0001-01-01T00:00:00+05:00", ""),
            ("9999-12-31T23:59:59-05:00", ""),
            ("9999-12-31T23:59:59+05:00", " (years 1970-2999)"),
            ("1969-12-31T23:59:59Z", " (years 1970-2999)"),
            ("2999-12-31T23:59:59-00:01", " (years 1970-2999)"),
        ]
    ],
    (
        "window-far-future",
        {
            NAME: md(
                "title: M\nkind: maintenance\ncomponents: [db]\n"
                "window: {start: 2025-12-01T04:00:00Z, end: 9999-12-31T23:59:00Z}\n" + MAINT_UPDATE
            )
        },
        f"{NAME}:5: time '9999-12-31T23:59:00Z' is out of range (years 1970-2999) ({HINT_TIME})",
    ),
    (
        "same-second",
        {
            NAME: md(
                "title: X\n"
                + UPDATE.replace("14:05:00Z", "14:05:00.2Z")
                + "  - at: 2025-11-03T14:05:00.7Z\n    status: resolved\n    message: Fixed.\n"
            )
        },
        f"{NAME}:7: two updates at the same instant (the update on line 4 has the same time)",
    ),
    (
        "extension-typo",
        {"incidents/2025-11-03-x.MD": md("title: X\n" + UPDATE)},
        "incidents/2025-11-03-x.MD:1: not an incident file: '2025-11-03-x.MD' "
        "(incident files end in .md (markdown with front matter) or .yaml)",
    ),
    (
        "tag-set",
        {NAME: md("title: X\nreferences: !!set {https://a.example/, https://b.example/}\n" + UPDATE)},
        f"{NAME}:3: unsupported YAML tag 'tag:yaml.org,2002:set' ({TAG_HINT})",
    ),
    (
        "tag-omap",
        {NAME: md("title: X\nreferences: !!omap\n  - a: https://a.example/\n" + UPDATE)},
        f"{NAME}:3: unsupported YAML tag 'tag:yaml.org,2002:omap' ({TAG_HINT})",
    ),
    (
        "tag-python-object-on-a-mapping",
        {NAME: md("title: X\ncomponents: !!python/object/new:os.system\n  args: [touch pwned]\n" + UPDATE)},
        f"{NAME}:3: unsupported YAML tag 'tag:yaml.org,2002:python/object/new:os.system' ({TAG_HINT})",
    ),
    (
        "tag-python-object-on-a-list",
        {NAME: md("title: X\nreferences: !!python/object/apply:os.system [ls]\n" + UPDATE)},
        f"{NAME}:3: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' ({TAG_HINT})",
    ),
    (
        "tag-local-on-a-mapping",
        {NAME: md("title: X\ncomponents: !custom {api: major_outage}\n" + UPDATE)},
        f"{NAME}:3: unsupported YAML tag '!custom' ({TAG_HINT})",
    ),
    (
        "tag-on-an-update",
        {NAME: md("title: X\n" + UPDATE.replace("  - at:", "  - !update\n    at:"))},
        f"{NAME}:4: unsupported YAML tag '!update' ({TAG_HINT})",
    ),
    (
        "tag-on-the-document",
        {"incidents/2025-11-03-x.yaml": "--- !incident\ntitle: X\n" + UPDATE},
        f"incidents/2025-11-03-x.yaml:1: unsupported YAML tag '!incident' ({TAG_HINT})",
    ),
    (
        "tag-binary-scalar",
        {NAME: md("title: !!binary aGVsbG8=\n" + UPDATE)},
        f"{NAME}:2: unsupported YAML tag 'tag:yaml.org,2002:binary' ({TAG_HINT})",
    ),
    (
        "tag-local-scalar",
        {NAME: md("title: !custom X\n" + UPDATE)},
        f"{NAME}:2: unsupported YAML tag '!custom' ({TAG_HINT})",
    ),
    (
        "tag-python-name-scalar",
        {NAME: md("title: X\nhidden: !!python/name:os.system ''\n" + UPDATE)},
        f"{NAME}:3: unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system' ({TAG_HINT})",
    ),
    (
        "tag-on-a-key",
        {NAME: md("title: X\n!!python/str impact: minor\n" + UPDATE)},
        f"{NAME}:3: unsupported YAML tag 'tag:yaml.org,2002:python/str' ({TAG_HINT})",
    ),
    (
        "config-tag-on-site",
        {"statusgen.yaml": CONFIG.replace("site:", "site: !!python/object/new:statusgen.Site")},
        f"statusgen.yaml:1: unsupported YAML tag 'tag:yaml.org,2002:python/object/new:statusgen.Site' ({TAG_HINT})",
    ),
    (
        "config-tag-on-components",
        {"statusgen.yaml": CONFIG.replace("components:", "components: !!set")},
        f"statusgen.yaml:6: unsupported YAML tag 'tag:yaml.org,2002:set' ({TAG_HINT})",
    ),
    *[
        (
            f"config-since-{value}",
            {"statusgen.yaml": CONFIG.replace("    name: Public API\n", f"    name: Public API\n    since: {value}\n")},
            f"statusgen.yaml:9: {message}",
        )
        for value, message in [
            ("0001-01-01", f"'since' must be a day from 1970-01-01 to 2999-12-31, not 0001-01-01 ({SINCE_HINT})"),
            ("1969-12-31", f"'since' must be a day from 1970-01-01 to 2999-12-31, not 1969-12-31 ({SINCE_HINT})"),
            ("3000-01-01", f"'since' must be a day from 1970-01-01 to 2999-12-31, not 3000-01-01 ({SINCE_HINT})"),
            ("9999-12-31", f"'since' must be a day from 1970-01-01 to 2999-12-31, not 9999-12-31 ({SINCE_HINT})"),
            ("2024-02-30", "'since' must be a date like 2025-01-31, not '2024-02-30'"),
            ("20240101", "'since' must be a date like 2025-01-31, not 20240101"),
            ("2024-W01-1", "'since' must be a date like 2025-01-31, not '2024-W01-1'"),
            ("2024-01-01T00:00:00Z", "'since' must be a date like 2025-01-31, not '2024-01-01T00:00:00Z'"),
        ]
    ],
    (
        "config-url-malformed",
        {"statusgen.yaml": CONFIG.replace("https://status.example.com/", '"https://[::1/"')},
        "statusgen.yaml:3: site url 'https://[::1/' is not a valid URL "
        "(feeds and the API need it, e.g. https://status.example.com/)",
    ),
    (
        "config-url-query",
        {"statusgen.yaml": CONFIG.replace("https://status.example.com/", '"https://x.com/?v=1#top"')},
        "statusgen.yaml:3: site url must not have a query or fragment: 'https://x.com/?v=1#top' "
        "(give the address the site is published at, e.g. https://status.example.com/)",
    ),
    (
        "config-url-newline",
        {"statusgen.yaml": CONFIG.replace("https://status.example.com/", '"https://x.com/\\nDisallow: /\\n"')},
        f"statusgen.yaml:3: site url must not contain spaces, line breaks or control characters ({URL_HINT})",
    ),
    *[
        (
            f"config-url-{case}",
            {"statusgen.yaml": CONFIG.replace("https://status.example.com/", json.dumps(url))},
            f"statusgen.yaml:3: {message}",
        )
        for case, url, message in [
            (
                "credentials",
                "https://user:s3cret@status.example.com/",
                "site url must not hold a user name or password: 'https://user:s3cret@status.example.com/' (it is "
                "published on every page and feed; give the address readers use, e.g. https://status.example.com/)",
            ),
            (
                "empty-user",
                "https://@status.example.com/",
                "site url must not hold a user name or password: 'https://@status.example.com/' (it is "
                "published on every page and feed; give the address readers use, e.g. https://status.example.com/)",
            ),
            (
                "path-naming-another-host",
                "https://status.example.com//evil.example/",
                f"site url path must not contain '//': 'https://status.example.com//evil.example/' ({SLASHES_HINT})",
            ),
            (
                "empty-path-segment",
                "https://status.example.com/a//b/",
                f"site url path must not contain '//': 'https://status.example.com/a//b/' ({SLASHES_HINT})",
            ),
            (
                "dot-segment",
                "https://status.example.com/a/../b/",
                "site url path must not contain '.' or '..' segments: "
                f"'https://status.example.com/a/../b/' ({AT_HINT})",
            ),
            (
                "fragment",
                "https://status.example.com/#top",
                f"site url must not have a query or fragment: 'https://status.example.com/#top' ({AT_HINT})",
            ),
            (
                "query-without-path",
                "https://status.example.com?x",
                f"site url must not have a query or fragment: 'https://status.example.com?x' ({AT_HINT})",
            ),
            (
                "backslash",
                "https://status.example.com\\@evil.example/",
                f"site url must not contain '\\\\': 'https://status.example.com\\\\@evil.example/' ({AT_HINT})",
            ),
            (
                "angle-bracket",
                "https://status.example.com/<b>/",
                f"site url must not contain '<': 'https://status.example.com/<b>/' ({AT_HINT})",
            ),
            (
                "tab",
                "https://status.example.com/a\tb/",
                f"site url must not contain spaces, line breaks or control characters ({URL_HINT})",
            ),
            (
                "c1-control",
                "https://status.example.com/\x85b/",
                f"site url must not contain spaces, line breaks or control characters ({URL_HINT})",
            ),
            (
                "bidi-override",
                "https://status.example.com/\u202emoc.live",
                f"site url must not contain spaces, line breaks or control characters ({URL_HINT})",
            ),
            (
                "ftp",
                "ftp://status.example.com/",
                f"site url must start with https:// or http://, not 'ftp://status.example.com/' ({URL_HINT})",
            ),
            (
                "javascript",
                "javascript://status.example.com/%0aalert(1)",
                "site url must start with https:// or http://, not 'javascript://status.example.com/%0aalert(1)' "
                f"({URL_HINT})",
            ),
            (
                "scheme-only",
                "javascript:alert(1)",
                f"site url must be absolute, not 'javascript:alert(1)' ({URL_HINT})",
            ),
            (
                "scheme-relative",
                "//status.example.com/",
                f"site url must be absolute, not '//status.example.com/' ({URL_HINT})",
            ),
            ("no-host", "https:///status/", f"site url has no host name: 'https:///status/' ({URL_HINT})"),
            ("port-without-host", "https://:8080/", f"site url has no host name: 'https://:8080/' ({URL_HINT})"),
            (
                "port-not-a-number",
                "https://status.example.com:http/",
                f"site url port must be a number from 1 to 65535, not 'http' ({AT_HINT})",
            ),
            (
                "port-too-large",
                "https://status.example.com:65536/",
                f"site url port must be a number from 1 to 65535, not '65536' ({AT_HINT})",
            ),
            (
                "port-empty",
                "https://status.example.com:/",
                f"site url port must be a number from 1 to 65535, not '' ({AT_HINT})",
            ),
        ]
    ],
    (
        "config-huge-duration",
        {"statusgen.yaml": CONFIG + "policy:\n  update_every: {critical: 9999999999d}\n"},
        "statusgen.yaml:16: duration '9999999999d' is longer than ten years (write it like 30m, 1h, 4h or 5d)",
    ),
    (
        "config-notify-not-a-list",
        {"statusgen.yaml": CONFIG + "notify: 5\n"},
        "statusgen.yaml:15: 'notify' must be a list of targets (each target has a type, e.g. - type: slack)",
    ),
    (
        "config-notify-unknown-key",
        {
            "statusgen.yaml": CONFIG + "notify:\n  - type: email\n    smtp_env: S\n"
            "    from: a@example.com\n    to: b@example.com\n    subjet: x\n"
        },
        "statusgen.yaml:20: unknown key 'subjet' in email target "
        "(allowed: components, from, language, smtp_env, to, type, url_env)",
    ),
    (
        "config-unknown-key",
        {"statusgen.yaml": CONFIG.replace("  title:", "  titel:")},
        "statusgen.yaml:2: unknown key 'titel' in site (did you mean 'title'?)",
    ),
    (
        "config-unknown-top-key",
        {"statusgen.yaml": CONFIG + "polcy: {}\n"},
        "statusgen.yaml:15: unknown key 'polcy' (did you mean 'policy'?)",
    ),
    (
        "config-relative-url",
        {"statusgen.yaml": CONFIG.replace("https://status.example.com/", "status.example.com")},
        "statusgen.yaml:3: site url must be absolute, not 'status.example.com' "
        "(feeds and the API need it, e.g. https://status.example.com/)",
    ),
    (
        "config-timezone",
        {"statusgen.yaml": CONFIG.replace("Europe/Rome", "Europe/Rom")},
        "statusgen.yaml:5: unknown timezone 'Europe/Rom' (did you mean 'Europe/Rome'?)",
    ),
    (
        "config-language",
        {"statusgen.yaml": CONFIG.replace("  timezone:", "  language: xx-nope\n  timezone:")},
        f"statusgen.yaml:5: unknown language 'xx-nope' ({LANGUAGE_HINT})",
    ),
    (
        "config-language-not-a-code",
        {"statusgen.yaml": CONFIG.replace("  timezone:", "  language: Italian\n  timezone:")},
        f"statusgen.yaml:5: 'Italian' is not a language code ({LANGUAGE_HINT})",
    ),
    (
        "config-language-untranslated",
        {"statusgen.yaml": CONFIG.replace("  timezone:", "  language: el\n  timezone:")},
        f"statusgen.yaml:5: statusgen has no translation to Greek ('el') yet ({LANGUAGE_HINT}; see 'Languages' in the "
        "README to add one)",
    ),
    (
        "config-languages-default",
        {"statusgen.yaml": CONFIG.replace("  timezone:", "  languages:\n    - it\n    - en\n  timezone:")},
        "statusgen.yaml:7: language 'en' is the default language (list each other language once, not the default)",
    ),
    (
        "config-languages-twice",
        {"statusgen.yaml": CONFIG.replace("  timezone:", "  languages: [pt-BR, de, pt_BR]\n  timezone:")},
        "statusgen.yaml:5: language 'pt_BR' is listed already (list each other language once, not the default)",
    ),
    (
        "config-languages-unknown",
        {"statusgen.yaml": CONFIG.replace("  timezone:", "  languages:\n    - de\n    - zz\n  timezone:")},
        f"statusgen.yaml:7: unknown language 'zz' ({LANGUAGE_HINT})",
    ),
    (
        "config-languages-not-a-list",
        {"statusgen.yaml": CONFIG.replace("  timezone:", "  languages: it\n  timezone:")},
        "statusgen.yaml:5: 'languages' must be a list of text values",
    ),
    (
        "config-notify-language",
        {"statusgen.yaml": CONFIG + "notify:\n  - type: slack\n    url_env: S\n    language: klingon\n"},
        f"statusgen.yaml:18: 'klingon' is not a language code ({LANGUAGE_HINT})",
    ),
    (
        "config-duplicate-component",
        {"statusgen.yaml": CONFIG + "  - id: api\n    name: Again\n"},
        "statusgen.yaml:15: duplicate component id 'api' (already used on line 7)",
    ),
    (
        "config-component-id",
        {"statusgen.yaml": CONFIG.replace("id: db", "id: Data Base")},
        "statusgen.yaml:13: component id 'Data Base' must use only a-z, 0-9 and '-' "
        "(ids appear in URLs and the API, e.g. public-api)",
    ),
    (
        "config-missing-name",
        {"statusgen.yaml": CONFIG.replace("    name: Database\n", "")},
        "statusgen.yaml:13: missing 'name' component",
    ),
    (
        "config-bad-duration",
        {"statusgen.yaml": CONFIG + "policy:\n  update_every: {critical: soon}\n"},
        "statusgen.yaml:16: unparsable duration 'soon' (write it like 30m, 1h, 4h or 5d)",
    ),
    (
        "config-unknown-notify-component",
        {"statusgen.yaml": CONFIG + "notify:\n  - type: slack\n    url_env: SLACK_URL\n    components: [dbb]\n"},
        "statusgen.yaml:18: unknown component 'dbb' (did you mean 'db'?)",
    ),
    (
        "config-theme",
        {"statusgen.yaml": CONFIG.replace("  timezone:", "  theme: fancy\n  timezone:")},
        "statusgen.yaml:5: theme 'fancy' not found (create themes/fancy/templates/, or use theme: default)",
    ),
    (
        "config-long-component-id",
        {"statusgen.yaml": CONFIG.replace("id: db", "id: " + "d" * 101)},
        "statusgen.yaml:13: component id is 101 characters long; the limit is 100 "
        "(ids appear in URLs and file names: keep them short, e.g. public-api)",
    ),
    (
        "config-announcement-cost",
        {"statusgen.yaml": CONFIG.replace("  timezone:", "  announcement: '" + "[" * 3000 + "'\n  timezone:")},
        "statusgen.yaml:5: too much markup to render: '[' with its ']' far away or missing, in a long paragraph "
        "(close each '[' soon, write \\[ for a bracket that opens nothing, or put logs between ``` lines)",
    ),
    (
        "config-announcement-nesting",
        {"statusgen.yaml": CONFIG.replace("  timezone:", "  announcement: '" + "- " * 60 + "x'\n  timezone:")},
        "statusgen.yaml:5: markdown nested more than 50 levels deep (write the announcement as a line of text)",
    ),
]


@pytest.mark.parametrize("files, expected", [pytest.param(f, e, id=i) for i, f, e in CASES])
def test_bad_input_is_reported_and_nothing_written(
    repo: Repo, files: dict[str, str | None], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.build() == 0
    before = tree_digest(repo.site)
    for name, text in files.items():
        if text is None:
            (repo.root / name).write_bytes(b"---\ntitle: X\nbad: caf\xe9\n---\n")
        else:
            (repo.root / name).write_text(text, encoding="utf-8")
    capsys.readouterr()

    assert repo.build() == 1
    err = capsys.readouterr().err.splitlines()
    assert expected in err
    assert err[-1].endswith("error(s); nothing was written")
    assert "Traceback" not in "\n".join(err)
    assert tree_digest(repo.site) == before

    assert repo.run("check") == 1
    assert expected in capsys.readouterr().err.splitlines()


def test_all_errors_are_reported_at_once(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.incident("2025-11-04-a.md", md("title: A\nimpact: bad\n" + UPDATE))
    repo.incident("2025-11-05-b.md", md("title: B\ncomponents: {apj: major_outage}\n" + UPDATE))
    assert repo.run("check") == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "incidents/2025-11-04-a.md:3: unknown impact 'bad' (one of: none, minor, major, critical)",
        "incidents/2025-11-05-b.md:3: unknown component 'apj' (did you mean 'api'?)",
        "2 error(s); nothing was written",
    ]


def test_missing_config_is_an_error_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scratch = Repo(tmp_path)
    assert scratch.run("check") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no statusgen.yaml here" in err
    assert "Traceback" not in err


def test_broken_symlink_is_reported(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.root / "incidents/2025-11-04-gone.md").symlink_to(repo.root / "incidents/missing.md")
    assert repo.run("check") == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "incidents/2025-11-04-gone.md:1: broken symlink: what it points to is missing "
        "(restore its target, or remove the link)"
    )


def test_notify_errors_are_reported_once(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.config(CONFIG + "notify:\n  - type: webhook\n    url_env: HOOK\n    colour: red\n")
    assert repo.run("check") == 1
    assert capsys.readouterr().err.count("unknown key 'colour'") == 1


def test_closing_front_matter_may_have_trailing_spaces(repo: Repo) -> None:
    repo.incident("2025-11-05-x.md", md("title: X\n" + UPDATE).replace("---\n", "---  \n"))
    assert repo.run("check") == 0


@pytest.mark.parametrize(
    "env, argv, message",
    [
        ({}, ["--now", "0001-01-01T00:00:00+01:00"], "--now: time '0001-01-01T00:00:00+01:00' is out of range"),
        ({}, ["--now", "@99999999999999999999"], "--now: 99999999999999999999 seconds since 1970 is out of range"),
        ({}, ["--now", "9999-12-31T23:59:00Z"], "--now: time '9999-12-31T23:59:00Z' is out of range"),
        ({"SOURCE_DATE_EPOCH": "99999999999999999999"}, [], "SOURCE_DATE_EPOCH: 99999999999999999999 seconds"),
        ({"SOURCE_DATE_EPOCH": "yesterday"}, [], "SOURCE_DATE_EPOCH: SOURCE_DATE_EPOCH must be whole seconds"),
    ],
)
def test_bad_now_is_a_usage_error(
    repo: Repo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    argv: list[str],
    message: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert repo.run("build", *argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not repo.site.exists()


def test_reopen_is_allowed(repo: Repo) -> None:
    repo.incident(
        "2025-11-05-flaky.md",
        md(
            "title: Flaky\ncomponents: {web: degraded_performance}\n"
            + UPDATE
            + "  - at: 2025-11-05T10:00:00Z\n    status: resolved\n    message: Fixed.\n"
            + "  - at: 2025-11-05T11:00:00Z\n    status: investigating\n    message: It is back.\n"
        ),
    )
    assert repo.run("check", "--now", "2025-11-05T12:00:00Z") == 0


def test_the_standard_tags_of_plain_values_are_accepted(repo: Repo) -> None:
    """Tags that only say what a value already is (!!map, !!seq, !!str...) change nothing."""
    repo.incident(
        "2025-11-05-tagged.md",
        md(
            "title: !!str Tagged\ncomponents: !!map {web: degraded_performance}\nreferences: !!seq [https://a.example/]\n"
            "hidden: !!bool false\n" + UPDATE
        ),
    )
    assert repo.build() == 0
    assert "<h1>Tagged</h1>" in repo.page("incidents/2025-11-05-tagged/index.html")


@pytest.mark.parametrize(
    "url, published, base",
    [
        ("https://status.example.com", "https://status.example.com/", "/"),
        ("https://example.com/status", "https://example.com/status/", "/status/"),
        ("http://[::1]:8443/a/b/", "http://[::1]:8443/a/b/", "/a/b/"),
        ("HTTPS://Status.Example.com:443/", "HTTPS://Status.Example.com:443/", "/"),
    ],
)
def test_site_url_forms_that_are_accepted(repo: Repo, url: str, published: str, base: str) -> None:
    repo.config(CONFIG.replace("https://status.example.com/", json.dumps(url)))
    assert repo.build() == 0
    assert f'<link rel="stylesheet" href="{base}static/style.css' in repo.page("404.html")
    assert json.loads(repo.page("api/v2/status.json"))["page"]["url"] == published.rstrip("/")


HEX = "0x" + "f" * 3600
SEXAGESIMAL = "1" + ":00" * 3000
NUMBER_HINT = "quote it if it is text"


@pytest.mark.parametrize("fmt", ["text", "github"])
@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize(
    "where, value, line",
    [
        ("title", HEX, 2),
        ("title", SEXAGESIMAL, 2),
        ("impact", "1" + "0" * 5000, 3),
        ("title", "1." + "5" * 200, 2),
        ("since", SEXAGESIMAL, 0),
        ("key", HEX, 3),
    ],
)
def test_numbers_too_long_to_read_are_refused_at_their_line(
    repo: Repo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    fmt: str,
    where: str,
    value: str,
    line: int,
) -> None:
    if where == "since":
        repo.config(
            CONFIG.replace(
                "    group: Platform\n  - id: web", f"    group: Platform\n    since: {value}\n  - id: web", 1
            )
        )
        path, line = "statusgen.yaml", CONFIG.splitlines().index("  - id: web") + 1
    else:
        text = (
            f"title: {value}\nimpact: major\n"
            if where == "title"
            else f"title: X\nimpact: {value}\n"
            if where == "impact"
            else f"title: X\n? {value}\n: 1\n"
        )
        repo.incident("2025-11-03-x.md", md(text + UPDATE))
        path = NAME
    if command == "build" and fmt == "github":
        return
    before = tree_digest(repo.site)
    monkeypatch.chdir(repo.root)
    capsys.readouterr()
    extra = ["--format", fmt] if command == "check" else []
    assert repo.run(command, "--now", "2025-11-10T12:00:00Z", *extra) == 1
    out, err = capsys.readouterr()
    message = f"a number of {len(value):,} characters; the limit is 100"
    if fmt == "github":
        assert (out, err) == (
            f"::error file={path},line={line},title=statusgen::{message} ({NUMBER_HINT})\n",
            "1 error(s)\n",
        )
    else:
        assert err.splitlines() == [f"{path}:{line}: {message} ({NUMBER_HINT})", "1 error(s); nothing was written"]
    assert tree_digest(repo.site) == before


def test_long_numbers_are_never_handed_to_the_number_constructors(monkeypatch: pytest.MonkeyPatch) -> None:
    """PyYAML builds an integer from "1:00:00..." in time quadratic in its length: a 1 MB file of
    them would take seconds. Such text is refused before any constructor sees it."""
    import yaml

    from statusgen.errors import StatusgenError
    from statusgen.load import yamltext

    seen: list[int] = []
    constructors = yaml.constructor.SafeConstructor.yaml_constructors
    for tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        original = constructors[tag]

        def counting(
            loader: yaml.constructor.SafeConstructor,
            node: yaml.ScalarNode,
            original: Callable[[yaml.constructor.SafeConstructor, yaml.ScalarNode], object] = original,
        ) -> object:
            seen.append(len(node.value))
            return original(loader, node)

        monkeypatch.setitem(constructors, tag, counting)
    assert yamltext.load("a: 1:00:00\nb: 0x1f\nc: 1.5\n", "x.yaml") == {"a": 3600, "b": 31, "c": 1.5}
    assert seen == [7, 4, 3]
    seen.clear()
    text = "".join(f"k{i}: 1{':00' * 33}\n" for i in range(1000)) + "big: 1" + ":00" * 300_000 + "\n"
    with pytest.raises(StatusgenError) as caught:
        yamltext.load(text, "x.yaml")
    assert str(caught.value) == f"x.yaml:1001: a number of 900,001 characters; the limit is 100 ({NUMBER_HINT})"
    assert seen == [100] * 1000
