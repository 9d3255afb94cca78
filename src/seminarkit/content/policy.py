"""The source policy ``seminarkit validate`` enforces (docs/content-policy.md).

Every source declares its ``kind``; copies of others' work, mirror wikis, content farms and
aggregators, anonymous blogs, library catalogues and pamphlets are refused by domain; state
media are labelled (``state_media: true`` with a ``note`` saying which statement they record)
and may not be a data set's only backing; every data set cites at least one primary source.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from seminarkit.errors import Problem

if TYPE_CHECKING:
    from seminarkit.content.materials import Module
    from seminarkit.content.yamlio import YamlDoc

KINDS = ("primary", "scholarly", "press", "reference")

# Domain (or any sub-domain of it) -> why it cannot back a fact.
REFUSED: dict[str, str] = {
    **dict.fromkeys(("scribd.com", "docplayer.net", "yumpu.com", "readkong.com", "docslib.org", "paperzz.com",
                     "vdocuments.mx", "vdocuments.net", "dokumen.tips", "studylib.net", "pdfcoffee.com", "issuu.com",
                     "academia.edu", "documents.pub", "fdocuments.in", "pdfslide.net", "silo.tips",
                     "doczz.net", "coursehero.com"),
                    "a copy of someone else's document on a sharing site"),
    **dict.fromkeys(("wikipedia.org", "wikiwand.com", "wiki2.org", "wiki.gravy.cc", "wikizero.com", "dbpedia.org",
                     "everybodywiki.com", "infogalactic.com", "justapedia.org", "alchetron.com", "wikimili.com",
                     "military-history.fandom.com", "fandom.com"),
                    "a wiki or a mirror of one"),
    **dict.fromkeys(("latestly.com", "devdiscourse.com", "urdupoint.com", "bnnbreaking.com", "pledgetimes.com",
                     "primarynewssource.org", "rssing.com", "news-pravda.com", "sott.net", "morningnewsusa.com",
                     "globalinvestorsnews.com", "timepath.org", "tv-programme.com", "youngbhartiya.com",
                     "republicworld.com", "indianeconomicobserver.com", "thenote.app", "usheadlinenews.com",
                     "mahasports.co.in", "newsbreak.com", "msn.com", "yahoo.com", "head-topics.com",
                     "inkl.com", "newsnow.co.uk", "ground.news", "backgroundscreeninginrussia.com",
                     "financialcrime.world", "domain-b.com", "eymaps.com", "hngn.com", "mil-osi1.milnz.nz",
                     "theworldnews.net", "menafn.com", "zarintv.com", "armenianclub.com", "russiansabroad.com",
                     "strategicstudyindia.com", "uisjournal.com", "oodaloop.com"),
                    "a content farm or aggregator"),
    **dict.fromkeys(("blogspot.com", "wordpress.com", "medium.com", "livejournal.com", "tumblr.com",
                     "substack.com", "weebly.com", "wixsite.com"),
                    "an anonymous or self-published blog"),
    **dict.fromkeys(("larouchepub.com", "larouchepac.com"), "a political pamphlet"),
    **dict.fromkeys(("mlicopac.mindef.gov.bn", "likes.basecdi.fr", "worldcat.org", "openlibrary.org"),
                    "a library catalogue record, not the work"),
}

# Outlets owned or controlled by a state: allowed only for what that state said, labelled.
STATE_MEDIA: tuple[str, ...] = (
    "tass.com", "tass.ru", "ria.ru", "rt.com", "sputniknews.com", "sputnikglobe.com", "sputnik.kz",
    "xinhuanet.com", "news.cn", "cgtn.com", "globaltimes.cn", "kazinform.kz", "inform.kz", "qazinform.com",
    "qazaqtv.com", "moldpres.md", "trtworld.com", "trt.net.tr", "aa.com.tr", "irna.ir", "presstv.ir",
    "sb.by", "belta.by", "rg.ru", "tvzvezda.ru", "1tv.ru", "vesti.ru", "radio.gov.pk",
)


def host_of(url: str) -> str:
    """Return the lower-case host of ``url`` without ``www.`` or a port."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _matches(host: str, domains: Iterable[str]) -> str | None:
    return next((d for d in domains if host == d or host.endswith("." + d)), None)


def refused_reason(url: str) -> str | None:
    """Why ``url`` may not back a fact (None when its domain is acceptable)."""
    domain = _matches(host_of(url), REFUSED)
    return REFUSED[domain] if domain else None


def is_state_media_url(url: str) -> bool:
    """Tell whether ``url`` belongs to a known state-controlled outlet."""
    return _matches(host_of(url), STATE_MEDIA) is not None


def check_sources(module: Module, doc: YamlDoc, problems: list[Problem]) -> None:
    """Check every source of a module against the policy."""
    for index, source in enumerate(module.sources.values()):

        def report(field: str, message: str, index: int = index, ident: str = source.id) -> None:
            problems.append(Problem(str(doc.path), doc.line_of(("sources", index, field)), ident, field, message))

        reason = refused_reason(source.url)
        if reason:
            report("url", f"{host_of(source.url)} is {reason}; cite the producing body or a news organisation "
                          "with editorial standards instead")
        if is_state_media_url(source.url) and not source.state_media:
            report("state_media", f"{host_of(source.url)} is state media: set state_media: true and say in 'note' "
                                  "which official statement it records")
        if source.state_media and not (source.note or "").strip():
            report("note", "a state-media source needs a note saying which official statement it records")


def check_dataset_sources(module: Module, name: str, doc: YamlDoc, problems: list[Problem]) -> None:
    """Require a primary source for a data set's values, and refuse state media as its only backing."""
    dataset = module.datasets[name]
    cited = [module.sources[s] for s in dataset.provenance.sources if s in module.sources]
    if cited and not any(s.kind == "primary" for s in cited):
        problems.append(Problem(str(doc.path), doc.line_of(("sources",)), name, "sources",
                                "no primary source: cite the body that produced these values (e.g. UNAMA's report, "
                                "the election commission's results page)"))
    if cited and all(s.state_media for s in cited):
        problems.append(Problem(str(doc.path), doc.line_of(("sources",)), name, "sources",
                                "rests on state media alone; cite the producing body"))
