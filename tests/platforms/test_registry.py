import pytest

from archiver import platforms
from archiver.model import PostRef
from archiver.platforms import bluesky, telegram, youtube


@pytest.mark.parametrize("url,platform,post_id", [
    ("https://www.youtube.com/embed/FF2JAEzzUJi?si=x", "youtube", "FF2JAEzzUJi"),
    ("https://youtu.be/FF2JAEzzUJi", "youtube", "FF2JAEzzUJi"),
    ("https://t.me/s/kpszsu/27514", "telegram", "kpszsu/27514"),
    ("https://bsky.app/profile/a.bsky.social/post/3lkisp3v5hk4p", "bluesky", "3lkisp3v5hk4p"),
    ("https://www.instagram.com/p/C5wSgl9swC9/?utm_source=ig_embed", "instagram", "C5wSgl9swC9"),
    ("https://www.tiktok.com/@scout2015/video/6718335390845095173", "tiktok", "6718335390845095173"),
    ("https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2F20531316728%2Fposts%2F10154009990506729%2F",
     "facebook", "10154009990506729"),
    ("https://truthsocial.com/@realDonaldTrump/posts/113870000000000000", "truthsocial", "113870000000000000"),
    ("https://mastodon.social/@trwnh/99664077509711321/embed", "mastodon", "99664077509711321"),
    ("https://www.reddit.com/r/math/comments/66k3c0/slug/", "reddit", "66k3c0"),
    ("https://www.linkedin.com/embed/feed/update/urn:li:share:7304286962587242496", "linkedin", "urn:li:share:7304286962587242496"),
    ("https://player.vimeo.com/video/347119375?h=be462f9adc", "vimeo", "347119375"),
    ("https://open.spotify.com/embed/track/4cOdK2wGLETKBW3PvgPWqT", "spotify", "4cOdK2wGLETKBW3PvgPWqT"),
    ("https://w.soundcloud.com/player/?url=https%3A//api.soundcloud.com/tracks/293", "soundcloud", "293"),
    ("https://giphy.com/embed/3o7aD2saalBwwftBIY", "giphy", "3o7aD2saalBwwftBIY"),
    ("https://datawrapper.dwcdn.net/fMDc4/6/", "datawrapper", "fMDc4"),
    ("https://flo.uri.sh/visualisation/8624951/embed", "flourish", "visualisation/8624951"),
    ("https://vk.com/wall-211296925_60", "vk", "-211296925_60"),
    ("https://www.dailymotion.com/embed/video/x8abc12", "dailymotion", "x8abc12"),
    ("https://www.threads.net/@user/post/C8abcDEF123", "threads", "C8abcDEF123"),
])
def test_every_platform_recognises_its_post_urls(url, platform, post_id):
    ref = platforms.match_url(url)
    assert ref is not None and (ref.platform, ref.post_id) == (platform, post_id)


@pytest.mark.parametrize("url", ["https://www.google.com/search?q=x", "https://example.com/news/1", "not a url",
                                 "mailto:x@example.com", "https://t.me/share/url?url=x"])
def test_other_urls_are_not_posts(url):
    assert platforms.match_url(url) is None


def test_telegram_widget_page_parse():
    html = b"""<html><body class="tgme_widget body_widget_post"><div class="tgme_widget_message" data-post="kpszsu/27514">
    <div class="tgme_widget_message_owner_name"><span>Air Force</span></div>
    <div class="tgme_widget_message_text js-message_text">90 drones<br>shot down 56</div>
    <a class="tgme_widget_message_photo_wrap" style="width:1px;background-image:url('https://cdn4.telesco.pe/file/a.jpg')"></a>
    <span class="tgme_widget_message_views">12.3K</span>
    <a class="tgme_widget_message_date" href="https://t.me/kpszsu/27514"><time datetime="2025-03-16T06:12:00+00:00">06:12</time></a>
    </div></body></html>"""
    ref = telegram.from_widget_attr("kpszsu/27514")
    snap = telegram.parse(ref, "u", 200, html)
    assert (snap.status, snap.author, snap.text, snap.created_at) == ("ok", "Air Force", "90 drones\nshot down 56",
                                                                    "2025-03-16T06:12:00+00:00")
    assert snap.media == ("https://cdn4.telesco.pe/file/a.jpg",) and "12.3K" in snap.detail
    missing = telegram.parse(ref, "u", 200, b'<div class="tgme_widget_message_error">Post not found</div>')
    assert missing.status == "not_found"


def test_bluesky_not_found_and_youtube_oembed():
    ref = bluesky.from_at_uri("at://did:plc:abc/app.bsky.feed.post/3lk")
    assert ref.url == "https://bsky.app/profile/did:plc:abc/post/3lk"
    gone = bluesky.parse(ref, "u", 400, b'{"error":"NotFound","message":"Post not found: at://x"}')
    assert gone.status == "not_found"
    video = youtube.parse(youtube.video_ref("FF2JAEzzUJi"), "u", 200,
                          b'{"title":"T","author_name":"Chan","author_url":"https://www.youtube.com/@chan","thumbnail_url":"https://i.ytimg.com/vi/FF2JAEzzUJi/hqdefault.jpg"}')
    assert (video.status, video.text, video.author, video.handle) == ("ok", "T", "Chan", "chan")
    # 401: private, or the owner disabled embedding (B.6): the video exists, we cannot see it
    assert youtube.parse(PostRef("youtube", "x", "x"), "u", 401, b"").status == "unavailable"


@pytest.mark.parametrize("url,post_id", [
    ("https://platform.twitter.com/embed/Tweet.html?dnt=true&id=1901199946615513871", "1901199946615513871"),
    ("https://platform.twitter.com/widgets/widget_iframe.2b2d73daf636805223fb11d48f3e94f7.html?origin=x", None),
    ("https://www.facebook.com/plugins/like.php?href=https%3A%2F%2Fwww.facebook.com%2Fp%2Fposts%2F123", None),
    ("https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fp%2Fvideos%2F456%2F", "456"),
    ("https://t.me/kpszsu/27514?embed=1&discussion=1", None),
])
def test_embed_only_url_forms_are_decided_by_their_platform(url, post_id):
    ref = platforms.match_url(url)
    assert (ref.post_id if ref else None) == post_id


def test_a_platform_reads_its_own_urls_on_hosts_the_registry_does_not_list():
    from archiver.platforms import match_url, match_url_on

    url = "https://Social.Example.net/@reporter/113000000000000001"
    assert match_url(url) is None  # an instance nobody listed
    found = match_url_on("mastodon", url)
    assert (found.platform, found.post_id, found.url) == (
        "mastodon", "113000000000000001", "https://social.example.net/@reporter/113000000000000001")
