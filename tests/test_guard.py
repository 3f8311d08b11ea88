"""The address guard's decision, and its resolver layer: what may be connected to."""
from __future__ import annotations

import ipaddress

import pytest
from scrapy.resolver import dnscache
from twisted.internet.error import DNSLookupError

from archiver.guard import GuardedResolver, RefusedAnswer, refusal


@pytest.mark.parametrize("address,kind", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fc00::1", "private"),
    ("fd00:ec2::254", "private"),                       # the AWS metadata service over IPv6
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("100.64.0.1", "reserved or shared"), ("192.0.2.1", "private"), ("240.0.0.1", "private"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("::ffff:10.0.0.1", "private"), ("::ffff:127.0.0.1", "loopback"),   # IPv4-mapped
    ("2002:7f00:1::1", "loopback"), ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 of 127.0.0.1, 169.254.169.254
    ("[::1]", "loopback"), ("fe80::1%eth0", "link-local"),
])
def test_addresses_into_the_users_network_are_refused(address, kind):
    reason = refusal(address)
    assert reason is not None and kind in reason


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2001:4860:4860::8888", "2606:4700::6810:84e5"])
def test_public_addresses_are_allowed(address):
    assert refusal(address) is None


def test_loopback_only_mode_allows_loopback_and_nothing_else_private():
    assert refusal("127.0.0.1", allow_loopback=True) is None
    assert refusal("::ffff:127.0.0.1", allow_loopback=True) is None
    assert refusal("10.0.0.1", allow_loopback=True) is not None


def test_named_networks_are_let_through():
    intranet = (ipaddress.ip_network("10.1.2.0/24"),)
    assert refusal("10.1.2.77", allowed=intranet) is None
    assert refusal("10.1.3.77", allowed=intranet) is not None


def test_the_resolver_refuses_what_the_guard_refuses():
    resolver = GuardedResolver(reactor=None, cache_size=10, timeout=1, options={"allow_loopback": False, "allowed": ()})
    dnscache["rebound.example"] = "127.0.0.1"   # what a rebinding DNS server answers the second time
    dnscache["public.example"] = "93.184.215.14"
    try:
        failures = []
        resolver.getHostByName("rebound.example").addErrback(failures.append)
        assert failures and failures[0].check(DNSLookupError) and failures[0].check(RefusedAnswer)
        assert "loopback" in failures[0].value.reason
        answers = []
        resolver.getHostByName("public.example").addCallback(answers.append)
        assert answers == ["93.184.215.14"]
    finally:
        dnscache.pop("rebound.example", None)
        dnscache.pop("public.example", None)
