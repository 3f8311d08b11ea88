"""Embeds per platform x shape (reference Part A, A.0-A.13), with the full Embed record asserted:
platform, post_id, handle, canonical url, shape and, for snippets, the claim as the article shows it.

Markup written from the documented shapes in the reference, not copied from evaluation pages.
Complements test_embeds.py (which checks (platform, post_id) per shape) with the other fields.
"""
from __future__ import annotations

import pytest

from .conftest import embed_keys

UNSET = object()

# did and rkey reused by the Bluesky cases
DID = "did:plc:pqeikn4fnyts5seuh5bazj7b"


def case(case_id, markup, platform, post_id, url, shape, handle=UNSET, **claim):
    """One table row; `claim` holds claim_text / claim_author / claim_date / resolve_url / media_links."""
    expected = dict(platform=platform, post_id=post_id, url=url, shape=shape, **claim)
    if handle is not UNSET:
        expected["handle"] = handle
    return pytest.param(markup, expected, id=case_id)


def check(refs, expected):
    assert len(refs.embeds) == 1, [(e.platform, e.post_id, e.shape) for e in refs.embeds]
    embed = refs.embeds[0]
    got = {k: getattr(embed, k) for k in expected}
    assert got == expected
    assert embed.in_body is True
    return embed


# --- shape 1: the publisher's snippet ----------------------------------------------------------

SNIPPETS = [
    case("twitter-blockquote-x-host",
         '<blockquote class="twitter-tweet" data-lang="en" data-theme="dark" data-conversation="none">'
         '<p lang="en" dir="ltr">Air defence is working over Kyiv tonight.<br>Stay in shelters '
         '<a href="https://twitter.com/hashtag/Kyiv?src=hash&amp;ref_src=twsrc%5Etfw">#Kyiv</a> '
         '<a href="https://t.co/Qw3rTy">pic.twitter.com/Qw3rTy</a></p>'
         '&mdash; Kyiv City (@Kyiv_City) <a href="https://x.com/Kyiv_City/status/1901234567890123456?ref_src=twsrc%5Etfw">'
         'March 16, 2025</a></blockquote>'
         '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>',
         "twitter", "1901234567890123456", "https://twitter.com/Kyiv_City/status/1901234567890123456", "snippet",
         handle="Kyiv_City", claim_text="Air defence is working over Kyiv tonight.\nStay in shelters #Kyiv pic.twitter.com/Qw3rTy",
         claim_author="Kyiv City", claim_date="March 16, 2025", media_links=("https://t.co/Qw3rTy",)),
    case("twitter-blockquote-mobile-photo-path",
         '<blockquote class="twitter-tweet"><p lang="de" dir="ltr">Das ist ein Test.</p>&mdash; Anna B. (@anna_b) '
         '<a href="https://mobile.twitter.com/anna_b/status/1700000000000000123/photo/1">12. Mai 2024</a></blockquote>',
         "twitter", "1700000000000000123", "https://twitter.com/anna_b/status/1700000000000000123", "snippet",
         handle="anna_b", claim_text="Das ist ein Test.", claim_author="Anna B.", claim_date="12. Mai 2024"),
    case("twitter-blockquote-i-web-status",
         '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Short one.</p>&mdash; Some Desk (@somedesk) '
         '<a href="https://twitter.com/i/web/status/1700000000000000456">June 2, 2024</a></blockquote>',
         "twitter", "1700000000000000456", "https://twitter.com/somedesk/status/1700000000000000456", "snippet",
         handle="somedesk", claim_text="Short one.", claim_author="Some Desk", claim_date="June 2, 2024"),
    case("twitter-video-blockquote",
         '<blockquote class="twitter-video" data-lang="en"><p lang="en" dir="ltr">Footage from the scene '
         '<a href="https://t.co/vid123">pic.twitter.com/vid123</a></p>&mdash; Field Reporter (@fieldrep) '
         '<a href="https://twitter.com/fieldrep/status/1700000000000000789/video/1">April 3, 2024</a></blockquote>',
         "twitter", "1700000000000000789", "https://twitter.com/fieldrep/status/1700000000000000789", "snippet",
         handle="fieldrep", claim_text="Footage from the scene pic.twitter.com/vid123",
         claim_author="Field Reporter", claim_date="April 3, 2024"),
    case("instagram-blockquote-reel-user-prefix",
         '<blockquote class="instagram-media" data-instgrm-captioned '
         'data-instgrm-permalink="https://www.instagram.com/someuser/reel/DAbc_12-xyZ/?utm_source=ig_embed&amp;utm_campaign=loading" '
         'data-instgrm-version="14"><div style="padding:16px;"><a href="https://www.instagram.com/someuser/reel/DAbc_12-xyZ/?utm_source=ig_embed">'
         'View this post on Instagram</a><p><a href="https://www.instagram.com/someuser/reel/DAbc_12-xyZ/?utm_source=ig_embed">'
         'A post shared by Some User (@someuser)</a></p></div></blockquote>'
         '<script async src="//www.instagram.com/embed.js"></script>',
         "instagram", "DAbc_12-xyZ", "https://www.instagram.com/reel/DAbc_12-xyZ/", "snippet",
         handle="someuser", claim_author="Some User"),
    case("instagram-blockquote-old-with-caption-and-time",
         '<blockquote class="instagram-media" data-instgrm-captioned data-instgrm-version="7">'
         '<div><p><a href="https://www.instagram.com/p/BQ3xYz1aBcD/">Sunset over the harbour.</a></p>'
         '<p>A post shared by Harbour Cam (@harbourcam) on <time style="x" datetime="2017-02-20T18:01:02+00:00">'
         'Feb 20, 2017 at 10:01am PST</time></p></div></blockquote>',
         "instagram", "BQ3xYz1aBcD", "https://www.instagram.com/p/BQ3xYz1aBcD/", "snippet",
         handle="harbourcam", claim_text="Sunset over the harbour.", claim_date="Feb 20, 2017 at 10:01am PST"),
    case("tiktok-blockquote",
         '<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@scout2015/video/6718335390845095173" '
         'data-video-id="6718335390845095173" style="max-width: 605px;min-width: 325px;"><section>'
         '<a target="_blank" title="@scout2015" href="https://www.tiktok.com/@scout2015?refer=embed">@scout2015</a> '
         'Scramble up ur name &amp; I&#8217;ll try to guess it '
         '<a title="foryoupage" target="_blank" href="https://www.tiktok.com/tag/foryoupage?refer=embed">#foryoupage</a> '
         '<a target="_blank" title="&#9836; original sound - scout" href="https://www.tiktok.com/music/original-sound-6718335391">'
         '&#9836; original sound - scout</a></section></blockquote>'
         '<script async src="https://www.tiktok.com/embed.js"></script>',
         "tiktok", "6718335390845095173", "https://www.tiktok.com/@scout2015/video/6718335390845095173", "snippet",
         handle="scout2015",
         claim_text="@scout2015 Scramble up ur name & I\u2019ll try to guess it #foryoupage \u266c original sound - scout"),
    case("facebook-fb-post-with-fallback",
         '<div id="fb-root"></div><script async defer crossorigin="anonymous" '
         'src="https://connect.facebook.net/en_US/sdk.js#xfbml=1&amp;version=v21.0"></script>'
         '<div class="fb-post" data-href="https://www.facebook.com/cityhall/posts/pfbid02AbCdEfGh" data-width="500" '
         'data-show-text="true"><blockquote cite="https://www.facebook.com/cityhall/posts/pfbid02AbCdEfGh" '
         'class="fb-xfbml-parse-ignore"><p>Road closures this weekend.</p>Posted by '
         '<a href="https://www.facebook.com/cityhall">City Hall</a> on '
         '<a href="https://www.facebook.com/cityhall/posts/pfbid02AbCdEfGh">Friday, March 14, 2025</a></blockquote></div>',
         "facebook", "pfbid02AbCdEfGh", "https://www.facebook.com/cityhall/posts/pfbid02AbCdEfGh/", "snippet",
         handle="cityhall"),
    case("facebook-fb-video",
         '<div class="fb-video" data-href="https://www.facebook.com/cityhall/videos/1234567890123456/" '
         'data-width="500" data-show-text="false"></div>',
         "facebook", "1234567890123456", "https://www.facebook.com/cityhall/videos/1234567890123456/", "snippet"),
    case("telegram-widget-script",
         '<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="kyivindependent_official/12345" '
         'data-width="100%" data-userpic="false" data-color="29B127" data-dark="1"></script>',
         "telegram", "kyivindependent_official/12345", "https://t.me/kyivindependent_official/12345", "snippet",
         handle="kyivindependent_official"),
    case("telegram-blockquote-cms-marker",
         '<blockquote class="telegram-post" data-telegram-post="durov/43">Durov: the post text shown by the CMS</blockquote>',
         "telegram", "durov/43", "https://t.me/durov/43", "snippet", handle="durov"),
    case("bluesky-blockquote-name-then-linked-handle",
         f'<blockquote class="bluesky-embed" data-bluesky-uri="at://{DID}/app.bsky.feed.post/3la4vfasktq27" '
         'data-bluesky-cid="bafyreidl4kaed27iku6slbtccliuiqhr3p2rsjku4sntblb4spbb4kswwy" data-bluesky-embed-color-mode="system">'
         f'<p lang="en">The vote is tonight.<br><a href="https://bsky.app/profile/{DID}/post/3la4vfasktq27?ref_src=embed">'
         '[image or embed]</a></p>&mdash; Jane Reporter '
         f'(<a href="https://bsky.app/profile/{DID}?ref_src=embed">@jane.bsky.social</a>) '
         f'<a href="https://bsky.app/profile/{DID}/post/3la4vfasktq27?ref_src=embed">November 4, 2024 at 9:09 AM</a>'
         '</blockquote><script async src="https://embed.bsky.app/static/embed.js" charset="utf-8"></script>',
         "bluesky", "3la4vfasktq27", f"https://bsky.app/profile/{DID}/post/3la4vfasktq27", "snippet",
         handle="jane.bsky.social", claim_text="The vote is tonight.\n[image or embed]",
         claim_author="Jane Reporter", claim_date="November 4, 2024 at 9:09 AM"),
    case("bluesky-blockquote-linked-name-and-handle-localized-date",
         f'<blockquote class="bluesky-embed" data-bluesky-uri="at://{DID}/app.bsky.feed.post/3lhxyzabc2k2p" '
         'data-bluesky-cid="bafyreiabc"><p lang="ja">こんにちは</p>&mdash; '
         f'<a href="https://bsky.app/profile/{DID}?ref_src=embed">Taro (@taro.example.jp)</a> '
         f'<a href="https://bsky.app/profile/{DID}/post/3lhxyzabc2k2p?ref_src=embed">2025年2月11日 19:30</a></blockquote>',
         "bluesky", "3lhxyzabc2k2p", f"https://bsky.app/profile/{DID}/post/3lhxyzabc2k2p", "snippet",
         handle="taro.example.jp", claim_text="こんにちは", claim_author="Taro", claim_date="2025年2月11日 19:30"),
    case("mastodon-blockquote-4.3",
         '<blockquote class="mastodon-embed" data-embed-url="https://mastodon.social/@Gargron/114638610368343397/embed" '
         'style="background: #FCF8FF;"><a href="https://mastodon.social/@Gargron/114638610368343397" target="_blank">'
         '<svg></svg><div>Post by @Gargron@mastodon.social</div><div>View on Mastodon</div></a></blockquote>'
         '<script data-allowed-prefixes="https://mastodon.social/" async src="https://mastodon.social/embed.js"></script>',
         "mastodon", "114638610368343397", "https://mastodon.social/@Gargron/114638610368343397", "snippet",
         handle="Gargron@mastodon.social"),
    case("threads-blockquote-threads-com",
         '<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.com/@zuck/post/DBxyz12AbCd" '
         'data-text-post-version="0" id="ig-tp-DBxyz12AbCd"><a href="https://www.threads.com/@zuck/post/DBxyz12AbCd" '
         'target="_blank"><svg></svg><div>Post by @zuck</div><div>View on Threads</div></a></blockquote>'
         '<script async src="https://www.threads.com/embed.js"></script>',
         "threads", "DBxyz12AbCd", "https://www.threads.net/@zuck/post/DBxyz12AbCd", "snippet", handle="zuck"),
    case("reddit-embed-bq",
         '<blockquote class="reddit-embed-bq" style="height:500px" data-embed-height="546">'
         '<a href="https://www.reddit.com/r/math/comments/66k3c0/what_is_your_favourite_proof/">What is your favourite proof?</a><br>'
         ' by <a href="https://www.reddit.com/user/name/">u/name</a> in <a href="https://www.reddit.com/r/math/">math</a></blockquote>'
         '<script async src="https://embed.reddit.com/widgets.js" charset="UTF-8"></script>',
         "reddit", "66k3c0", "https://www.reddit.com/r/math/comments/66k3c0/", "snippet",
         claim_text="What is your favourite proof?"),
    case("reddit-card-legacy",
         '<blockquote class="reddit-card" data-card-created="1565684298">'
         '<a href="https://www.reddit.com/r/Sub/comments/cpd3u0/some_title/">Some title</a> from '
         '<a href="http://www.reddit.com/r/Sub">r/Sub</a></blockquote>'
         '<script async src="//embed.redditmedia.com/widgets/platform.js" charset="UTF-8"></script>',
         "reddit", "cpd3u0", "https://www.reddit.com/r/Sub/comments/cpd3u0/", "snippet", claim_text="Some title"),
    case("vk-post-widget",
         '<div id="vk_post_-211296925_60"></div><script src="https://vk.com/js/api/openapi.js?169"></script>'
         '<script>VK.Widgets.Post("vk_post_-211296925_60", -211296925, 60, \'bVYhst3km4JT6iZGIjNrIdnZCDT1\', {width: 500});</script>',
         "vk", "-211296925_60", "https://vk.com/wall-211296925_60", "snippet"),
    case("flourish-div-story-versioned",
         '<div class="flourish-embed" data-src="story/1234567?2345678"><script src="https://public.flourish.studio/resources/embed.js">'
         '</script><noscript><img src="https://public.flourish.studio/story/1234567/thumbnail" width="100%" alt="story"></noscript></div>',
         "flourish", "story/1234567", "https://public.flourish.studio/story/1234567/", "snippet"),
    case("datawrapper-div-script",
         '<div style="min-height:420px" id="datawrapper-vis-Ab1Cd"><script type="text/javascript" defer '
         'src="https://datawrapper.dwcdn.net/Ab1Cd/embed.js" charset="utf-8" data-target="#datawrapper-vis-Ab1Cd"></script>'
         '<noscript><img src="https://datawrapper.dwcdn.net/Ab1Cd/full.png" alt=""></noscript></div>',
         "datawrapper", "Ab1Cd", "https://datawrapper.dwcdn.net/Ab1Cd/", "snippet"),
]


@pytest.mark.parametrize("markup,expected", SNIPPETS)
def test_snippet(run, markup, expected):
    check(run(markup), expected)


def test_claim_text_keeps_blank_lines_verbatim(run):
    """<br><br> in a post is an empty line of its text; the claim is the text as the article shows it."""
    refs = run('<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Breaking:<br><br>Second paragraph.</p>'
               '&mdash; Desk (@desk) <a href="https://twitter.com/desk/status/1700000000000000999">May 7, 2024</a>'
               '</blockquote>')
    assert refs.embeds[0].claim_text == "Breaking:\n\nSecond paragraph."


# --- shape 2: the iframe a platform script rendered, and shape 3: bare iframes -----------------

IFRAMES = [
    case("twitter-rendered",
         '<div class="twitter-tweet twitter-tweet-rendered" style="display: flex;"><iframe id="twitter-widget-0" '
         'scrolling="no" frameborder="0" allowtransparency="true" allowfullscreen="true" title="X Post" '
         'src="https://platform.twitter.com/embed/Tweet.html?dnt=true&amp;embedId=twitter-widget-0&amp;frame=false'
         '&amp;hideCard=false&amp;hideThread=false&amp;id=1636796541368139777&amp;lang=en&amp;theme=light&amp;width=550px" '
         'data-tweet-id="1636796541368139777"></iframe></div>',
         "twitter", "1636796541368139777", "https://twitter.com/i/status/1636796541368139777", "iframe"),
    case("twitter-handwritten-iframe",
         '<iframe src="https://platform.twitter.com/embed/Tweet.html?id=1636796541368139777&amp;dnt=true&amp;theme=dark" '
         'width="550" height="600"></iframe>',
         "twitter", "1636796541368139777", "https://twitter.com/i/status/1636796541368139777", "iframe"),
    case("instagram-rendered",
         '<iframe class="instagram-media instagram-media-rendered" id="instagram-embed-0" '
         'src="https://www.instagram.com/p/C5wSgl9swC9/embed/captioned/?cr=1&amp;v=14&amp;wp=540" allowtransparency="true" '
         'frameborder="0" height="800" data-instgrm-payload-id="instagram-media-payload-0" scrolling="no"></iframe>',
         "instagram", "C5wSgl9swC9", "https://www.instagram.com/p/C5wSgl9swC9/", "iframe"),
    case("instagram-bare-reel-embed",
         '<iframe src="https://www.instagram.com/reel/C9reel_AbC1/embed/" width="400" height="480"></iframe>',
         "instagram", "C9reel_AbC1", "https://www.instagram.com/reel/C9reel_AbC1/", "iframe"),
    case("tiktok-embed-v2",
         '<iframe src="https://www.tiktok.com/embed/v2/7345678901234567890" style="width:325px;height:740px"></iframe>',
         "tiktok", "7345678901234567890", "https://www.tiktok.com/embed/v2/7345678901234567890", "iframe"),
    case("tiktok-player-v1",
         '<iframe src="https://www.tiktok.com/player/v1/7345678901234567890?music_info=1&amp;description=1"></iframe>',
         "tiktok", "7345678901234567890", "https://www.tiktok.com/embed/v2/7345678901234567890", "iframe"),
    case("facebook-plugins-post",
         '<iframe src="https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fcityhall%2Fposts%2F'
         'pfbid02AbCdEfGh&amp;show_text=true&amp;width=500" width="500" height="600" frameborder="0"></iframe>',
         "facebook", "pfbid02AbCdEfGh", "https://www.facebook.com/cityhall/posts/pfbid02AbCdEfGh/", "iframe"),
    case("facebook-plugins-video",
         '<iframe src="https://www.facebook.com/plugins/video.php?height=314&amp;href=https%3A%2F%2Fwww.facebook.com%2F'
         'cityhall%2Fvideos%2F1234567890123456%2F&amp;show_text=false&amp;width=560&amp;t=0" width="560"></iframe>',
         "facebook", "1234567890123456", "https://www.facebook.com/cityhall/videos/1234567890123456/", "iframe"),
    case("youtube-embed",
         '<iframe width="560" height="315" src="https://www.youtube.com/embed/iwGFalTRHDA?si=AbCdEf&amp;start=30" '
         'title="YouTube video player" frameborder="0" allowfullscreen></iframe>',
         "youtube", "iwGFalTRHDA", "https://www.youtube.com/watch?v=iwGFalTRHDA", "iframe"),
    case("youtube-nocookie-protocol-relative",
         '<iframe src="//www.youtube-nocookie.com/embed/iwGFalTRHDA?rel=0"></iframe>',
         "youtube", "iwGFalTRHDA", "https://www.youtube.com/watch?v=iwGFalTRHDA", "iframe"),
    case("youtube-playlist",
         '<iframe src="https://www.youtube.com/embed/videoseries?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG"></iframe>',
         "youtube", "PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
         "https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG", "iframe"),
    case("youtube-lite-youtube",
         '<lite-youtube videoid="iwGFalTRHDA" playlabel="Play: Video title" params="controls=0"></lite-youtube>',
         "youtube", "iwGFalTRHDA", "https://www.youtube.com/watch?v=iwGFalTRHDA", "iframe"),
    case("telegram-rendered-iframe",
         '<iframe id="telegram-post-durov-43" src="https://t.me/durov/43?embed=1&amp;userpic=false" width="100%" '
         'height="" frameborder="0" scrolling="no" style="overflow: hidden; border: none;"></iframe>',
         "telegram", "durov/43", "https://t.me/durov/43", "iframe", handle="durov"),
    case("telegram-s-path-iframe",
         '<iframe src="https://t.me/s/durov/43?embed=1&amp;mode=tme"></iframe>',
         "telegram", "durov/43", "https://t.me/durov/43", "iframe", handle="durov"),
    case("bluesky-rendered-iframe",
         f'<iframe src="https://embed.bsky.app/embed/{DID}/app.bsky.feed.post/3la4vfasktq27?id=6470&amp;ref_url=https%253A%252F%252Fnews.example.com" '
         'data-bluesky-id="6470" scrolling="no" style="border: none; width: 100%;"></iframe>',
         "bluesky", "3la4vfasktq27", f"https://bsky.app/profile/{DID}/post/3la4vfasktq27", "iframe"),
    case("mastodon-classic-iframe-other-instance",
         '<iframe src="https://journa.host/@editor/111222333444555666/embed" class="mastodon-embed" '
         'style="max-width: 100%; border: 0" width="400" allowfullscreen="allowfullscreen"></iframe>'
         '<script src="https://journa.host/embed.js" async="async"></script>',
         "mastodon", "111222333444555666", "https://journa.host/@editor/111222333444555666", "iframe",
         handle="editor@journa.host"),
    case("mastodon-iframe-unlisted-instance",
         '<iframe src="https://social.example.net/@alice/109876543210987654/embed" class="mastodon-embed"></iframe>',
         "mastodon", "109876543210987654", "https://social.example.net/@alice/109876543210987654", "iframe",
         handle="alice@social.example.net"),
    case("truthsocial-iframe",
         '<iframe src="https://truthsocial.com/@realDonaldTrump/114123456789012345/embed" class="truthsocial-embed" '
         'style="max-width: 100%; border: 0" width="600" allowfullscreen="allowfullscreen"></iframe>'
         '<script src="https://truthsocial.com/embed.js" async="async"></script>',
         "truthsocial", "114123456789012345", "https://truthsocial.com/@realDonaldTrump/114123456789012345", "iframe",
         handle="realDonaldTrump"),
    case("reddit-embed-iframe",
         '<iframe id="reddit-embed" src="https://embed.reddit.com/r/math/comments/66k3c0/what_is_your_favourite_proof/'
         '?embed=true&amp;ref_source=embed&amp;ref=share" sandbox="allow-scripts" height="316"></iframe>',
         "reddit", "66k3c0", "https://www.reddit.com/r/math/comments/66k3c0/", "iframe"),
    case("reddit-redditmedia-comment-iframe",
         '<iframe src="https://www.redditmedia.com/r/news/comments/abc123/some_slug/def456/?ref_source=embed&amp;ref=share&amp;embed=true"></iframe>',
         "reddit", "abc123/def456", "https://www.reddit.com/r/news/comments/abc123/some_slug/def456/", "iframe"),
    case("linkedin-ugcpost",
         '<iframe src="https://www.linkedin.com/embed/feed/update/urn:li:ugcPost:7304286962587242496?compact=1" '
         'height="399" width="504" frameborder="0" allowfullscreen="" title="Embedded post"></iframe>',
         "linkedin", "urn:li:ugcPost:7304286962587242496",
         "https://www.linkedin.com/feed/update/urn:li:ugcPost:7304286962587242496/", "iframe"),
    case("vk-video-ext",
         '<iframe src="https://vk.com/video_ext.php?oid=-211296925&amp;id=456239017&amp;hash=5f8d2b8c1e" width="640" '
         'height="360" allow="autoplay; encrypted-media; fullscreen" frameborder="0" allowfullscreen></iframe>',
         "vk", "-211296925_456239017", "https://vk.com/video-211296925_456239017", "iframe"),
    case("vimeo-unlisted-hash",
         '<iframe src="https://player.vimeo.com/video/347119375?h=be462f9adc&amp;badge=0&amp;autopause=0" '
         'frameborder="0" allow="autoplay; fullscreen" title="Film"></iframe>',
         "vimeo", "347119375", "https://vimeo.com/347119375/be462f9adc", "iframe"),
    case("dailymotion-embed",
         '<iframe frameborder="0" width="640" height="360" src="https://www.dailymotion.com/embed/video/x8zq9ab?autoplay=0" '
         'allowfullscreen allow="autoplay"></iframe>',
         "dailymotion", "x8zq9ab", "https://www.dailymotion.com/video/x8zq9ab", "iframe"),
    case("dailymotion-player",
         '<iframe src="https://geo.dailymotion.com/player.html?video=x8zq9ab"></iframe>',
         "dailymotion", "x8zq9ab", "https://www.dailymotion.com/video/x8zq9ab", "iframe"),
    case("spotify-episode",
         '<iframe style="border-radius:12px" src="https://open.spotify.com/embed/episode/512ojhOuo1ktJprKbVcKyQ?utm_source=generator" '
         'width="100%" height="152" frameborder="0" allowfullscreen="" loading="lazy"></iframe>',
         "spotify", "512ojhOuo1ktJprKbVcKyQ", "https://open.spotify.com/episode/512ojhOuo1ktJprKbVcKyQ", "iframe"),
    case("spotify-playlist",
         '<iframe src="https://open.spotify.com/embed/playlist/37i9dQZF1DXcBWIGoYBM5M?utm_source=generator&amp;theme=0"></iframe>',
         "spotify", "37i9dQZF1DXcBWIGoYBM5M", "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M", "iframe"),
    case("soundcloud-player",
         '<iframe width="100%" height="166" scrolling="no" frameborder="no" allow="autoplay" '
         'src="https://w.soundcloud.com/player/?url=https%3A//api.soundcloud.com/tracks/293&amp;color=%23ff5500&amp;auto_play=false"></iframe>',
         "soundcloud", "293", "https://api.soundcloud.com/tracks/293", "iframe"),
    case("giphy-embed",
         '<iframe src="https://giphy.com/embed/l0MYt5jPR6QX5pnqM" width="480" height="270" frameBorder="0" '
         'class="giphy-embed" allowFullScreen></iframe><p><a href="https://giphy.com/gifs/l0MYt5jPR6QX5pnqM">via GIPHY</a></p>',
         "giphy", "l0MYt5jPR6QX5pnqM", "https://giphy.com/gifs/l0MYt5jPR6QX5pnqM", "iframe"),
    case("flourish-iframe",
         '<iframe src="https://flo.uri.sh/visualisation/8624951/embed" title="Interactive or visual content" '
         'class="flourish-embed-iframe" frameborder="0" scrolling="no" style="width:100%;height:600px;"></iframe>',
         "flourish", "visualisation/8624951", "https://public.flourish.studio/visualisation/8624951/", "iframe"),
    case("datawrapper-iframe",
         '<iframe title="Casualties by month" aria-label="Map" id="datawrapper-chart-fMDc4" '
         'src="https://datawrapper.dwcdn.net/fMDc4/6/" scrolling="no" frameborder="0" '
         'style="width: 0; min-width: 100% !important; border: none;" height="503" data-external="1"></iframe>'
         '<script type="text/javascript">!function(){"use strict";window.addEventListener("message",function(a){'
         'if(void 0!==a.data["datawrapper-height"]){}})}();</script>',
         "datawrapper", "fMDc4", "https://datawrapper.dwcdn.net/fMDc4/6/", "iframe"),
    case("googlemaps-pb",
         '<iframe src="https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2540.1!2d30.52!3d50.45" width="600" '
         'height="450" style="border:0;" allowfullscreen="" loading="lazy"></iframe>',
         "googlemaps", "!1m18!1m12!1m3!1d2540.1!2d30.52!3d50.45",
         "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2540.1!2d30.52!3d50.45", "iframe"),
    case("googlemaps-embed-api-place",
         '<iframe src="https://www.google.com/maps/embed/v1/place?key=API_KEY&amp;q=Maidan+Nezalezhnosti,Kyiv"></iframe>',
         "googlemaps", "Maidan Nezalezhnosti,Kyiv",
         "https://www.google.com/maps/embed/v1/place?key=API_KEY&q=Maidan+Nezalezhnosti,Kyiv", "iframe"),
    case("googlemaps-legacy-output-embed",
         '<iframe src="https://maps.google.com/maps?q=Kyiv&amp;t=&amp;z=13&amp;ie=UTF8&amp;iwloc=&amp;output=embed"></iframe>',
         "googlemaps", "Kyiv", "https://maps.google.com/maps?q=Kyiv&t=&z=13&ie=UTF8&iwloc=&output=embed", "iframe"),
]


@pytest.mark.parametrize("markup,expected", IFRAMES)
def test_iframe(run, markup, expected):
    check(run(markup), expected)


# --- shape 4a: AMP custom elements ---------------------------------------------------------------

AMP = [
    case("amp-twitter-with-placeholder",
         '<amp-twitter width="375" height="472" layout="responsive" data-tweetid="885634330868850689">'
         '<blockquote placeholder class="twitter-tweet" data-lang="en"><p lang="en" dir="ltr">Hello from AMP</p>'
         '&mdash; AMP Project (@AMPhtml) <a href="https://twitter.com/AMPhtml/status/885634330868850689">July 13, 2017</a>'
         '</blockquote></amp-twitter>',
         "twitter", "885634330868850689", "https://twitter.com/AMPhtml/status/885634330868850689", "amp",
         handle="AMPhtml", claim_text="Hello from AMP", claim_author="AMP Project", claim_date="July 13, 2017"),
    case("amp-twitter-bare",
         '<amp-twitter width="375" height="472" layout="responsive" data-tweetid="885634330868850689"></amp-twitter>',
         "twitter", "885634330868850689", "https://twitter.com/i/status/885634330868850689", "amp", handle=None),
    case("amp-instagram",
         '<amp-instagram data-shortcode="fBwFP" data-captioned width="400" height="400" layout="responsive"></amp-instagram>',
         "instagram", "fBwFP", "https://www.instagram.com/p/fBwFP/", "amp"),
    case("amp-tiktok-url",
         '<amp-tiktok width="325" height="575" '
         'data-src="https://www.tiktok.com/@scout2015/video/6718335390845095173"></amp-tiktok>',
         "tiktok", "6718335390845095173", "https://www.tiktok.com/@scout2015/video/6718335390845095173", "amp",
         handle="scout2015"),
    case("amp-facebook-video",
         '<amp-facebook width="552" height="310" layout="responsive" data-embed-as="video" '
         'data-href="https://www.facebook.com/cityhall/videos/1234567890123456/"></amp-facebook>',
         "facebook", "1234567890123456", "https://www.facebook.com/cityhall/videos/1234567890123456/", "amp"),
    case("amp-youtube",
         '<amp-youtube data-videoid="mGENRKrdoGY" layout="responsive" width="480" height="270"></amp-youtube>',
         "youtube", "mGENRKrdoGY", "https://www.youtube.com/watch?v=mGENRKrdoGY", "amp"),
    case("amp-vimeo",
         '<amp-vimeo data-videoid="27246366" layout="responsive" width="500" height="281"></amp-vimeo>',
         "vimeo", "27246366", "https://vimeo.com/27246366", "amp"),
    case("amp-dailymotion",
         '<amp-dailymotion data-videoid="x8zq9ab" layout="responsive" width="480" height="270"></amp-dailymotion>',
         "dailymotion", "x8zq9ab", "https://www.dailymotion.com/video/x8zq9ab", "amp"),
    case("amp-soundcloud-playlist",
         '<amp-soundcloud height="300" layout="fixed-height" data-playlistid="151584683"></amp-soundcloud>',
         "soundcloud", "151584683", "https://api.soundcloud.com/playlists/151584683", "amp"),
    case("amp-reddit",
         '<amp-reddit layout="responsive" width="300" height="400" data-embedtype="post" '
         'data-src="https://www.reddit.com/r/me_irl/comments/52rmir/me_irl/?ref=share&amp;ref_source=embed"></amp-reddit>',
         "reddit", "52rmir", "https://www.reddit.com/r/me_irl/comments/52rmir/", "amp"),
    case("amp-vk",
         '<amp-vk width="500" height="300" data-embedtype="post" data-owner-id="-211296925" data-post-id="60" '
         'data-hash="bVYhst3km4JT6iZGIjNrIdnZCDT1" layout="responsive"></amp-vk>',
         "vk", "-211296925_60", "https://vk.com/wall-211296925_60", "amp"),
    case("amp-iframe-datawrapper",
         '<amp-iframe width="600" height="400" layout="responsive" sandbox="allow-scripts allow-same-origin" '
         'src="https://datawrapper.dwcdn.net/fMDc4/6/"><amp-img layout="fill" src="https://datawrapper.dwcdn.net/fMDc4/full.png" '
         'placeholder></amp-img></amp-iframe>',
         "datawrapper", "fMDc4", "https://datawrapper.dwcdn.net/fMDc4/6/", "amp"),
    case("amp-iframe-flourish",
         '<amp-iframe width="600" height="400" layout="responsive" sandbox="allow-scripts allow-same-origin" '
         'src="https://flo.uri.sh/visualisation/8624951/embed"></amp-iframe>',
         "flourish", "visualisation/8624951", "https://public.flourish.studio/visualisation/8624951/", "amp"),
]


@pytest.mark.parametrize("markup,expected", AMP)
def test_amp(run, markup, expected):
    check(run(markup), expected)


# --- shape 4b: WordPress / Gutenberg embed blocks ------------------------------------------------

def wp(slug: str, kind: str, inner: str) -> str:
    return (f'<figure class="wp-block-embed is-type-{kind} is-provider-{slug} wp-block-embed-{slug} '
            f'wp-embed-aspect-16-9 wp-has-aspect-ratio"><div class="wp-block-embed__wrapper">\n{inner}\n</div>'
            '<figcaption class="wp-element-caption">Caption written by the editor</figcaption></figure>')


CMS = [
    case("wp-twitter-lone-url-x-host",
         wp("twitter", "rich", "https://x.com/JackReichert/status/605392760896659456"),
         "twitter", "605392760896659456", "https://twitter.com/JackReichert/status/605392760896659456", "cms",
         handle="JackReichert"),
    case("wp-youtube-anchor",
         wp("youtube", "video", '<a href="https://www.youtube.com/watch?v=iwGFalTRHDA">https://www.youtube.com/watch?v=iwGFalTRHDA</a>'),
         "youtube", "iwGFalTRHDA", "https://www.youtube.com/watch?v=iwGFalTRHDA", "cms"),
    case("wp-youtube-short-link",
         wp("youtube", "video", "https://youtu.be/iwGFalTRHDA"),
         "youtube", "iwGFalTRHDA", "https://www.youtube.com/watch?v=iwGFalTRHDA", "cms"),
    case("wp-instagram-lone-url",
         wp("instagram", "rich", "https://www.instagram.com/p/C5wSgl9swC9/"),
         "instagram", "C5wSgl9swC9", "https://www.instagram.com/p/C5wSgl9swC9/", "cms"),
    case("wp-tiktok-lone-url",
         wp("tiktok", "video", "https://www.tiktok.com/@scout2015/video/6718335390845095173"),
         "tiktok", "6718335390845095173", "https://www.tiktok.com/@scout2015/video/6718335390845095173", "cms",
         handle="scout2015"),
    case("wp-facebook-lone-url",
         wp("facebook", "rich", "https://www.facebook.com/cityhall/posts/pfbid02AbCdEfGh"),
         "facebook", "pfbid02AbCdEfGh", "https://www.facebook.com/cityhall/posts/pfbid02AbCdEfGh/", "cms"),
    case("wp-reddit-lone-url",
         wp("reddit", "rich", "https://www.reddit.com/r/math/comments/66k3c0/what_is_your_favourite_proof/"),
         "reddit", "66k3c0", "https://www.reddit.com/r/math/comments/66k3c0/", "cms"),
    case("wp-vimeo-lone-url",
         wp("vimeo", "video", "https://vimeo.com/347119375"),
         "vimeo", "347119375", "https://vimeo.com/347119375", "cms"),
    case("wp-spotify-lone-url",
         wp("spotify", "rich", "https://open.spotify.com/track/4cOdK2wGLETKBW3PvgPWqT"),
         "spotify", "4cOdK2wGLETKBW3PvgPWqT", "https://open.spotify.com/track/4cOdK2wGLETKBW3PvgPWqT", "cms"),
    case("wp-bluesky-lone-url",
         wp("bluesky", "rich", "https://bsky.app/profile/jane.bsky.social/post/3la4vfasktq27"),
         "bluesky", "3la4vfasktq27", "https://bsky.app/profile/jane.bsky.social/post/3la4vfasktq27", "cms",
         handle="jane.bsky.social"),
    # the theme expanded the block: the provider's snippet inside the wrapper is read as a snippet
    case("wp-expanded-twitter-snippet",
         wp("twitter", "rich", '<blockquote class="twitter-tweet" data-width="550"><p lang="en" dir="ltr">Expanded.</p>'
            '&mdash; Jack (@JackReichert) <a href="https://twitter.com/JackReichert/status/605392760896659456">'
            'June 1, 2015</a></blockquote><script async src="https://platform.twitter.com/widgets.js"></script>'),
         "twitter", "605392760896659456", "https://twitter.com/JackReichert/status/605392760896659456", "snippet",
         handle="JackReichert", claim_text="Expanded.", claim_author="Jack", claim_date="June 1, 2015"),
    case("wp-expanded-youtube-iframe",
         wp("youtube", "video", '<iframe title="Video" width="500" height="281" '
            'src="https://www.youtube.com/embed/iwGFalTRHDA?feature=oembed" frameborder="0" allowfullscreen></iframe>'),
         "youtube", "iwGFalTRHDA", "https://www.youtube.com/watch?v=iwGFalTRHDA", "iframe"),
]


@pytest.mark.parametrize("markup,expected", CMS)
def test_cms(run, markup, expected):
    check(run(markup), expected)


# --- shape 5: plain-text residue ------------------------------------------------------------------

TEXT = [
    case("residue-pic-link",
         "<p>Russian forces shelled the city overnight, officials said. pic.twitter.com/gnQ2SJcZjv "
         "\u2014 Front Watch (@frontwatch) March 16, 2025</p>",
         "twitter", None, None, "text", handle="frontwatch",
         claim_text="Russian forces shelled the city overnight, officials said. pic.twitter.com/gnQ2SJcZjv",
         claim_author="Front Watch", claim_date="March 16, 2025",
         resolve_url="https://pic.twitter.com/gnQ2SJcZjv"),
    case("residue-tco-link",
         "<p>New statement from the ministry https://t.co/AbCdE12345 \u2014 Ministry Of Defence (@DefenceHQ) "
         "February 3, 2025</p>",
         "twitter", None, None, "text", handle="DefenceHQ",
         claim_text="New statement from the ministry https://t.co/AbCdE12345", claim_author="Ministry Of Defence",
         claim_date="February 3, 2025", resolve_url="https://t.co/AbCdE12345"),
    case("residue-byline-own-paragraph",
         "<p>The bridge is open again after the repairs pic.x.com/Zz9Yy8Xx7W</p>"
         "<p>\u2014 Road Agency (@roadagency) January 9, 2025</p>",
         "twitter", None, None, "text", handle="roadagency",
         claim_text="The bridge is open again after the repairs pic.x.com/Zz9Yy8Xx7W", claim_author="Road Agency",
         claim_date="January 9, 2025", resolve_url="https://pic.x.com/Zz9Yy8Xx7W"),
    # Markdown converters keep the permalink: the residue is resolved by it
    case("residue-with-permalink",
         '<p>We will publish the full data tomorrow. \u2014 Data Team (@datateam) '
         '<a href="https://twitter.com/datateam/status/1110000000000000001">March 28, 2019</a></p>',
         "twitter", "1110000000000000001", "https://twitter.com/datateam/status/1110000000000000001", "text",
         handle="datateam", claim_text="We will publish the full data tomorrow.", claim_author="Data Team",
         claim_date="March 28, 2019", resolve_url=None),
]


@pytest.mark.parametrize("markup,expected", TEXT)
def test_text_residue(run, markup, expected):
    check(run(markup), expected)


# --- lazy loading, srcdoc, noscript, consent wrappers ----------------------------------------------

YT = ("youtube", "iwGFalTRHDA", "https://www.youtube.com/watch?v=iwGFalTRHDA")

LAZY = [
    case("twitter-iframe-data-src",
         '<iframe class="lazyload" data-src="https://platform.twitter.com/embed/Tweet.html?id=1636796541368139777"></iframe>',
         "twitter", "1636796541368139777", "https://twitter.com/i/status/1636796541368139777", "iframe"),
    case("instagram-iframe-data-lazy-src",
         '<iframe src="data:image/svg+xml,%3Csvg%3E%3C/svg%3E" '
         'data-lazy-src="https://www.instagram.com/p/C5wSgl9swC9/embed/"></iframe>',
         "instagram", "C5wSgl9swC9", "https://www.instagram.com/p/C5wSgl9swC9/", "iframe"),
    case("spotify-about-blank-plus-data-src",
         '<iframe src="about:blank" data-src="https://open.spotify.com/embed/album/1DFixLWuPkv3KT3TnV35m3"></iframe>',
         "spotify", "1DFixLWuPkv3KT3TnV35m3", "https://open.spotify.com/album/1DFixLWuPkv3KT3TnV35m3", "iframe"),
    case("vimeo-litespeed",
         '<iframe data-litespeed-src="https://player.vimeo.com/video/347119375" src="about:blank"></iframe>',
         "vimeo", "347119375", "https://vimeo.com/347119375", "iframe"),
    case("tweet-in-srcdoc",
         '<iframe srcdoc="&lt;blockquote class=&quot;twitter-tweet&quot;&gt;&lt;p lang=&quot;en&quot;&gt;Inside srcdoc&lt;/p&gt;'
         '&amp;mdash; Src Doc (@srcdoc_user) &lt;a href=&quot;https://twitter.com/srcdoc_user/status/1700000000000000321&quot;&gt;'
         'May 5, 2024&lt;/a&gt;&lt;/blockquote&gt;&lt;script async src=&quot;https://platform.twitter.com/widgets.js&quot;&gt;'
         '&lt;/script&gt;"></iframe>',
         "twitter", "1700000000000000321", "https://twitter.com/srcdoc_user/status/1700000000000000321", "iframe",
         handle="srcdoc_user", claim_text="Inside srcdoc", claim_date="May 5, 2024"),
    case("tweet-in-noscript",
         '<div class="embed-placeholder">Loading post</div><noscript><blockquote class="twitter-tweet">'
         '<p lang="en" dir="ltr">Fallback tweet.</p>&mdash; No Script (@noscript_u) '
         '<a href="https://twitter.com/noscript_u/status/1700000000000000654">May 6, 2024</a></blockquote></noscript>',
         "twitter", "1700000000000000654", "https://twitter.com/noscript_u/status/1700000000000000654", "snippet",
         handle="noscript_u", claim_text="Fallback tweet.", claim_date="May 6, 2024"),
    case("lazy-iframe-plus-noscript-same-video",
         '<iframe class="lazyload" data-src="https://www.youtube.com/embed/iwGFalTRHDA"></iframe>'
         '<noscript><iframe src="https://www.youtube.com/embed/iwGFalTRHDA"></iframe></noscript>',
         *YT, "iframe"),
    case("rll-youtube-player",
         '<div class="rll-youtube-player" data-src="https://www.youtube.com/embed/iwGFalTRHDA" data-id="iwGFalTRHDA" '
         'data-query="feature=oembed"></div><noscript><iframe src="https://www.youtube.com/embed/iwGFalTRHDA?feature=oembed">'
         '</iframe></noscript>',
         *YT, "iframe"),
    # consent managers block the iframe until the reader agrees
    case("consent-about-blank-data-src",
         '<div class="cmplz-blocked-content-container youtube"><div class="cmplz-blocked-content-notice">Accept marketing '
         'cookies to see this content</div><iframe class="cmplz-iframe cmplz-video" src="about:blank" '
         'data-src="https://www.youtube.com/embed/iwGFalTRHDA" data-category="marketing"></iframe></div>',
         *YT, "iframe"),
    case("consent-data-cmplz-src",
         '<iframe data-cmplz-src="https://www.youtube.com/embed/iwGFalTRHDA" src="about:blank" '
         'data-placeholder-image="https://news.example.com/wp-content/uploads/complianz/placeholders/yt.jpg" '
         'class="cmplz-placeholder-element cmplz-iframe cmplz-video"></iframe>',
         *YT, "iframe"),
    case("consent-data-src-cmplz",
         '<iframe data-cmplz-iframe="1" data-src-cmplz="https://www.youtube.com/embed/iwGFalTRHDA" src="about:blank" '
         'class="cmplz-iframe cmplz-video cmplz-hidden"></iframe>',
         *YT, "iframe"),
    case("consent-cookiebot-blocked-src",
         '<iframe data-cookieconsent="marketing" data-cookieblock-src="https://www.youtube.com/embed/iwGFalTRHDA" '
         'src="about:blank"></iframe><div class="cookieconsent-optout-marketing">Please accept marketing cookies.</div>',
         *YT, "iframe"),
    case("consent-placeholder-div-data-src",
         '<div class="cmplz-placeholder" data-src="https://www.youtube.com/embed/iwGFalTRHDA" '
         'data-placeholder-image="https://news.example.com/yt.jpg">Click to load the video</div>',
         *YT, "iframe"),
]


@pytest.mark.parametrize("markup,expected", LAZY)
def test_lazy_and_consent(run, markup, expected):
    check(run(markup), expected)


# --- script state (Next.js / JSON) -----------------------------------------------------------------

def test_next_data_instagram_embed(run):
    state = ('<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"article":{"blocks":['
             '{"__typename":"TextBlock","text":"Intro"},'
             '{"__typename":"InstagramEmbed","url":"https://www.instagram.com/p/C5wSgl9swC9/?utm_source=ig_web_copy_link"}'
             ']}}},"page":"/[slug]"}</script>')
    refs = run("<p>Only the text was rendered on the server.</p>", after=state)
    check(refs, dict(platform="instagram", post_id="C5wSgl9swC9", url="https://www.instagram.com/p/C5wSgl9swC9/",
                     shape="script"))


def test_json_state_tweet_url_key(run):
    state = ('<script type="application/json" data-hypernova-key="Article">{"body":[{"kind":"social",'
             '"tweetUrl":"https://twitter.com/someone/status/1700000000000000777"}]}</script>')
    refs = run("<p>Rendered text only.</p>", after=state)
    check(refs, dict(platform="twitter", post_id="1700000000000000777",
                     url="https://twitter.com/someone/status/1700000000000000777", handle="someone", shape="script"))


def test_script_state_embed_html(run):
    state = ('<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"body":[{"type":"oembed",'
             '"html":"<blockquote class=\\"tiktok-embed\\" cite=\\"https://www.tiktok.com/@scout2015/video/6718335390845095173\\" '
             'data-video-id=\\"6718335390845095173\\"><section>caption</section></blockquote>"}]}}}</script>')
    refs = run("<p>Rendered text only.</p>", after=state)
    check(refs, dict(platform="tiktok", post_id="6718335390845095173", handle="scout2015", shape="script"))


def test_script_state_does_not_duplicate_a_rendered_embed(run):
    state = ('<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"body":[{"type":"youtubeEmbed",'
             '"url":"https://www.youtube.com/watch?v=iwGFalTRHDA"}]}}}</script>')
    refs = run('<iframe src="https://www.youtube.com/embed/iwGFalTRHDA"></iframe>', after=state)
    assert embed_keys(refs) == [("youtube", "iwGFalTRHDA")]
    assert refs.embeds[0].shape == "iframe"


# --- one embed per post ----------------------------------------------------------------------------

INSTAGRAM_BQ = ('<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/C5wSgl9swC9/" '
                'data-instgrm-version="14"><div><p><a href="https://www.instagram.com/p/C5wSgl9swC9/">'
                'A post shared by Some Name (@user.name)</a></p></div></blockquote>')
BSKY_BQ = (f'<blockquote class="bluesky-embed" data-bluesky-uri="at://{DID}/app.bsky.feed.post/3la4vfasktq27">'
           '<p lang="en">Text</p>&mdash; Jane (<a href="https://bsky.app/profile/x">@jane.bsky.social</a>) '
           f'<a href="https://bsky.app/profile/{DID}/post/3la4vfasktq27">November 4, 2024 at 9:09 AM</a></blockquote>')

DEDUPE = [
    pytest.param(
        '<iframe class="instagram-media instagram-media-rendered" src="https://www.instagram.com/p/C5wSgl9swC9/embed/captioned/"></iframe>'
        + INSTAGRAM_BQ, ("instagram", "C5wSgl9swC9", "user.name"), id="instagram-iframe-then-blockquote"),
    pytest.param(
        '<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="durov/43"></script>'
        '<iframe id="telegram-post-durov-43" src="https://t.me/durov/43?embed=1"></iframe>',
        ("telegram", "durov/43", "durov"), id="telegram-script-then-its-iframe"),
    pytest.param(
        BSKY_BQ + f'<iframe src="https://embed.bsky.app/embed/{DID}/app.bsky.feed.post/3la4vfasktq27?id=1"></iframe>',
        ("bluesky", "3la4vfasktq27", "jane.bsky.social"), id="bluesky-blockquote-then-iframe"),
    pytest.param(
        '<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@scout2015/video/6718335390845095173" '
        'data-video-id="6718335390845095173"><section>caption</section></blockquote>'
        '<iframe src="https://www.tiktok.com/embed/v2/6718335390845095173"></iframe>',
        ("tiktok", "6718335390845095173", "scout2015"), id="tiktok-blockquote-then-iframe"),
    pytest.param(
        '<amp-twitter data-tweetid="1636796541368139777" layout="responsive"></amp-twitter>'
        '<blockquote class="twitter-tweet"><p>Same</p>&mdash; H (@handle_1) '
        '<a href="https://twitter.com/handle_1/status/1636796541368139777">March 17, 2023</a></blockquote>',
        ("twitter", "1636796541368139777", "handle_1"), id="amp-then-blockquote"),
    pytest.param(
        '<p>Read the post below. \u2014 Display Name (@handle_1) '
        '<a href="https://twitter.com/handle_1/status/1636796541368139777">March 17, 2023</a></p>'
        '<iframe src="https://platform.twitter.com/embed/Tweet.html?id=1636796541368139777"></iframe>',
        ("twitter", "1636796541368139777", "handle_1"), id="residue-with-permalink-and-iframe"),
]


@pytest.mark.parametrize("markup,expected", DEDUPE)
def test_one_embed_per_post(run, markup, expected):
    refs = run(markup)
    assert [(e.platform, e.post_id, e.handle) for e in refs.embeds] == [expected]


def test_dedupe_keeps_first_position_and_richer_claim(run):
    refs = run('<iframe src="https://platform.twitter.com/embed/Tweet.html?id=1636796541368139777"></iframe>'
               '<p>Between the two, a paragraph with a <a href="https://www.example.org/x">link</a>.</p>'
               '<blockquote class="twitter-tweet"><p lang="en">Claim text.</p>&mdash; Display (@handle_1) '
               '<a href="https://twitter.com/handle_1/status/1636796541368139777">March 17, 2023</a></blockquote>')
    (embed,) = refs.embeds
    (link,) = refs.links
    assert embed.position < link.position  # the iframe came first
    assert (embed.claim_text, embed.claim_date, embed.handle) == ("Claim text.", "March 17, 2023", "handle_1")
    assert embed.url == "https://twitter.com/handle_1/status/1636796541368139777"


# --- position order across platforms and shapes ----------------------------------------------------

def test_positions_follow_document_order_across_shapes(run):
    refs = run(
        '<amp-youtube data-videoid="mGENRKrdoGY" width="480" height="270"></amp-youtube>'
        '<p>First paragraph <a href="https://www.example.org/a">a link</a>.</p>'
        '<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="durov/43"></script>'
        + wp("vimeo", "video", "https://vimeo.com/347119375") +
        '<p>Quoted: pic.twitter.com/abcDEF1234 \u2014 Someone (@someone) March 16, 2025</p>'
        '<iframe src="https://open.spotify.com/embed/show/5CfCWKI5pZ28U0uOzXkDHe"></iframe>')
    assert [e.platform for e in refs.embeds] == ["youtube", "telegram", "vimeo", "twitter", "spotify"]
    assert [e.shape for e in refs.embeds] == ["amp", "snippet", "cms", "text", "iframe"]
    positions = [e.position for e in refs.embeds] + [link.position for link in refs.links]
    assert sorted(positions) == list(range(len(positions)))
    assert refs.embeds[0].position == 0 and refs.links[0].position == 1 and refs.embeds[1].position == 2
    assert all(e.in_body for e in refs.embeds)
