from django.test import RequestFactory

from programmes.network import client_ip


def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = False, []
    assert client_ip(_request("198.51.100.9", "1.2.3.4")) == "198.51.100.9"


def test_a_trusted_proxy_names_the_client_and_made_up_hops_are_ignored(settings):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = False, ["172.16.0.0/12", "10.0.0.7"]
    # The client wrote 6.6.6.6 itself; Caddy (172.18.0.5) appended what it saw, via 10.0.0.7.
    request = _request("172.18.0.5", "6.6.6.6, 203.0.113.7, 10.0.0.7")
    assert client_ip(request) == "203.0.113.7"


def test_a_request_not_from_a_trusted_proxy_is_judged_by_its_socket(settings):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, ["172.16.0.0/12"]
    assert client_ip(_request("203.0.113.50", "1.2.3.4")) == "203.0.113.50"


def test_a_garbled_header_from_a_trusted_proxy_falls_back_to_the_socket(settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]
    assert client_ip(_request("172.18.0.5", "not-an-address")) == "172.18.0.5"
    assert client_ip(_request("172.18.0.5", "2001:DB8::0:1")) == "2001:db8::1"


def test_behind_proxy_without_a_list_trusts_the_one_proxy_in_front(settings):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, []
    assert client_ip(_request("172.18.0.5", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
