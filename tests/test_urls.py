from archiver.urls import canonical, sort_key


def test_canonical_drops_tracking_parameters_and_fragment_only():
    assert canonical("https://WWW.Example.com:443/a?id=7&utm_source=x&fbclid=1#top") == "https://www.example.com/a?id=7"


def test_sort_key_keeps_parameters_that_name_the_resource():
    assert sort_key("https://www.youtube.com/watch?v=abc") != sort_key("https://www.youtube.com/watch?v=xyz")


def test_sort_key_ignores_query_order_tracking_and_fragment():
    assert sort_key("https://example.com/p?b=2&a=1&utm_medium=s#x") == sort_key("https://example.com/p?a=1&b=2")


def test_canonical_fast_and_slow_paths_agree_on_every_form():
    cases = {
        "https://example.com/a?b=2&utm_source=1&a=1#f": "https://example.com/a?b=2&a=1",
        "https://example.com/a?q=a?": "https://example.com/a?q=a?",
        "https://example.com/a?utm_medium=x": "https://example.com/a",
        "https://Example.COM/a": "https://example.com/a",
        "https://example.com": "https://example.com/",
        "https://example.com:443/x": "https://example.com/x",
        "http://example.com:8080/x": "http://example.com:8080/x",
        "https://user:pw@example.com/x": "https://example.com/x",
        "https://example.com./x": "https://example.com/x",
        "https://example.com?x=1": "https://example.com/?x=1",
        "mailto:a@example.com": "mailto:a@example.com",
    }
    for url, want in cases.items():
        assert canonical(url) == want, url


def test_canonical_leaves_a_url_with_an_impossible_port_as_it_is():
    # found by fuzzing (bench/fuzz.py): a page's link "https://host:site_name/" made extraction raise
    for url in ("https://host:site_name/x", "https://a.example:99999/x?q=1"):
        assert canonical(url) == url
        assert isinstance(sort_key(url), str)
