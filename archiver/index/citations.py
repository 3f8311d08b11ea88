"""The references a query designates (its target), and the answers of `lookup` and `cited-by`.

A target has a shape (a handle, a post, a URL, an outlet, a domain, ...) and values. The statements
of a shape are built and compiled once, with the values as parameters, and run on the driver's
cursor (driver.py): for an answer of 500 rows, SQLAlchemy's building of three statements and
wrapping of the rows cost as much as SQLite's work. Only a text search's target, a list of ids
found by full-text search, is built for its query."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Boolean, Text, and_, any_, bindparam, func, literal_column, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from ..platforms import match_url
from ..urls import canonical, registrable_domain, sort_key
from . import fts
from .driver import OnDriver
from .rows import fold
from .schema import ID, articles, posts, refs

# A target with at least this many references is answered article by article (see citations).
# Below it, reading and sorting all of them is cheaper than walking the articles (all of them,
# when few cite the target).
_MANY = 1000

_MENTION = refs.c.kind == "mention"
# The terms of each shape of target: its references are those meeting any of them.
_SHAPES: dict[str, tuple[Any, ...]] = {
    "handle": (refs.c.handle_key == bindparam("handle_key"),),
    "post": (and_(refs.c.platform == bindparam("platform"), refs.c.post_id == bindparam("post_id")),),
    "post id": (refs.c.post_id == bindparam("post_id"),),
    # a URL as given and as canonical (often the same)
    "url": (refs.c.url_key.in_([bindparam("url_key"), bindparam("canonical_key")]),),
    # an outlet by its name's key or as written ("the AP"); a name without letters or digits has no key
    "outlet": (and_(_MENTION, refs.c.outlet_key == bindparam("outlet_key")),
               and_(_MENTION, func.lower(refs.c.surface) == bindparam("surface"))),
    "surface": (and_(_MENTION, func.lower(refs.c.surface) == bindparam("surface")),),
    "outlet key": (refs.c.outlet_key == bindparam("outlet_key"),),
    "domain": (refs.c.domain == bindparam("domain"),),
    "article": (refs.c.article_id == bindparam("article_id"),),
}


@dataclass(frozen=True)
class Target:
    """The references meeting any of `terms`. Keyed when every term is equalities on columns an
    index of refs holds ahead of article_id (schema.py), so that whether one article cites the
    target is one index probe."""
    shape: str | None                  # one of _SHAPES; None: a text search's terms, values in them
    values: dict[str, Any] = field(default_factory=dict)
    keyed: bool = True
    many: bool | None = None           # whether it has _MANY references, if known already
    text_terms: tuple[Any, ...] = ()

    @property
    def terms(self) -> tuple[Any, ...]:
        return _SHAPES[self.shape] if self.shape else self.text_terms


def shaped(shape: str, **values: Any) -> Target:
    """A target of one of _SHAPES, with the values its terms name."""
    return Target(shape, values, keyed=shape != "article")


def target_of(conn: Connection, query: str, *, text_search: bool = True, has_fts: bool = True) -> Target | None:
    """The references a query designates (None when it designates nothing)."""
    if query.startswith("@") and len(query) > 1:
        return shaped("handle", handle_key=fold(query))
    if query.startswith(("http://", "https://")):
        post = match_url(query)
        if post is not None and post.post_id:
            return shaped("post", platform=post.platform, post_id=post.post_id)
        return shaped("url", url_key=sort_key(query), canonical_key=sort_key(canonical(query)))
    if query.isdigit():
        return shaped("post id", post_id=query)
    key, lowered = fold(query), query.lower()
    # (`outlet_key = NULL` would match nothing: a name without a key is looked for as written)
    outlet = shaped("outlet", outlet_key=key, surface=lowered) if key else shaped("surface", surface=lowered)
    named = _count(conn, outlet)  # (counted, not just found: see _many)
    if named:
        return Target(outlet.shape, outlet.values, many=named >= _MANY)
    if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", lowered):
        # links and credited outlets both carry their registrable domain (an indexed column)
        return shaped("domain", domain=registrable_domain(lowered))
    if not text_search:
        return shaped("outlet key", outlet_key=key) if key is not None else None
    return _text_target(conn, query, has_fts)


def _text_target(conn: Connection, words: str, has_fts: bool) -> Target | None:
    if has_fts:
        hits = fts.search(conn, words)
        ref_ids = {i for t, i in hits if t == fts.DOC_REF}
        article_ids = {i for t, i in hits if t == fts.DOC_ARTICLE}
        post_rows = {i for t, i in hits if t == fts.DOC_POST}
    else:  # no FTS engine: plain substring search over the same fields
        like = f"%{words}%"
        ref_ids = {r[0] for r in conn.execute(select(refs.c.id).where(
            or_(refs.c.claim_text.ilike(like), refs.c.anchor_text.ilike(like), refs.c.sentence.ilike(like))))}
        article_ids = {r[0] for r in conn.execute(select(articles.c.id).where(articles.c.title.ilike(like)))}
        post_rows = {r[0] for r in conn.execute(select(posts.c.id).where(posts.c.text.ilike(like)))}
    clauses = []
    if ref_ids:
        clauses.append(refs.c.id.in_(ref_ids))
    if article_ids:
        clauses.append(refs.c.article_id.in_(article_ids))
    if post_rows:
        keys = conn.execute(select(posts.c.platform, posts.c.post_id).where(posts.c.id.in_(post_rows))).all()
        clauses += [and_(refs.c.platform == p, refs.c.post_id == i) for p, i in keys]
    # (a bounded number of hits: their references are read and sorted at once)
    return Target(None, keyed=False, text_terms=tuple(clauses)) if clauses else None


def citations(conn: Connection, target: Target, limit: int) -> list[dict[str, Any]]:
    """The target's references, each with its article, in the order of the articles' URLs."""
    if target.keyed and _many(conn, target):
        # A much-cited target (an outlet, a domain): sorting all its references by article URL
        # took the time. Instead, the articles that cite it in URL order (an index probe each),
        # read until they hold `limit` references.
        if conn.dialect.name == "sqlite":
            rows = _run(conn, "citations, article by article", target, _citations_by_article, limit=limit)
        else:
            # PostgreSQL evaluates _citations_by_article's join condition for every pair of rows:
            # the articles first, each with the ids of its references to the target, then those.
            def enough(found_ids) -> list[int]:
                ids: list[int] = []
                for (found,) in found_ids:
                    ids += map(int, found.split(","))
                    if len(ids) >= limit:
                        break
                return ids
            ids = _run(conn, "ids, article by article", target, _ids_by_article, limit=limit, read=enough)
            rows = _run(conn, "citations of ids", target, _citations_of_ids, ids=ids, limit=limit)
    else:
        rows = _run(conn, "citations", target, lambda terms: _citations_of(or_(*terms)), limit=limit)
    return _as_dicts(rows)


def citing_articles(conn: Connection, target: Target, limit: int) -> list[dict[str, Any]]:
    """The articles citing the target, each with how many times it cites it by kind."""
    if target.keyed and _many(conn, target):
        # As in citations: the articles that cite the target in the answer's order, read one by
        # one until they make `limit` rows, each with the kinds of its references to it (kinds
        # are plain words, never holding a comma).
        def rows_enough(cited) -> list[tuple]:
            rows: list[tuple] = []
            for url, title, published, cited_as in cited:
                kinds = cited_as.split(",")  # (one or two kinds, mostly: a Counter cost more than the SQL)
                rows += [(url, title, published, kind, kinds.count(kind)) for kind in sorted(set(kinds))]
                if len(rows) >= limit:
                    break
            return rows[:limit]
        rows = _run(conn, "citing articles, one by one", target, _citing_by_article, limit=limit, read=rows_enough)
    else:
        rows = _run(conn, "citing articles", target, _citing, limit=limit)
    merged: dict[str, dict[str, Any]] = {}
    for url, title, published, kind, n in rows:
        entry = merged.setdefault(url, {"article_url": url, "title": title, "published": published, "kinds": {}})
        entry["kinds"][kind] = n
    return list(merged.values())


# -- statements, built from a shape's terms ------------------------------------------------------

_compiled: dict[tuple[str, str], OnDriver] = {}


def _run(conn: Connection, name: str, target: Target, build: Callable[[tuple], Any], *,
         read: Callable | None = None, **values: Any) -> Any:
    """The rows of the statement `build(terms)` for the target (what `read(rows)` makes of them,
    if given: it may stop early). The statement is compiled once per shape of target."""
    if target.shape is None:
        result = conn.execute(build(target.terms), values)
        return read(result) if read else result.all()
    statement = _compiled.get((name, target.shape))
    if statement is None:
        statement = _compiled[(name, target.shape)] = OnDriver(build(target.terms))
    if read:
        return statement.read(conn, read, **target.values, **values)
    return statement.all(conn, **target.values, **values)


def _count(conn: Connection, target: Target) -> int:
    """How many references the target has, counted up to _MANY (no further: that is slow)."""
    def count(terms):
        some = select(refs.c.id).where(or_(*terms)).limit(bindparam("most")).subquery()
        return select(func.count()).select_from(some)
    return _run(conn, "count", target, count, most=_MANY)[0][0]


def _many(conn: Connection, target: Target) -> bool:
    """Whether the target has at least _MANY references."""
    return target.many if target.many is not None else _count(conn, target) >= _MANY


def _within(terms: tuple, articles_condition):
    """The target's references in some articles: the condition is put in every term, so that
    SQLite probes each term's own index rather than reading all references of the articles."""
    return or_(*(and_(articles_condition, term) for term in terms))


def _cites(terms: tuple):
    """EXISTS: the article (of the enclosing query) has a reference to the target."""
    return select(refs.c.id).where(_within(terms, refs.c.article_id == articles.c.id)).exists()


# (in the SQL: as a value, SQLAlchemy would put it in the text at every execution)
_COMMA = literal_column("','")
_CITED = refs.alias("cited")  # (made once: an alias costs a copy of every column)


def _citations_select(cited):
    return select(articles.c.url.label("article_url"), articles.c.title.label("article_title"),
                  articles.c.published, cited.c.kind, cited.c.platform, cited.c.url, cited.c.post_id,
                  cited.c.handle, cited.c.outlet, cited.c.domain, cited.c.surface, cited.c.claim_text,
                  cited.c.claim_date, cited.c.anchor_text, cited.c.sentence, cited.c.position, cited.c.in_body,
                  cited.c.unnamed, posts.c.status.label("post_status"))


def _with_post(joined, cited):
    return joined.outerjoin(posts, and_(posts.c.platform == cited.c.platform, posts.c.post_id == cited.c.post_id))


def _in_order(statement, cited):
    # cited.id: references at the same position come in one order on every engine and path
    return statement.order_by(articles.c.url, cited.c.position, cited.c.id).limit(bindparam("limit"))


def _citations_of(where):
    joined = refs.join(articles, articles.c.id == refs.c.article_id)
    return _in_order(_citations_select(refs).select_from(_with_post(joined, refs)).where(where), refs)


def _citations_by_article(terms: tuple):
    # One statement (SQLite): each article citing the target, in order, joined to its references
    # to the target by id. (The outer join keeps SQLite walking the articles in order.)
    ids = select(refs.c.id).where(_within(terms, refs.c.article_id == articles.c.id)).correlate(articles)
    joined = articles.outerjoin(_CITED, _CITED.c.id.in_(ids))
    return _in_order(_citations_select(_CITED).select_from(_with_post(joined, _CITED)).where(_cites(terms)), _CITED)


def _ids_by_article(terms: tuple):
    ids = (select(func.aggregate_strings(refs.c.id.cast(Text), _COMMA))
           .where(_within(terms, refs.c.article_id == articles.c.id)).scalar_subquery())
    return select(ids).select_from(articles).where(_cites(terms)).order_by(articles.c.url).limit(bindparam("limit"))


def _citations_of_ids(_terms: tuple):
    return _citations_of(refs.c.id == any_(bindparam("ids", type_=postgresql.ARRAY(ID))))


_CITING_ORDER = (articles.c.published.nulls_first(), articles.c.url)  # (SQLite's place for NULLs)


def _citing_by_article(terms: tuple):
    kinds = (select(func.aggregate_strings(refs.c.kind, _COMMA))
             .where(_within(terms, refs.c.article_id == articles.c.id)).scalar_subquery())
    return (select(articles.c.url, articles.c.title, articles.c.published, kinds)
            .where(_cites(terms)).order_by(*_CITING_ORDER).limit(bindparam("limit")))


def _citing(terms: tuple):
    return (select(articles.c.url, articles.c.title, articles.c.published, refs.c.kind, func.count())
            .select_from(refs.join(articles, articles.c.id == refs.c.article_id))
            .where(or_(*terms)).group_by(articles.c.url, articles.c.title, articles.c.published, refs.c.kind)
            .order_by(*_CITING_ORDER, refs.c.kind).limit(bindparam("limit")))


_CITATION_COLUMNS = _citations_select(refs).selected_columns
_CITATION_KEYS = tuple(_CITATION_COLUMNS.keys())
_IS_BOOLEAN = tuple(isinstance(column.type, Boolean) for column in _CITATION_COLUMNS)


def _as_dicts(rows) -> list[dict[str, Any]]:
    """Citations as dicts without their NULLs; booleans as booleans (SQLite's driver gives 0 and 1)."""
    return [{k: (bool(v) if boolean else v) for k, v, boolean in zip(_CITATION_KEYS, row, _IS_BOOLEAN) if v is not None}
            for row in rows]
