"""The guarded outbound client against a local server on 127.0.0.1 (never any other address)."""
import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from erpintegration.lib import http

LOOPBACK = http.Policy(allowlist=("127.0.0.1/32",), connect_timeout=2, read_timeout=2)
SEEN: list[dict] = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _reply(self, status, body=b"", headers=(), length=True):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        SEEN.append({"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                     "body": self.rfile.read(length) if length else b""})
        port = self.server.server_address[1]
        path = self.path
        if path == "/hello":
            return self._reply(200, b'{"hello": "world"}', [("Content-Type", "application/json")])
        if path == "/chunks":  # close-delimited body of 300 kB, no Content-Length
            self.send_response(200)
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"x" * 10_000)
            return None
        if path == "/big":
            return self._reply(200, b"y" * 5000)
        if path == "/slow":
            time.sleep(1.0)
            return self._reply(200, b"late")
        if path == "/redirect":
            return self._reply(302, headers=[("Location", "/hello")])
        if path == "/see-other":
            return self._reply(303, headers=[("Location", "/hello")])
        if path == "/temporary":
            return self._reply(307, headers=[("Location", "/hello")])
        if path == "/loop":
            return self._reply(302, headers=[("Location", "/loop")])
        if path == "/to-ip":
            return self._reply(302, headers=[("Location", f"http://127.0.0.1:{port}/hello")])
        if path == "/to-file":
            return self._reply(302, headers=[("Location", "file:///etc/passwd")])
        return self._reply(404, b"no")

    do_GET = do_POST = _handle


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # refused TLS handshakes and aborted reads are part of the tests


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _clear_seen():
    SEEN.clear()


def test_get_json_from_an_allowlisted_address(server):
    with http.request("GET", f"http://{server}/hello", policy=LOOPBACK) as response:
        assert response.status_code == 200 and response.ok
        assert response.headers["content-type"] == "application/json"
        assert response.header_dict()["content-type"] == "application/json"
        assert response.json() == {"hello": "world"}
    assert SEEN[0]["headers"]["User-Agent"] == "erpintegration"


def test_non_ascii_path_is_percent_encoded(server):
    http.request("GET", f"http://{server}/hello?name=Müller", policy=LOOPBACK).read()
    assert SEEN[0]["path"] == "/hello?name=M%C3%BCller"


def test_non_latin1_header_value_is_sent_as_utf8(server):
    http.request("GET", f"http://{server}/hello", headers={"X-Name": "Zoë ✓"}, policy=LOOPBACK).read()
    assert SEEN[0]["headers"]["X-Name"].encode("latin-1").decode() == "Zoë ✓"


def test_post_sends_body_and_headers(server):
    response = http.request("POST", f"http://{server}/hello", headers={"X-Test": "1"}, body='{"a":1}',
                            policy=LOOPBACK)
    response.read()
    assert SEEN[0]["method"] == "POST" and SEEN[0]["body"] == b'{"a":1}' and SEEN[0]["headers"]["X-Test"] == "1"


def test_loopback_is_refused_without_allowlist_and_nothing_is_sent(server):
    with pytest.raises(http.DestinationBlocked, match="OUTBOUND_HTTP_ALLOWLIST"):
        http.request("GET", f"http://{server}/hello", policy=http.Policy())
    assert SEEN == []


def test_settings_allowlist_is_used_by_default(server, settings):
    settings.OUTBOUND_HTTP_ALLOWLIST = []
    with pytest.raises(http.DestinationBlocked):
        http.request("GET", f"http://{server}/hello")
    settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.0/8"]
    assert http.request("GET", f"http://{server}/hello").read() == b'{"hello": "world"}'


def test_host_name_allowlist_entry(server):
    port = server.split(":")[1]
    policy = http.Policy(allowlist=("localhost",))
    assert http.request("GET", f"http://localhost:{port}/hello", policy=policy).status_code == 200


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::",
    "ff02::1", "2002:7f00:1::",
])
def test_non_public_addresses_are_refused(address):
    assert not http.is_public_address(ipaddress.ip_address(address))
    assert not http.address_allowed("erp.example", address, ())


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert http.is_public_address(ipaddress.ip_address(address))


def test_allowlist_cidr_and_wildcard_host():
    assert http.address_allowed("erp.lan", "10.20.1.5", ("10.20.0.0/16",))
    assert not http.address_allowed("erp.lan", "10.21.1.5", ("10.20.0.0/16",))
    assert http.address_allowed("a.corp.example", "192.168.1.1", ("*.corp.example",))
    assert not http.address_allowed("corp.example.evil", "192.168.1.1", ("*.corp.example",))


def test_connection_is_pinned_to_the_checked_address(server, monkeypatch):
    """DNS rebinding: the name resolves to an allowed address once, then to the metadata service. Only the
    first (checked) answer is used to connect, and the Host header still names the host."""
    port = int(server.split(":")[1])
    answers = iter(["127.0.0.1"] + ["169.254.169.254"] * 5)
    calls = []

    def fake_getaddrinfo(host, port_, *args, **kwargs):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port_))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    response = http.request("GET", f"http://erp.test:{port}/hello", policy=LOOPBACK)
    assert response.json() == {"hello": "world"}
    assert calls == ["erp.test"]
    assert SEEN[0]["headers"]["Host"] == f"erp.test:{port}"


def test_mixed_answers_connect_to_the_allowed_one(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
    ])
    assert http.resolve_checked("erp.test", 80, LOOPBACK) == "127.0.0.1"
    with pytest.raises(http.DestinationBlocked):
        http.resolve_checked("erp.test", 80, http.Policy())


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1", "/relative",
                                 "http://", "http://user:pw@127.0.0.1/", "http://127.0.0.1/a b"])
def test_only_absolute_http_urls_without_credentials(url):
    with pytest.raises(http.InvalidUrl):
        http.request("GET", url, policy=LOOPBACK)


def test_header_injection_is_refused(server):
    with pytest.raises(http.InvalidUrl, match="line break"):
        http.request("GET", f"http://{server}/hello", headers={"X-A": "1\r\nX-B: 2"}, policy=LOOPBACK)


def test_redirects_are_followed(server):
    assert http.request("GET", f"http://{server}/redirect", policy=LOOPBACK).json() == {"hello": "world"}
    assert [s["path"] for s in SEEN] == ["/redirect", "/hello"]


def test_redirect_can_be_returned_unfollowed(server):
    response = http.request("GET", f"http://{server}/redirect", policy=LOOPBACK, follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"] == "/hello"
    response.close()


def test_303_after_post_continues_as_get_307_keeps_the_method(server):
    http.request("POST", f"http://{server}/see-other", body=b"data", policy=LOOPBACK).read()
    http.request("POST", f"http://{server}/temporary", body=b"data", policy=LOOPBACK).read()
    assert [(s["method"], s["path"], s["body"]) for s in SEEN] == [
        ("POST", "/see-other", b"data"), ("GET", "/hello", b""),
        ("POST", "/temporary", b"data"), ("POST", "/hello", b"data"),
    ]


def test_redirect_loop_is_bounded(server):
    with pytest.raises(http.TooManyRedirects):
        http.request("GET", f"http://{server}/loop", policy=http.Policy(allowlist=("127.0.0.1/32",),
                                                                        max_redirects=3))
    assert len(SEEN) == 4


def test_each_redirect_hop_is_checked_again(server):
    port = server.split(":")[1]
    # "localhost" is allowed by name; the redirect target 127.0.0.1 is not.
    with pytest.raises(http.DestinationBlocked):
        http.request("GET", f"http://localhost:{port}/to-ip", policy=http.Policy(allowlist=("localhost",)))
    assert [s["path"] for s in SEEN] == ["/to-ip"]
    with pytest.raises(http.InvalidUrl):
        http.request("GET", f"http://{server}/to-file", policy=LOOPBACK)


def test_credentials_are_dropped_when_a_redirect_leaves_the_origin(server):
    port = server.split(":")[1]
    policy = http.Policy(allowlist=("localhost", "127.0.0.1/32"))
    http.request("GET", f"http://localhost:{port}/to-ip", headers={"Authorization": "Bearer x", "X-Keep": "1"},
                 policy=policy).read()
    assert SEEN[0]["headers"]["Authorization"] == "Bearer x"
    assert "Authorization" not in SEEN[1]["headers"] and SEEN[1]["headers"]["X-Keep"] == "1"


def test_announced_size_over_the_limit_is_refused(server):
    with pytest.raises(http.ResponseTooLarge, match="announces 5000"):
        http.request("GET", f"http://{server}/big", policy=http.Policy(allowlist=("127.0.0.1/32",),
                                                                       max_response_bytes=1000))


def test_streamed_size_over_the_limit_is_refused(server):
    response = http.request("GET", f"http://{server}/chunks",
                            policy=http.Policy(allowlist=("127.0.0.1/32",), max_response_bytes=100_000))
    with pytest.raises(http.ResponseTooLarge):
        for _chunk in response.iter_bytes(chunk_size=10_000):
            pass


def test_body_streams_in_chunks(server):
    response = http.request("GET", f"http://{server}/chunks", policy=LOOPBACK)
    chunks = list(response.iter_bytes(chunk_size=50_000))
    assert len(chunks) > 1 and sum(map(len, chunks)) == 300_000


def test_read_timeout(server):
    with pytest.raises(http.RequestTimeout):
        http.request("GET", f"http://{server}/slow",
                     policy=http.Policy(allowlist=("127.0.0.1/32",), read_timeout=0.2)).read()


def test_refused_connection_is_connection_failed():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(http.ConnectionFailed):
        http.request("GET", f"http://127.0.0.1:{port}/", policy=LOOPBACK)


def test_invalid_json_is_invalid_response(server):
    with pytest.raises(http.InvalidResponse):
        http.request("GET", f"http://{server}/big", policy=LOOPBACK).json()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """HTTPS on 127.0.0.1 with a self-signed certificate for the name ``erp.test``."""
    import datetime
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "erp.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("erp.test")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_file, key_file)
    httpd.socket = server_context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    client_context = ssl.create_default_context(cafile=str(cert_file))
    yield httpd.server_address[1], client_context
    httpd.shutdown()
    httpd.server_close()


def _resolve_erp_test_to_loopback(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))])


def test_https_verifies_the_certificate_for_the_host_name_while_pinned(tls_server, monkeypatch):
    port, context = tls_server
    _resolve_erp_test_to_loopback(monkeypatch)
    response = http.request("GET", f"https://erp.test:{port}/hello", policy=LOOPBACK, ssl_context=context)
    assert response.json() == {"hello": "world"}


def test_https_with_an_untrusted_certificate_fails(tls_server, monkeypatch):
    port, _context = tls_server
    _resolve_erp_test_to_loopback(monkeypatch)
    with pytest.raises(http.ConnectionFailed, match="TLS"):
        http.request("GET", f"https://erp.test:{port}/hello", policy=LOOPBACK)
