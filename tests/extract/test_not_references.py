"""What is NOT a reference: share/follow buttons, comment widgets, platform plumbing, profile links,
sidebar widgets and timelines (not embeds); share links and links of embedded posts (not article
links); self-citations, photo credits, sponsors, homonyms and bare hyperlinks (not credits).

Each absence test carries markup that a careless detector would report, so it can fail. Positive
controls sit next to the credit cases so a test cannot pass just because nothing is found.
"""
from __future__ import annotations

import pytest

from archiver.extract import extract_strict

from .conftest import PAGE_URL, article, embed_keys

FILLER = " ".join(["Officials met on Tuesday to discuss the repairs to the bridge and the budget."] * 5)


def named(refs) -> list[str]:
    return [m.name for m in refs.mentions if not m.unnamed]


# --- not embeds: buttons, widgets, plumbing ----------------------------------------------------

NOT_EMBEDS = [
    pytest.param('<a href="https://twitter.com/share?ref_src=twsrc%5Etfw" class="twitter-share-button" '
                 'data-show-count="false">Tweet</a><script async src="https://platform.twitter.com/widgets.js"></script>',
                 id="twitter-share-button"),
    pytest.param('<a href="https://twitter.com/examplenews?ref_src=twsrc%5Etfw" class="twitter-follow-button" '
                 'data-show-count="false">Follow @examplenews</a>', id="twitter-follow-button"),
    pytest.param('<div class="twitter-tweet"><a href="https://twitter.com/intent/tweet?in_reply_to=1636796541368139777">'
                 'Reply</a> <a href="https://twitter.com/intent/retweet?tweet_id=1636796541368139777">Retweet</a> '
                 '<a href="https://twitter.com/intent/like?tweet_id=1636796541368139777">Like</a></div>',
                 id="intent-buttons-in-twitter-tweet-div"),
    pytest.param('<blockquote class="twitter-tweet"><a href="https://x.com/intent/follow?screen_name=examplenews">'
                 'Follow @examplenews on X</a></blockquote>', id="follow-intent-in-twitter-tweet-blockquote"),
    pytest.param('<a class="twitter-timeline" data-height="600" href="https://twitter.com/examplenews?ref_src=twsrc%5Etfw">'
                 'Tweets by examplenews</a>', id="twitter-timeline"),
    pytest.param('<iframe src="https://syndication.twitter.com/srv/timeline-profile/screen-name/examplenews?dnt=true">'
                 '</iframe>', id="twitter-timeline-iframe"),
    pytest.param('<div class="fb-share-button" data-href="https://news.example.com/2025/03/16/story.html" '
                 'data-layout="button_count"><a target="_blank" href="https://www.facebook.com/sharer/sharer.php?u='
                 'https%3A%2F%2Fnews.example.com%2F2025%2F03%2F16%2Fstory.html">Share</a></div>', id="fb-share-button"),
    pytest.param('<div class="fb-like" data-href="https://www.facebook.com/cityhall/posts/pfbid02AbCdEfGh" '
                 'data-layout="standard" data-action="like"></div>', id="fb-like-on-a-post"),
    pytest.param('<iframe src="https://www.facebook.com/plugins/like.php?href=https%3A%2F%2Fwww.facebook.com%2Fcityhall'
                 '%2Fposts%2Fpfbid02AbCdEfGh&amp;width=450&amp;layout=standard"></iframe>', id="fb-like-iframe-on-a-post"),
    pytest.param('<iframe src="https://www.facebook.com/plugins/share_button.php?href=https%3A%2F%2Fwww.facebook.com%2F'
                 'cityhall%2Fposts%2Fpfbid02AbCdEfGh&amp;layout=button"></iframe>', id="fb-share-iframe-on-a-post"),
    pytest.param('<iframe src="https://www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2Fexamplenews'
                 '&amp;tabs=timeline&amp;width=340"></iframe>', id="fb-page-plugin-timeline"),
    pytest.param('<div class="fb-page" data-href="https://www.facebook.com/examplenews" data-tabs="timeline"></div>',
                 id="fb-page-div"),
    pytest.param('<script async src="https://telegram.org/js/telegram-widget.js?22" '
                 'data-telegram-share-url="https://news.example.com/2025/03/16/story.html" data-size="large"></script>',
                 id="telegram-share-widget"),
    pytest.param('<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-discussion="durov/43" '
                 'data-comments-limit="5" data-colorful="1"></script>', id="telegram-discussion-of-a-post"),
    pytest.param('<iframe id="telegram-discussion-durov-43-0" src="https://t.me/durov/43?embed=1&amp;discussion=1'
                 '&amp;comments_limit=5"></iframe>', id="telegram-discussion-iframe"),
    pytest.param('<div class="fb-comments" data-href="https://www.facebook.com/cityhall/posts/pfbid02AbCdEfGh" '
                 'data-width="" data-numposts="5"></div>', id="fb-comments-div-on-a-post"),
    pytest.param('<iframe src="https://www.facebook.com/plugins/comments.php?href=https%3A%2F%2Fwww.facebook.com%2F'
                 'cityhall%2Fposts%2Fpfbid02AbCdEfGh&amp;numposts=5"></iframe>', id="fb-comments-iframe-on-a-post"),
    pytest.param('<amp-facebook-comments width="486" height="657" layout="responsive" data-numposts="5" '
                 'data-href="https://www.facebook.com/cityhall/posts/pfbid02AbCdEfGh"></amp-facebook-comments>',
                 id="amp-facebook-comments"),
    pytest.param('<iframe src="https://platform.twitter.com/widgets/widget_iframe.2b2d73daf636805223fb11d48f3e94f7.html'
                 '?origin=https%3A%2F%2Fnews.example.com"></iframe>', id="twitter-widget-iframe"),
    pytest.param('<iframe src="https://platform.twitter.com/widgets/follow_button.html?screen_name=examplenews"></iframe>',
                 id="twitter-follow-button-iframe"),
    pytest.param('<iframe src="https://syndication.twitter.com/i/jot/embeds?l=%7B%22tweet_id%22%3A%221636796541368139777%22%7D">'
                 '</iframe>', id="twitter-jot-tracking-iframe"),
    pytest.param('<iframe name="fb_xdm_frame_https" src="https://staticxx.facebook.com/x/connect/xd_arbiter/?version=46'
                 '#channel=f1&amp;origin=https%3A%2F%2Fnews.example.com"></iframe>', id="staticxx-facebook"),
    pytest.param('<iframe src="https://www.youtube.com/subscribe_embed?channelid=UC_x5XG1OV2P6uZZ5FSM9Ttw&amp;layout=default">'
                 '</iframe>', id="youtube-subscribe-button"),
    pytest.param('<iframe src="https://open.spotify.com/follow/1/?uri=spotify:artist:4Z8W4fKeB5YxbusRsdQVPb"></iframe>',
                 id="spotify-follow-button"),
]


@pytest.mark.parametrize("markup", NOT_EMBEDS)
def test_not_an_embed(run, markup):
    assert embed_keys(run(markup)) == []


@pytest.mark.parametrize("markup", [
    pytest.param('<footer class="article-footer"><p>Follow us: <a href="https://twitter.com/examplenews">X</a> '
                 '<a href="https://bsky.app/profile/examplenews.bsky.social">Bluesky</a> '
                 '<a href="https://t.me/examplenews">Telegram</a> <a href="https://www.youtube.com/@examplenews">YouTube</a>'
                 '</p></footer>', id="footer-profile-links"),
    pytest.param('<aside class="sidebar"><blockquote class="instagram-media" '
                 'data-instgrm-permalink="https://www.instagram.com/p/C5wSgl9swC9/"><a href="https://www.instagram.com/p/C5wSgl9swC9/">'
                 'A post shared by Example News (@examplenews)</a></blockquote>'
                 '<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="examplenews/100"></script>'
                 '</aside>', id="sidebar-instagram-and-telegram"),
    pytest.param('<div class="widget-area"><iframe src="https://www.youtube.com/embed/iwGFalTRHDA"></iframe></div>',
                 id="widget-area-youtube"),
    pytest.param('<footer class="site-footer"><blockquote class="twitter-tweet"><p>Our latest</p>&mdash; Example (@examplenews) '
                 '<a href="https://twitter.com/examplenews/status/1700000000000000111">May 1, 2024</a></blockquote></footer>',
                 id="footer-tweet"),
])
def test_chrome_outside_the_article_has_no_embeds(run, markup):
    refs = run("<p>The article body itself embeds nothing.</p>", after=markup)
    assert embed_keys(refs) == []


def test_sidebar_inside_the_article_element_is_not_reported():
    html = f"""<html><body><main><article><h1>Headline</h1>
    <div class="entry-content"><p>{FILLER}</p><p>{FILLER}</p></div>
    <aside class="sidebar"><iframe src="https://www.youtube.com/embed/iwGFalTRHDA"></iframe>
    <a class="twitter-timeline" href="https://twitter.com/examplenews">Tweets</a></aside>
    </article></main></body></html>""".encode()
    assert extract_strict(html, PAGE_URL).embeds == ()


def test_lead_media_in_the_article_header_is_not_in_body():
    html = f"""<html><body><header class="site-header"><nav><a href="/">Home</a></nav></header>
    <main><article><header class="article-header"><h1>Headline</h1>
    <figure class="lead-media"><iframe src="https://www.youtube.com/embed/iwGFalTRHDA"></iframe></figure></header>
    <div class="entry-content"><p>{FILLER}</p>
    <blockquote class="twitter-tweet"><p lang="en">In body.</p>&mdash; A (@a_user)
    <a href="https://twitter.com/a_user/status/1700000000000000009">May 1, 2024</a></blockquote>
    <p>{FILLER}</p></div></article></main></body></html>""".encode()
    refs = extract_strict(html, PAGE_URL)
    assert [(e.platform, e.post_id, e.in_body) for e in refs.embeds] == [
        ("youtube", "iwGFalTRHDA", False), ("twitter", "1700000000000000009", True)]
    assert refs.embeds[0].position < refs.embeds[1].position


# --- not article links --------------------------------------------------------------------------

def test_links_inside_embedded_posts_belong_to_the_post(run):
    refs = run(
        '<p>The study is <a href="https://www.example.org/study">here</a>.</p>'
        '<blockquote class="twitter-tweet"><p lang="en">See <a href="https://t.co/inTweet1">example.org/x</a> '
        '<a href="https://twitter.com/hashtag/Foo?src=hash">#Foo</a></p>&mdash; A (@a_user) '
        '<a href="https://twitter.com/a_user/status/1700000000000000009">May 1, 2024</a></blockquote>'
        '<blockquote class="reddit-embed-bq"><a href="https://www.reddit.com/r/math/comments/66k3c0/slug/">Title</a>'
        ' by <a href="https://www.reddit.com/user/name/">u/name</a></blockquote>'
        '<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc/app.bsky.feed.post/3la4vfasktq27">'
        '<p>Post <a href="https://www.example.net/in-post">link</a></p>&mdash; B (<a href="https://bsky.app/profile/did:plc:abc">'
        '@b.bsky.social</a>) <a href="https://bsky.app/profile/did:plc:abc/post/3la4vfasktq27">May 2, 2024</a></blockquote>')
    assert [link.url for link in refs.links] == ["https://www.example.org/study"]
    assert len(refs.embeds) == 3


def test_the_permalink_of_a_flattened_tweet_belongs_to_the_post(run):
    refs = run('<p>The full data comes tomorrow. \u2014 Data Team (@datateam) '
               '<a href="https://twitter.com/datateam/status/1110000000000000001">March 28, 2019</a></p>'
               '<p>Separately, see <a href="https://www.example.org/report">the report</a>.</p>')
    assert embed_keys(refs) == [("twitter", "1110000000000000001")]
    assert [link.url for link in refs.links] == ["https://www.example.org/report"]


@pytest.mark.parametrize("href", [
    "https://x.com/intent/post?text=Story&url=https%3A%2F%2Fnews.example.com%2Fa",
    "https://bsky.app/intent/compose?text=Story%20https%3A%2F%2Fnews.example.com%2Fa",
    "https://www.threads.net/intent/post?text=Story",
    "https://www.facebook.com/dialog/share?app_id=123&href=https%3A%2F%2Fnews.example.com%2Fa",
    "https://api.whatsapp.com/send?text=https%3A%2F%2Fnews.example.com%2Fa",
    "https://pinterest.com/pin/create/button/?url=https%3A%2F%2Fnews.example.com%2Fa",
    "https://www.reddit.com/submit?url=https%3A%2F%2Fnews.example.com%2Fa",
    "https://telegram.me/share/url?url=https%3A%2F%2Fnews.example.com%2Fa",
])
def test_share_links_are_not_links(run, href):
    refs = run(f'<p>Cited <a href="https://www.example.org/cited">source</a>. '
               f'<a href="{href.replace("&", "&amp;")}">Share this story</a></p>')
    assert [link.url for link in refs.links] == ["https://www.example.org/cited"]


# --- not credits --------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence,page_url,head", [
    pytest.param("The minister told the BBC the plan would go ahead.", "https://www.bbc.co.uk/news/uk-12345678", "",
                 id="bbc-on-bbc-co-uk"),
    pytest.param("The minister told the BBC the plan would go ahead.", "https://www.bbc.com/news/articles/c0abc123",
                 '<meta property="og:site_name" content="BBC News">', id="bbc-on-bbc-com-site-name-alias"),
    pytest.param("KYIV, Ukraine (AP) \u2014 Russian drones struck the city overnight.",
                 "https://apnews.com/article/ukraine-drones-4f1c2a9e7b3d5a60c8e1f2d3b4a59687", "", id="ap-dateline-on-apnews"),
    pytest.param("Le gouvernement prépare une réforme, selon Le Monde.", "https://www.lemonde.fr/politique/article/x.html",
                 "", id="le-monde-on-lemonde"),
    pytest.param("The plan was dropped, according to Reuters.", "https://www.reuters.com/world/europe/x-2025-03-16/",
                 "", id="reuters-on-reuters"),
])
def test_the_publishing_site_citing_itself_is_not_a_credit(sentence, page_url, head):
    html = article(f"<p>{sentence}</p>", head=head)
    assert named(extract_strict(html, page_url)) == []


@pytest.mark.parametrize("sentence", [
    pytest.param("Rescuers search the rubble in Kharkiv. (Photo by Sergey Bobok/AFP via Getty Images)", id="afp-via-getty"),
    pytest.param("Rescuers search the rubble in Kharkiv. (AP Photo/Efrem Lukatsky)", id="ap-photo"),
    pytest.param("Photo: Reuters. Firefighters worked through the night, officials said.", id="photo-colon-reuters"),
    pytest.param("Photograph: Bloomberg via Getty Images. The plant was closed on Monday.", id="photograph-bloomberg"),
    pytest.param("Image: AFP. The talks ended without a deal.", id="image-colon-afp"),
    pytest.param("Foto: dpa. Der Bundestag stimmte am Freitag zu.", id="foto-dpa"),
])
def test_photo_credits_are_not_credits(run, sentence):
    assert named(run(f"<p>{sentence}</p>")) == []


@pytest.mark.parametrize("sentence", [
    pytest.param("This newsletter is sponsored by The Economist.", id="sponsored-by"),
    pytest.param("Sponsored by Bloomberg: the week in markets, in five charts.", id="sponsored-by-start"),
    pytest.param("This podcast is presented by Politico and supported by our readers.", id="presented-by"),
])
def test_sponsors_are_not_credits(run, sentence):
    assert named(run(f"<p>{sentence}</p>")) == []


@pytest.mark.parametrize("sentence", [
    pytest.param("Guests were moved to the Holiday Inn Express, the mayor said.", id="holiday-inn-express"),
    pytest.param("Sun Microsystems reported a quarterly loss on Tuesday.", id="sun-microsystems"),
    pytest.param("Time Warner said it would cut 2,000 jobs.", id="time-warner"),
    pytest.param("Several Fortune 500 companies said they would move their headquarters.", id="fortune-500"),
    pytest.param("Former mayor Michael Bloomberg said he would fund the campaign.", id="michael-bloomberg"),
    pytest.param("The Reuters Institute for the Study of Journalism reported a fall in trust.", id="reuters-institute"),
    pytest.param("The Independent Electoral Commission said turnout was high.", id="independent-electoral-commission"),
])
def test_homonyms_of_outlets_are_not_credits(run, sentence):
    assert named(run(f"<p>{sentence}</p>")) == []


def test_outlet_only_hyperlinked_is_a_link_not_a_credit(run):
    refs = run('<p>Officials confirmed the figures (<a href="https://www.reuters.com/world/europe/figures-2025-03-16/">'
               'source</a>). As <a href="https://www.nytimes.com/2025/03/15/world/europe/plan.html">previously reported</a>, '
               'the plan was shelved.</p>')
    assert refs.mentions == ()
    assert {link.url for link in refs.links} == {
        "https://www.reuters.com/world/europe/figures-2025-03-16/",
        "https://www.nytimes.com/2025/03/15/world/europe/plan.html"}


@pytest.mark.parametrize("sentence,expected", [
    pytest.param("The Kremlin has not commented, Reuters said.", "Reuters", id="x-said"),
    pytest.param("The clip was first shared via Bloomberg on Monday.", "Bloomberg News", id="via-x"),
    pytest.param("The footage was found via Bellingcat.", "Bellingcat", id="found-via-x"),
    pytest.param("The figures were cited by Politico in its morning newsletter.", "Politico", id="cited-by-x"),
    pytest.param("Die Regierung plant ein neues Gesetz, berichtet die Süddeutsche Zeitung.", "Süddeutsche Zeitung",
                 id="berichtet-after"),
])
def test_credit_controls(run, sentence, expected):
    """Positive controls for the cues the absence tests above rely on not matching."""
    assert expected in named(run(f"<p>{sentence}</p>"))


@pytest.mark.parametrize("sentence,surface", [
    pytest.param("The explosions were heard across the city, local media reported.", "local media", id="local-media"),
    pytest.param("The strike killed three people, according to state media.", "state media", id="state-media"),
    pytest.param("Die Armee zog sich zurück, laut Medienberichten.", "Medienberichten", id="medienberichten"),
    pytest.param("Le ministre a démissionné, selon plusieurs médias.", "plusieurs médias", id="plusieurs-medias"),
    pytest.param("El alcalde dimitió, según medios locales.", "medios locales", id="medios-locales"),
])
def test_unnamed_sources_are_flagged_not_named(run, sentence, surface):
    refs = run(f"<p>{sentence}</p>")
    assert named(refs) == []
    unnamed = [m for m in refs.mentions if m.unnamed]
    assert [(m.name, m.surface) for m in unnamed] == [(None, surface)]
    assert refs.to_json()["mentions"] == []
