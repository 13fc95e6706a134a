"""`modpipe serve`, the README's run command, as a new user meets it: everything embedded in a
fresh data directory, models loaded before it says it serves, a short text decided at once."""

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import REPO


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_loads_the_models_before_it_serves_and_decides_a_short_text(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODPIPE_")}  # all embedded
    data, port = tmp_path / "data", _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "modpipe.cli", "serve", "--port", str(port), "--data-dir", str(data)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = []
        deadline = time.monotonic() + 180
        for line in proc.stdout:  # stderr merged: the order of the two streams is kept
            seen.append(line)
            if '"serving"' in line or time.monotonic() > deadline:
                break
        assert any('"serving"' in x for x in seen), "".join(seen[-20:])
        warm = next((i for i, x in enumerate(seen) if "pipeline warm" in x), None)
        assert warm is not None and warm < len(seen) - 1, "the text model must load before the server says it serves"

        org = subprocess.run([sys.executable, "-m", "modpipe.cli", "org", "create", "示例基金会", "--data-dir", str(data)],
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=True)
        key = json.loads(org.stdout)["api_key"]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"},
                          timeout=10) as http:
            for _ in range(100):
                if http.get("/healthz").status_code == 200:
                    break
                time.sleep(0.1)
            t = time.monotonic()
            r = http.post("/v1/items", json={"external_id": "post-1", "text": "周末义卖活动欢迎参加"})
            assert r.status_code == 202, r.text
            item = r.json()
            while time.monotonic() - t < 30 and item["status"] != "decided":
                time.sleep(0.05)
                item = http.get(f"/v1/items/{item['id']}").json()
        print(f"first item decided {time.monotonic() - t:.2f} s after its POST")
        assert item["status"] == "decided" and item["decision"] == "pass"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
