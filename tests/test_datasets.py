"""The downloader against a local HTTP server: success, checksum mismatch, resume after a break, offline."""
import hashlib
import http.server
import io
import socket
import threading
import zipfile

import pytest

from w2v import datasets
from w2v.datasets import Dataset, DatasetError

PAYLOAD = bytes(range(256)) * 4000  # 1 MB of known bytes


class _Server:
    """Serves named byte strings with Range support; can cut a response off after ``cut`` bytes."""

    def __init__(self, files):
        self.files, self.cut, self.requests = files, None, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append((self.path, self.headers.get("Range")))
                if self.path == "/loop":  # a redirect to itself, for ever
                    self.send_response(302)
                    self.send_header("Location", "/loop")
                    self.end_headers()
                    return
                if self.path == "/endless":  # no length, and more bytes than any corpus (bounded: it is a test)
                    self.send_response(200)
                    self.end_headers()
                    try:
                        for _ in range(64):
                            self.wfile.write(b"x" * (1 << 20))
                    except OSError:
                        pass  # the client hung up, as it should
                    return
                data = outer.files.get(self.path.lstrip("/"))
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                rng = self.headers.get("Range")
                if rng:
                    start = int(rng.split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                body = data[start:]
                if outer.cut is not None:
                    body, outer.cut = body[:outer.cut], None  # break off once, like a dropped connection
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _zipped(payload):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("corpus", payload)
    return buf.getvalue()


ZIPPED = _zipped(PAYLOAD)


@pytest.fixture
def server():
    s = _Server({"corpus.txt": PAYLOAD, "corpus.zip": ZIPPED})
    yield s
    s.close()


def _registry(url, sha=hashlib.sha256(PAYLOAD).hexdigest(), member=None, size=None):
    size = size or (len(ZIPPED) if member else len(PAYLOAD))
    return {"demo": Dataset("demo", url, sha, "test corpus", size=size, member=member,
                            member_size=len(PAYLOAD) if member else None)}


def test_download_verifies_and_caches(server, tmp_path):
    reg = _registry(f"{server.url}/corpus.txt")
    path = datasets.fetch("demo", tmp_path, progress=False, registry=reg)
    assert path.read_bytes() == PAYLOAD and path.name == "corpus.txt"
    assert datasets.fetch("demo", tmp_path, progress=False, registry=reg) == path
    assert len(server.requests) == 1  # the second call used the cache


def test_zip_member_is_extracted_and_checked(server, tmp_path):
    path = datasets.fetch("demo", tmp_path, progress=False, registry=_registry(f"{server.url}/corpus.zip", member="corpus"))
    assert path.name == "corpus" and path.read_bytes() == PAYLOAD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]  # archive and partial files cleaned up


def test_checksum_mismatch_is_refused_and_removed(server, tmp_path):
    with pytest.raises(DatasetError, match="checksum mismatch"):
        datasets.fetch("demo", tmp_path, progress=False, registry=_registry(f"{server.url}/corpus.txt", sha="0" * 64))
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_resumes_with_a_range_request(server, tmp_path):
    reg = _registry(f"{server.url}/corpus.txt")
    server.cut = 300_000
    with pytest.raises(DatasetError, match="run again to resume"):
        datasets.fetch("demo", tmp_path, progress=False, registry=reg)
    part = tmp_path / "corpus.txt.part"
    assert part.stat().st_size == 300_000
    path = datasets.fetch("demo", tmp_path, progress=False, registry=reg)
    assert path.read_bytes() == PAYLOAD
    assert server.requests[-1][1] == "bytes=300000-"  # only the rest was asked for
    assert not part.exists()


def test_no_network_says_so(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DatasetError, match="are you offline"):
        datasets.fetch("demo", tmp_path, progress=False, registry=_registry(f"http://127.0.0.1:{port}/corpus.txt"))


def test_unknown_name_and_cache_dir(monkeypatch, tmp_path):
    with pytest.raises(DatasetError, match="choose one of text8"):
        datasets.fetch("text9", tmp_path)
    monkeypatch.setenv("W2V_DATA", str(tmp_path / "d"))
    assert datasets.cache_dir() == tmp_path / "d"
    assert datasets.DATASETS["text8"].url == "http://mattmahoney.net/dc/text8.zip"


def test_an_endless_body_is_cut_off_at_the_expected_size(server, tmp_path):
    with pytest.raises(DatasetError, match="sent more than the 1,024,000 bytes"):
        datasets.fetch("demo", tmp_path, progress=False, registry=_registry(f"{server.url}/endless"))
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) <= len(PAYLOAD)


def test_a_symlink_at_the_part_path_is_not_followed(server, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "corpus.txt.part").symlink_to(outside)
    with pytest.raises(DatasetError, match="symbolic link"):
        datasets.fetch("demo", cache, progress=False, registry=_registry(f"{server.url}/corpus.txt"))
    assert outside.read_text() == "keep me"


def test_a_redirect_loop_is_one_line(server, tmp_path):
    with pytest.raises(DatasetError) as e:
        datasets.fetch("demo", tmp_path, progress=False, registry=_registry(f"{server.url}/loop"))
    assert "HTTP 302" in str(e.value) and "\n" not in str(e.value)


def test_a_zip_bomb_member_stops_at_its_expected_size(server, tmp_path):
    server.files["bomb.zip"] = _zipped(b"\0" * (64 << 20))  # 64 MiB of zeros in a small zip
    reg = _registry(f"{server.url}/bomb.zip", member="corpus", size=len(server.files["bomb.zip"]))
    with pytest.raises(DatasetError, match="expands past"):
        datasets.fetch("demo", tmp_path, progress=False, registry=reg)
    assert list(tmp_path.iterdir()) == []
