from archiver.model import ArticleMeta, ArticleRefs, Embed, Link, Mention, PostSnapshot


def test_article_refs_round_trip_through_json_keeps_unnamed_sources_apart():
    refs = ArticleRefs(
        "https://a.example/x", ArticleMeta("https://a.example/x", title="T", authors=("A", "B")),
        embeds=(Embed("twitter", "https://twitter.com/a/status/1", "1", "a", "snippet", 0, True,
                      claim_text="hi", media_links=("https://t.co/x",)),),
        links=(Link("https://b.example/", "b", "see b.", 1, True, "page"),),
        mentions=(Mention("Reuters", "Reuters", "reuters.com", "s", 2, True, "according to"),
                  Mention(None, "local media", None, "s", 3, True, "reported", unnamed=True)))
    data = refs.to_json()
    assert [m["surface"] for m in data["mentions"]] == ["Reuters"]
    assert [m["surface"] for m in data["unnamed_sources"]] == ["local media"]
    assert ArticleRefs.from_json(data) == refs


def test_post_snapshot_round_trip():
    snap = PostSnapshot("twitter", "1", "u", "ok", "e", media=("m",), counts=(("likes", 3),))
    assert PostSnapshot.from_json(snap.to_json()) == snap
