"""Body lines that page structure, not wording, shows to be furniture.

``transforms.clean`` drops debris by its wording, which only covers the wordings it knows. These two
tests need no wording: a trailing run of lines that are each the whole text of a link on the page
(teasers of other articles after the text), and short lines that the page's own JSON-LD
``articleBody`` does not contain (labels, promos and credits around the text). Measured on
trafilatura's benchmark split in two halves by URL hash, each kept only when it removed more
boilerplate than text on both halves (docs/decisions.md). No library does either: trafilatura's own
link-density pruning works per element before extraction and keeps these lines.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

MAX_LINK_LINE = 200  # a teaser headline; longer lines are article paragraphs even when linked
MAX_UNSTATED_LINE = 200  # longer lines are paragraphs, which CMSs often rewrite in articleBody
STATED_WORDS = 0.3  # a line with fewer of its words in articleBody is not the article's
STRUCTURED_SHARE = 0.5  # a shorter articleBody is a teaser (the lead), not the article
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")  # list dashes, bullets, arrows, quotes around a link's text
_ADDRESS = re.compile(r"https?://|www\.|@")  # a link that reads as its address is a cited source
_WORD = re.compile(r"\w+")


def _key(text: str) -> str:
    return _EDGES.sub("", " ".join(text.split())).lower()


def drop_trailing_links(body: str | None, tree: lxml_html.HtmlElement) -> str | None:
    """The body without the run of link-only lines that ends it, unless the whole body is links.

    Related-article and "next story" teasers that the extractor keeps after the text are each a
    link's whole text; a paragraph that links a few words is not. A link that shows its URL or an
    e-mail address is the source the article cites, so it stops the run.
    """
    if not body:
        return body
    lines = body.split("\n\n")
    if len(lines[-1]) >= MAX_LINK_LINE:
        return body  # the common case, decided before the page's links are read
    anchors = {_key(a.text_content()) for a in tree.iter("a")}
    anchors.discard("")
    end = len(lines)
    while end and len(lines[end - 1]) < MAX_LINK_LINE and not _ADDRESS.search(lines[end - 1]):
        if _key(lines[end - 1]) not in anchors:
            break
        end -= 1
    if end in (0, len(lines)):
        return body  # nothing to drop, or a list of links (an index page): left to the length test
    return "\n\n".join(lines[:end])


def drop_unstated_lines(body: str | None, article_body: str | None) -> str | None:
    """Short lines the page's JSON-LD ``articleBody`` does not contain, when it holds the article.

    The publisher's structured copy of the text leaves out what the template adds around it
    (section labels, membership and app prompts, ad labels). Only short lines with under
    ``STATED_WORDS`` of their words in it go: paragraphs are often edited or re-punctuated there,
    and an articleBody much shorter than the body is a teaser, which proves nothing. The first
    line stays: a standfirst is written apart from the text and is often left out of articleBody.
    """
    if not body or not article_body or len(article_body) < STRUCTURED_SHARE * len(body):
        return body
    stated = set(_WORD.findall(article_body.lower()))
    first, *rest = body.split("\n\n")
    kept = [first]
    for line in rest:
        words = _WORD.findall(line.lower()) if len(line) <= MAX_UNSTATED_LINE else []
        if words and sum(w in stated for w in words) < STATED_WORDS * len(words):
            continue
        kept.append(line)
    return "\n\n".join(kept)
