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


@pytest.fixture
def server():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("corpus", PAYLOAD)
    s = _Server({"corpus.txt": PAYLOAD, "corpus.zip": buf.getvalue()})
    yield s
    s.close()


def _registry(url, sha=hashlib.sha256(PAYLOAD).hexdigest(), member=None):
    return {"demo": Dataset("demo", url, sha, "test corpus", member=member)}


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
