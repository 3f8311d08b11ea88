"""Embeds: every platform of the A.0 table in each shape, the lazy-loading forms, dedupe and the
"not an embed" cases. Markup written from reference Part A, not copied from pages."""
from __future__ import annotations

import pytest

from .conftest import embed_keys

TWEET = """<blockquote class="twitter-tweet" data-lang="en" data-dnt="true"><p lang="en" dir="ltr">First line<br>second
line with <a href="https://t.co/abc123">https://t.co/abc123</a> <a href="https://t.co/xyz789">pic.twitter.com/xyz789</a></p>
&mdash; Display Name (@handle_1) <a href="https://twitter.com/handle_1/status/1636796541368139777?ref_src=twsrc%5Etfw">March 17, 2023</a>
</blockquote><script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>"""

SNIPPETS = [
    ("twitter", "1636796541368139777", "handle_1", TWEET),
    ("twitter", "1636796541368139778", "someone",
     '<blockquote class="twitter-video"><p>Video</p>&mdash; Some One (@someone) '
     '<a href="https://x.com/someone/status/1636796541368139778">May 1, 2024</a></blockquote>'),
    ("instagram", "C5wSgl9swC9", "user.name",
     '<blockquote class="instagram-media" data-instgrm-captioned data-instgrm-permalink='
     '"https://www.instagram.com/p/C5wSgl9swC9/?utm_source=ig_embed&amp;utm_campaign=loading" data-instgrm-version="14">'
     '<div><a href="https://www.instagram.com/p/C5wSgl9swC9/">View this post on Instagram</a>'
     '<p><a href="https://www.instagram.com/p/C5wSgl9swC9/">A post shared by Some Name (@user.name)</a></p></div>'
     '</blockquote><script async src="//www.instagram.com/embed.js"></script>'),
    ("tiktok", "6718335390845095173", "scout2015",
     '<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@scout2015/video/6718335390845095173" '
     'data-video-id="6718335390845095173"><section><a title="@scout2015" href="https://www.tiktok.com/@scout2015?refer=embed">'
     '@scout2015</a> caption text</section></blockquote>'),
    ("facebook", "10153231379946729", "examplepage",
     '<div class="fb-post" data-href="https://www.facebook.com/examplepage/posts/10153231379946729" data-width="500">'
     '<blockquote cite="https://www.facebook.com/examplepage/posts/10153231379946729" class="fb-xfbml-parse-ignore">'
     'Fallback text</blockquote></div>'),
    ("telegram", "durov/43", "durov",
     '<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="durov/43" data-width="100%"></script>'),
    ("bluesky", "3la4vfasktq27", "someone.bsky.social",
     '<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:pqeikn4fnyts5seuh5bazj7b/app.bsky.feed.post/3la4vfasktq27" '
     'data-bluesky-cid="bafyrei"><p lang="en">Post text<br><br>'
     '<a href="https://bsky.app/profile/did:plc:pqeikn4fnyts5seuh5bazj7b/post/3la4vfasktq27?ref_src=embed">[image or embed]</a></p>'
     '&mdash; Display Name (<a href="https://bsky.app/profile/did:plc:pqeikn4fnyts5seuh5bazj7b?ref_src=embed">@someone.bsky.social</a>) '
     '<a href="https://bsky.app/profile/did:plc:pqeikn4fnyts5seuh5bazj7b/post/3la4vfasktq27?ref_src=embed">November 4, 2024 at 9:09 AM</a>'
     '</blockquote>'),
    ("mastodon", "114638610368343397", "user@mastodon.social",
     '<blockquote class="mastodon-embed" data-embed-url="https://mastodon.social/@user/114638610368343397/embed">'
     '<a href="https://mastodon.social/@user/114638610368343397">Post by @user@mastodon.social</a></blockquote>'),
    ("mastodon", "110000000000000001", "jo@social.example.org",
     '<blockquote class="mastodon-embed" data-embed-url="https://social.example.org/@jo/110000000000000001/embed">'
     '<a href="https://social.example.org/@jo/110000000000000001">Post by @jo</a></blockquote>'),
    ("threads", "C8abcDEF123", "user",
     '<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.net/@user/post/C8abcDEF123" '
     'data-text-post-version="0"><a href="https://www.threads.net/@user/post/C8abcDEF123">Post by user</a></blockquote>'),
    ("reddit", "66k3c0", None,
     '<blockquote class="reddit-embed-bq" data-embed-height="500"><a href="https://www.reddit.com/r/math/comments/66k3c0/slug/">'
     'Post title</a><br> by <a href="https://www.reddit.com/user/name/">u/name</a></blockquote>'),
    ("reddit", "cpd3u0", None,
     '<blockquote class="reddit-card" data-card-created="1565684298"><a href="https://www.reddit.com/r/Sub/comments/cpd3u0/slug/">'
     'Title</a> from <a href="http://www.reddit.com/r/Sub">r/Sub</a></blockquote>'),
    ("vk", "-211296925_60", None,
     '<div id="vk_post_-211296925_60"></div><script>VK.Widgets.Post("vk_post_-211296925_60", -211296925, 60, "h");</script>'),
    ("flourish", "visualisation/8624951", None,
     '<div class="flourish-embed flourish-chart" data-src="visualisation/8624951"></div>'),
    ("datawrapper", "fMDc4", None, '<div id="datawrapper-vis-fMDc4"></div>'),
]

IFRAMES = [
    ("twitter", "1636796541368139777", '<iframe src="https://platform.twitter.com/embed/Tweet.html?id=1636796541368139777&amp;dnt=true"></iframe>'),
    ("twitter", "1636796541368139779", '<div class="twitter-tweet twitter-tweet-rendered"><iframe id="twitter-widget-0" data-tweet-id="1636796541368139779"></iframe></div>'),
    ("instagram", "C5wSgl9swC9", '<iframe class="instagram-media instagram-media-rendered" src="https://www.instagram.com/p/C5wSgl9swC9/embed/captioned/?cr=1&amp;v=14"></iframe>'),
    ("tiktok", "6718335390845095173", '<iframe src="https://www.tiktok.com/embed/v2/6718335390845095173"></iframe>'),
    ("facebook", "10153231379946729", '<iframe src="https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fexamplepage%2Fposts%2F10153231379946729&amp;show_text=true"></iframe>'),
    ("youtube", "dQw4w9WgXcQ", '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ?start=14&amp;feature=oembed"></iframe>'),
    ("youtube", "dQw4w9WgXcQ", '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"></iframe>'),
    ("telegram", "durov/43", '<iframe src="https://t.me/durov/43?embed=1&amp;mode=tme"></iframe>'),
    ("bluesky", "3la4vfasktq27", '<iframe src="https://embed.bsky.app/embed/did:plc:pqeikn4fnyts5seuh5bazj7b/app.bsky.feed.post/3la4vfasktq27?id=1"></iframe>'),
    ("mastodon", "99664077509711321", '<iframe src="https://mastodon.social/@trwnh/99664077509711321/embed" class="mastodon-embed"></iframe>'),
    ("truthsocial", "116431297579272777", '<iframe class="truthsocial-embed" src="https://truthsocial.com/@realDonaldTrump/116431297579272777/embed"></iframe>'),
    ("reddit", "66k3c0", '<iframe src="https://embed.reddit.com/r/math/comments/66k3c0/slug/?embed=true"></iframe>'),
    ("linkedin", "urn:li:share:7304286962587242496", '<iframe src="https://www.linkedin.com/embed/feed/update/urn:li:share:7304286962587242496" title="Embedded post"></iframe>'),
    ("vk", "-1_2", '<iframe src="https://vk.com/video_ext.php?oid=-1&amp;id=2&amp;hash=abc"></iframe>'),
    ("vimeo", "347119375", '<iframe src="https://player.vimeo.com/video/347119375?h=be462f9adc"></iframe>'),
    ("dailymotion", "x8abc12", '<iframe src="https://www.dailymotion.com/embed/video/x8abc12"></iframe>'),
    ("spotify", "4cOdK2wGLETKBW3PvgPWqT", '<iframe src="https://open.spotify.com/embed/track/4cOdK2wGLETKBW3PvgPWqT?utm_source=generator"></iframe>'),
    ("soundcloud", "123456789", '<iframe src="https://w.soundcloud.com/player/?url=https%3A//api.soundcloud.com/tracks/123456789&amp;color=%23ff5500"></iframe>'),
    ("giphy", "3o7TKSjRrfIPjeiVyM", '<iframe src="https://giphy.com/embed/3o7TKSjRrfIPjeiVyM"></iframe>'),
    ("flourish", "visualisation/8624951", '<iframe src="https://flo.uri.sh/visualisation/8624951/embed"></iframe>'),
    ("datawrapper", "fMDc4", '<iframe id="datawrapper-chart-fMDc4" src="https://datawrapper.dwcdn.net/fMDc4/6/"></iframe>'),
    ("googlemaps", "!1m18!1m12", '<iframe src="https://www.google.com/maps/embed?pb=!1m18!1m12"></iframe>'),
]

AMP = [
    ("twitter", "885634330868850689", '<amp-twitter data-tweetid="885634330868850689" width="375" height="472" layout="responsive"></amp-twitter>'),
    ("instagram", "fBwFP", '<amp-instagram data-shortcode="fBwFP" data-captioned width="400" height="400"></amp-instagram>'),
    ("youtube", "mGENRKrdoGY", '<amp-youtube data-videoid="mGENRKrdoGY" width="480" height="270"></amp-youtube>'),
    ("facebook", "10153231379946729", '<amp-facebook data-href="https://www.facebook.com/examplepage/posts/10153231379946729" data-embed-as="post"></amp-facebook>'),
    ("tiktok", "6718335390845095173", '<amp-tiktok data-src="6718335390845095173"></amp-tiktok>'),
    ("vk", "-211296925_60", '<amp-vk data-embedtype="post" data-owner-id="-211296925" data-post-id="60" data-hash="h"></amp-vk>'),
    ("vimeo", "347119375", '<amp-vimeo data-videoid="347119375" width="500" height="281"></amp-vimeo>'),
    ("soundcloud", "243169232", '<amp-soundcloud data-trackid="243169232" height="300"></amp-soundcloud>'),
]


@pytest.mark.parametrize("platform,post_id,handle,markup", SNIPPETS, ids=[f"{p}-{i}" for i, (p, *_rest) in enumerate(SNIPPETS)])
def test_snippet_shapes(run, platform, post_id, handle, markup):
    refs = run(markup)
    assert embed_keys(refs) == [(platform, post_id)]
    embed = refs.embeds[0]
    assert embed.shape == "snippet" and embed.in_body
    assert embed.handle == handle


@pytest.mark.parametrize("platform,post_id,markup", IFRAMES, ids=[f"{p}-{i}" for i, (p, *_r) in enumerate(IFRAMES)])
def test_iframe_shapes(run, platform, post_id, markup):
    refs = run(markup)
    assert embed_keys(refs) == [(platform, post_id)]
    assert refs.embeds[0].shape == "iframe"


@pytest.mark.parametrize("platform,post_id,markup", AMP, ids=[p for p, *_r in AMP])
def test_amp_shapes(run, platform, post_id, markup):
    refs = run(markup)
    assert embed_keys(refs) == [(platform, post_id)]
    assert refs.embeds[0].shape == "amp"


def test_tweet_claim_fields(run):
    embed = run(TWEET).embeds[0]
    assert embed.url == "https://twitter.com/handle_1/status/1636796541368139777"
    assert embed.claim_text.startswith("First line\nsecond line with https://t.co/abc123")
    assert embed.claim_author == "Display Name"
    assert embed.claim_date == "March 17, 2023"
    assert embed.media_links == ("https://t.co/abc123", "https://t.co/xyz789")


def test_minimal_tweet_blockquote(run):
    refs = run('<blockquote class="twitter-tweet" data-lang="de"><a href="https://twitter.com/BoxUser/status/1862204060138389630">&nbsp;</a></blockquote>')
    assert embed_keys(refs) == [("twitter", "1862204060138389630")]
    assert refs.embeds[0].handle == "BoxUser"


def test_amp_twitter_placeholder_gives_claim(run):
    refs = run('<amp-twitter data-tweetid="885634330868850689" layout="responsive"><blockquote placeholder>'
               '<p>Placeholder text</p>&mdash; Name (@amp_user) <a href="https://twitter.com/amp_user/status/885634330868850689">'
               'July 13, 2017</a></blockquote></amp-twitter>')
    assert embed_keys(refs) == [("twitter", "885634330868850689")]
    assert refs.embeds[0].claim_text == "Placeholder text" and refs.embeds[0].handle == "amp_user"


@pytest.mark.parametrize("markup", [
    '<iframe class="lazyload" data-src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
    '<iframe data-lazy-src="https://www.youtube.com/embed/dQw4w9WgXcQ" src="about:blank"></iframe>',
    '<iframe data-litespeed-src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
    '<iframe data-original="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
    '<noscript><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe></noscript>',
    '<lite-youtube videoid="dQw4w9WgXcQ" playlabel="Play"></lite-youtube>',
    '<div class="rll-youtube-player" data-src="https://www.youtube.com/embed/dQw4w9WgXcQ" data-id="dQw4w9WgXcQ"></div>',
    '<iframe srcdoc="&lt;a href=&quot;https://www.youtube.com/embed/dQw4w9WgXcQ&quot;&gt;x&lt;/a&gt;'
    '&lt;iframe src=&quot;https://www.youtube.com/embed/dQw4w9WgXcQ&quot;&gt;&lt;/iframe&gt;"></iframe>',
], ids=["data-src", "data-lazy-src", "litespeed", "data-original", "noscript", "lite-youtube", "rll", "srcdoc"])
def test_lazy_loading_forms(run, markup):
    assert embed_keys(run(markup)) == [("youtube", "dQw4w9WgXcQ")]


def test_truthsocial_lazy_iframe_without_src(run):
    refs = run('<iframe class="truthsocial-embed lazyLoad" data-src="https://truthsocial.com/@realDonaldTrump/116431297579272777/embed"></iframe>')
    assert embed_keys(refs) == [("truthsocial", "116431297579272777")]
    assert refs.embeds[0].handle == "realDonaldTrump"


def test_wordpress_lone_url_is_cms_embed(run):
    refs = run('<figure class="wp-block-embed is-type-rich is-provider-twitter"><div class="wp-block-embed__wrapper">\n'
               'https://twitter.com/JackReichert/status/605392760896659456\n</div></figure>')
    assert embed_keys(refs) == [("twitter", "605392760896659456")]
    assert refs.embeds[0].shape == "cms"


def test_script_state_last_resort(run):
    state = ('<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"body":[{"type":"paragraph",'
             '"text":"hello"},{"type":"tweetEmbed","url":"https://twitter.com/someone/status/1700000000000000001"}],'
             '"related":[{"type":"article","url":"https://twitter.com/other/status/1700000000000000002"}]}}}</script>')
    refs = run("<p>Text only.</p>", after=state)
    assert embed_keys(refs) == [("twitter", "1700000000000000001")]
    assert refs.embeds[0].shape == "script"


def test_rendered_iframe_and_blockquote_are_one_embed(run):
    markup = ('<div class="twitter-tweet twitter-tweet-rendered"><iframe data-tweet-id="1636796541368139777" '
              'src="https://platform.twitter.com/embed/Tweet.html?id=1636796541368139777"></iframe></div>' + TWEET)
    refs = run(markup)
    assert embed_keys(refs) == [("twitter", "1636796541368139777")]
    embed = refs.embeds[0]
    assert embed.handle == "handle_1" and embed.claim_text  # the richer claim is kept


def test_several_embeds_keep_document_order(run):
    refs = run(TWEET + '<p>Middle paragraph with enough words to count as text here.</p>'
               '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>')
    assert [e.platform for e in refs.embeds] == ["twitter", "youtube"]
    assert refs.embeds[0].position < refs.embeds[1].position


# --- not embeds ------------------------------------------------------------------------------

def test_share_button_with_twitter_tweet_class_is_not_an_embed(run):
    refs = run('<a class="twitter-tweet" href="https://twitter.com/intent/tweet?text=hi&amp;url=https://news.example.com/a">Tweet</a>')
    assert refs.embeds == ()


def test_blockquote_without_status_link_is_not_an_embed(run):
    refs = run('<blockquote class="twitter-tweet"><p>Follow us</p><a href="https://twitter.com/examplenews">@examplenews</a></blockquote>')
    assert refs.embeds == ()


def test_widget_iframe_plumbing_is_not_an_embed(run):
    refs = run("<p>Body.</p>", after='<iframe src="https://platform.twitter.com/widgets/widget_iframe.2b2d73daf636805223fb11d48f3e94f7.html?origin=x"></iframe>')
    assert refs.embeds == ()


def test_telegram_discussion_widget_is_not_an_embed(run):
    refs = run('<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-discussion="unzAT/" '
               'data-comments-limit="5"></script>'
               '<iframe src="https://t.me/unzAT/12?embed=1&amp;discussion=1&amp;comments_limit=5"></iframe>')
    assert refs.embeds == ()


def test_footer_profile_links_and_sidebar_widgets_are_not_embeds(run):
    sidebar = ('<aside class="sidebar"><blockquote class="twitter-tweet"><p>Old news</p>&mdash; Site (@examplenews) '
               '<a href="https://twitter.com/examplenews/status/1111111111111111111">Jan 1, 2020</a></blockquote>'
               '<iframe src="https://www.youtube.com/embed/aaaaaaaaaaa"></iframe></aside>')
    refs = run("<p>Only text here.</p>", after=sidebar)
    assert refs.embeds == ()


def test_plain_links_to_posts_are_links_not_embeds(run):
    refs = run('<p>He <a href="https://twitter.com/realDonaldTrump/status/653897939933364224">tweeted</a> and '
               '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">posted a video</a>.</p>')
    assert refs.embeds == ()
    kinds = {link.url: link.link_kind for link in refs.links}
    assert kinds["https://twitter.com/realDonaldTrump/status/653897939933364224"] == "post"
    assert kinds["https://www.youtube.com/watch?v=dQw4w9WgXcQ"] == "post"


def test_embed_in_article_header_is_reported_outside_body(run):
    header = '<div class="lead-media"><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe></div>'
    page = run("<p>Body.</p>")
    assert page.embeds == ()
    from archiver.extract import extract_strict
    from .conftest import PAGE_URL
    html = f"""<html><body><main><article>{header}<div class="entry-content">
    <p>{'Words in the article body that make it the densest block of text. ' * 8}</p></div></article></main></body></html>"""
    refs = extract_strict(html.encode(), PAGE_URL)
    assert embed_keys(refs) == [("youtube", "dQw4w9WgXcQ")]
