from archiver.urls import canonical, sort_key


def test_canonical_drops_tracking_parameters_and_fragment_only():
    assert canonical("https://WWW.Example.com:443/a?id=7&utm_source=x&fbclid=1#top") == "https://www.example.com/a?id=7"


def test_sort_key_keeps_parameters_that_name_the_resource():
    assert sort_key("https://www.youtube.com/watch?v=abc") != sort_key("https://www.youtube.com/watch?v=xyz")


def test_sort_key_ignores_query_order_tracking_and_fragment():
    assert sort_key("https://example.com/p?b=2&a=1&utm_medium=s#x") == sort_key("https://example.com/p?a=1&b=2")
