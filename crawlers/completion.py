"""arXiv completion: papers whose author list is cut ("... et al.") or whose date is partial are completed
from the arXiv API once the crawl has run dry, in batches, before the merged records are written.

    papers in the store --plan()--> lookups (one API URL each) --answer()/failed()--> merge items

* A paper with an arXiv id is asked for by id: one ``id_list`` request for up to ARXIV_BATCH_SIZE ids, sorted
  so the URL is the same on every run (replayable).
* A paper without one is looked up by title (ARXIV_TITLE_SEARCH): several titles to a request, as one
  ``ti:"..." OR ti:"..."`` query, at most ARXIV_TITLE_SEARCH_LIMIT papers per crawl. A result is taken only
  when its normalised title equals the paper's and the paper's first author is one of its authors: a wrong
  paper is never attached.
* arXiv asks for one request every 3 seconds, one at a time: the DOWNLOAD_SLOTS entry for export.arxiv.org.

What arXiv sends back is read by the arXiv adapter like any page; each paper it completes comes back as a
``CompletionAnswer`` (the arXiv record as arXiv gave it, the key of the held paper it completes, and the
wanted fields it has; in the merge it ranks after every crawled page, so it fills and never overrides, and
the merge names in ``completed_from`` every field whose value came from it) and each paper it cannot complete as a ``CompletionMiss`` (a problem line naming
the API URL that asks for that paper alone, and why). All of one request's answer travels as one ``CompletionResult``; StoreRecords writes it
to the store in one transaction. No record is ever lost.

A crawl run again into the same store is handed back what earlier runs asked (``restore``): a request whose
answer is stored is not sent again (its papers keep the answer they got: completed, not returned, or
request failed); a request asked but not answered is sent again with the same URL; only papers no request
was for are planned anew, batched as a fresh crawl batches them.

No Scrapy here: the spider turns lookups into requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from parsers.fields.names import normalise_name
from parsers.fields.text import normalise_title
from parsers.records import Paper, title_key
from parsers.result import Problem
from parsers.sites.arxiv import API_URL, id_list_url, title_search_url
from parsers.sites.arxiv import NAME as ARXIV

__all__ = ["ArxivCompletion", "CompletionAnswer", "CompletionMiss", "CompletionResult", "Lookup", "Wanted",
           "fields_to_complete", "id_batches", "id_list_url", "title_matches"]
BATCH_SIZE = 100                  # ids per id_list request (arXiv's advice: ask for many at once)
TITLE_BATCH_SIZE = 10             # titles per search request: keeps the URL well under 2,000 characters
TITLE_SEARCH_LIMIT = 50           # papers looked up by title per crawl: 5 requests, 15 s at arXiv's pace
RESULTS_PER_TITLE = 2             # max_results per title searched: a title may match a second paper


def fields_to_complete(record: dict) -> list[str]:
    """Fields of a merged paper (JSON form) arXiv should fill: a cut author list, a partial or no date."""
    if record.get("type") != "paper":
        return []
    wanted = []
    if record.get("authors_complete") is False or not record.get("authors"):
        wanted.append("authors")
    if not record.get("date") or record.get("date_year_inferred"):
        wanted.append("date")
    return wanted


def id_batches(ids: list[str], size: int = BATCH_SIZE) -> list[list[str]]:
    """Distinct ids, sorted, in chunks of at most ``size``."""
    ordered = sorted(set(ids))
    return [ordered[start:start + size] for start in range(0, len(ordered), max(1, size))]


def title_matches(wanted_title: str, wanted_first_author: str | None, candidate: Paper) -> bool:
    """A search result is the paper wanted: same normalised title, and the wanted paper's first author is
    among the result's authors (a title alone can be shared by two papers)."""
    if normalise_title(candidate.title or "") != normalise_title(wanted_title):
        return False
    if not wanted_first_author:
        return False
    return normalise_name(wanted_first_author) in {normalise_name(name) for name in candidate.authors}


@dataclass
class Wanted:
    """One held paper to complete: how to find its group in the merge, and what it lacks."""

    key: str                      # a match key of its merge group ("arxiv:<id>" or "title:<title>|<author>")
    fields: list[str]
    title: str
    first_author: str | None = None
    arxiv_id: str | None = None


@dataclass
class Lookup:
    """One API request and the papers it should complete."""

    url: str
    kind: str                     # "id_list" | "title_search"
    wanted: list[Wanted]

    def to_dict(self) -> dict:
        """JSON form: stored (the lookups table), and carried by the request (its meta) so an answer can be read
        whichever run sends it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Lookup:
        return cls(data["url"], data["kind"], [Wanted(**wanted) for wanted in data["wanted"]])


@dataclass
class CompletionAnswer:
    """arXiv's record of a held paper: merged into the group found by ``key``. ``fills`` names the wanted
    fields it has (for the stats and the misses); the record's ``completed_from`` is the merge's to say."""

    record: Paper
    key: str
    fills: list[str] = field(default_factory=list)


@dataclass
class CompletionMiss:
    """A held paper arXiv did not complete, and why (one line naming the API URL)."""

    key: str
    problem: str


@dataclass
class CompletionResult:
    """Everything one API request gave (or its failure): written to the store as one piece, so a crawl
    killed meanwhile has either all of it or asks again. ``request_url``, not ``url``: the item cleaner
    rewrites fields named url, and this one must stay the request's own."""

    request_url: str
    items: list[CompletionAnswer | CompletionMiss]


def paper_keys(paper: dict) -> set[str]:
    """The keys a merged paper (JSON form) can be wanted under: its match keys (arXiv id; title and first
    author), but only with an author (a paper found by title gains an id; it is still the one asked about)."""
    keys = {f"arxiv:{paper['arxiv_id']}"} if paper.get("arxiv_id") else set()
    if paper.get("title") and paper.get("authors"):
        keys.add(title_key(paper["title"], paper["authors"][0]))
    return keys


@dataclass
class ArxivCompletion:
    api_url: str = API_URL
    batch_size: int = BATCH_SIZE
    title_search: bool = True
    title_search_limit: int = TITLE_SEARCH_LIMIT
    title_batch_size: int = TITLE_BATCH_SIZE
    lookups: dict[str, Lookup] = field(default_factory=dict)      # every request asked, by URL
    answered: set[str] = field(default_factory=set)                # URLs whose answer came back

    @classmethod
    def from_settings(cls, settings) -> ArxivCompletion:
        return cls(api_url=settings.get("ARXIV_API_URL", API_URL),
                   batch_size=settings.getint("ARXIV_BATCH_SIZE", BATCH_SIZE),
                   title_search=settings.getbool("ARXIV_TITLE_SEARCH", True),
                   title_search_limit=settings.getint("ARXIV_TITLE_SEARCH_LIMIT", TITLE_SEARCH_LIMIT),
                   title_batch_size=settings.getint("ARXIV_TITLE_BATCH_SIZE", TITLE_BATCH_SIZE))

    # -- what to ask ----------------------------------------------------------------------------

    def restore(self, asked: Iterable[dict], answered: Iterable[str]) -> None:
        """What earlier runs of this crawl asked (Lookup dicts, in asking order) and which answers are in."""
        for data in asked:
            self.remember(Lookup.from_dict(data))
        self.answered.update(answered)

    def remember(self, lookup: Lookup) -> Lookup:
        """The lookup asked for ``lookup.url`` (the first one kept: a URL is one request)."""
        return self.lookups.setdefault(lookup.url, lookup)

    def plan(self, papers: list[dict]) -> list[Lookup]:
        """Lookups to send: requests asked before and not answered (same URL again), then new ones for the
        merged papers that need completing and no request was for: id_list batches first, then title
        searches (at most ``title_search_limit`` papers by title per crawl, earlier runs included)."""
        pending = [lookup for url, lookup in self.lookups.items() if url not in self.answered]
        asked_keys = {wanted.key for lookup in self.lookups.values() for wanted in lookup.wanted}
        titles_asked = sum(len(lookup.wanted) for lookup in self.lookups.values()
                           if lookup.kind == "title_search")
        by_id: dict[str, Wanted] = {}
        by_title: list[Wanted] = []
        for paper in papers:
            fields = fields_to_complete(paper)
            if not fields or not paper.get("title") or paper_keys(paper) & asked_keys:
                continue
            first = paper["authors"][0] if paper.get("authors") else None
            if paper.get("arxiv_id"):
                by_id[paper["arxiv_id"]] = Wanted(f"arxiv:{paper['arxiv_id']}", fields, paper["title"], first,
                                                  paper["arxiv_id"])
            elif first:     # without an author, a title result could not be checked: never guess
                by_title.append(Wanted(title_key(paper["title"], first), fields, paper["title"], first))
        lookups = [Lookup(id_list_url(ids, self.api_url), "id_list", [by_id[i] for i in ids])
                   for ids in id_batches(list(by_id), self.batch_size)]
        if self.title_search:
            searched = sorted(by_title, key=lambda w: w.key)[:max(0, self.title_search_limit - titles_asked)]
            size = max(1, self.title_batch_size)
            for start in range(0, len(searched), size):
                batch = searched[start:start + size]
                url = title_search_url([w.title for w in batch], RESULTS_PER_TITLE, self.api_url)
                lookups.append(Lookup(url, "title_search", batch))
        fresh = [lookup for lookup in lookups if lookup.url not in self.lookups]
        for lookup in fresh:
            self.remember(lookup)
        return pending + fresh

    # -- what came back -------------------------------------------------------------------------

    def answer(self, url: str, records: list[Paper], problems: list[str] = ()) \
            -> list[CompletionAnswer | CompletionMiss]:
        """The arXiv records that complete a wanted paper (marked with what they fill), and a miss for every
        wanted paper the answer does not complete. Other entries of a search answer are not kept."""
        lookup = self.lookups[url]
        self.answered.add(url)
        items: list[CompletionAnswer | CompletionMiss] = []
        why = ("not returned by the arXiv API" if lookup.kind == "id_list"
               else "not found by arXiv title search (title and first author must match)")
        if problems:
            why += f" ({'; '.join(problems)})"
        for wanted in lookup.wanted:
            found = self._find(wanted, records)
            if found is None:
                items.append(CompletionMiss(wanted.key, self.miss_line(wanted, why)))
                continue
            filled = [f for f in wanted.fields if _gives(found, f)]
            if wanted.arxiv_id is None and found.arxiv_id:      # found by title: the id is arXiv's too
                filled.append("arxiv_id")
            items.append(CompletionAnswer(found, wanted.key, filled))
            left = [f for f in wanted.fields if f not in filled]
            if left:
                why_partly = f"arXiv gives no {' or '.join(left)}"
                items.append(CompletionMiss(wanted.key, self.miss_line(wanted, why_partly)))
        return items

    def failed(self, url: str, reason: str) -> list[CompletionMiss]:
        """The request failed for good (HTTP error, timeout...): every paper it was for keeps its values."""
        lookup = self.lookups.get(url)
        self.answered.add(url)
        return [CompletionMiss(w.key, self.miss_line(w, f"not completed: {reason}"))
                for w in (lookup.wanted if lookup else [])]

    def miss_line(self, wanted: Wanted, why: str) -> str:
        """The problem line of a paper arXiv did not complete: "<its one-paper API URL>: arxiv: '<title>':
        why" (Problem.line, as every problem line)."""
        return Problem(None, why, where=repr(wanted.title)).line(self.query_url(wanted), ARXIV)

    def query_url(self, wanted: Wanted) -> str:
        """The API URL that asks for this one paper: a problem line names it (the batch request's URL, with
        up to 100 ids, would repeat on every paper of the batch; the log and stats count the requests)."""
        if wanted.arxiv_id:
            return id_list_url([wanted.arxiv_id], self.api_url)
        return title_search_url([wanted.title], RESULTS_PER_TITLE, self.api_url)

    @staticmethod
    def _find(wanted: Wanted, records: list[Paper]) -> Paper | None:
        for record in records:
            if wanted.arxiv_id is not None:
                if record.arxiv_id == wanted.arxiv_id:
                    return record
            elif title_matches(wanted.title, wanted.first_author, record):
                return record
        return None


def _gives(record: Paper, field_name: str) -> bool:
    if field_name == "authors":
        return bool(record.authors) and record.authors_complete is True
    if field_name == "date":
        return bool(record.date) and not record.date_year_inferred
    return False
