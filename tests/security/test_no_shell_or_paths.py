"""No path from user input to the file system or a shell.

Statically: no product module calls a shell (``os.system``, ``os.popen``, ``shell=True``, a
command given as one string), evaluates code (``eval``/``exec``), or unpickles. Dynamically:
names, ids and paths from a request never become a file path: hostile filenames and ids leave
nothing outside the object store, whose files are named by SHA-256 alone; and what a user
uploaded is served back so that no browser runs it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PRODUCT = ("modpipe", "ingest", "workers", "classifiers", "rules", "watermark", "review_queue", "reports")
FORBIDDEN_CALLS = {("os", "system"), ("os", "popen"), ("os", "execv"), ("os", "execvp"), ("os", "spawnl"),
                   ("pickle", "load"), ("pickle", "loads"), ("marshal", "loads"), ("shelve", "open")}
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__"}
SUBPROCESS = {"run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput"}


def product_files() -> list[Path]:
    out = []
    for pkg in PRODUCT:
        root = REPO / pkg
        if root.is_dir():
            out += [p for p in root.rglob("*.py") if "migrations" not in p.parts]
    return out


def dotted(node) -> tuple[str, ...]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return tuple(reversed(parts))


def findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(REPO) if REPO in path.parents else path
    # bare names count only when imported from subprocess (a local function may be called `run`)
    from_subprocess = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                       and n.module == "subprocess" for a in n.names}
    bad = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        if name[-2:] in FORBIDDEN_CALLS or (len(name) == 1 and name[0] in FORBIDDEN_NAMES):
            bad.append(f"{where}:{node.lineno}: {'.'.join(name)}()")
        if name and name[-1] in SUBPROCESS and ((len(name) == 1 and name[0] in from_subprocess)
                                                or (len(name) > 1 and name[-2] == "subprocess")):
            for kw in node.keywords:
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    bad.append(f"{where}:{node.lineno}: subprocess with shell=")
            if node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp)):
                bad.append(f"{where}:{node.lineno}: subprocess command given as one string")
        if name[-1:] == ("load",) and name[:-1] == ("yaml",):
            loader = [kw for kw in node.keywords if kw.arg == "Loader"]
            if not loader or "Safe" not in ".".join(dotted(loader[0].value)):
                bad.append(f"{where}:{node.lineno}: yaml.load without a safe loader")
    return bad


def test_no_shell_no_eval_no_unpickling_in_product_code():
    files = product_files()
    assert len(files) > 20, "the scan found too few files to mean anything"
    bad = [f for p in files for f in findings(p)]
    assert not bad, "\n".join(bad)


def test_the_scanner_catches_what_it_looks_for(tmp_path):
    sample = tmp_path / "probe.py"
    code = ("import os, subprocess, pickle, yaml\nfrom subprocess import check_call\n"
            "os.system('ls ' + name)\nsubprocess.run(f'convert {path}', shell=True)\n"
            "subprocess.check_output('ffprobe x')\neval(expr)\npickle.loads(b)\nyaml.load(s)\n"
            "check_call('rm -rf ' + d)\ndef run(x): pass\nrun('not a shell')\n"
            "subprocess.run(['ffprobe', path])\nyaml.load(s, Loader=yaml.SafeLoader)\n")
    sample.write_text(code)
    bad = findings(sample)
    assert len(bad) == 8, bad  # a local run() and the two safe forms on the last line pass


def test_hostile_names_and_ids_never_become_paths(client, org, rt, workers, wait_final, tmp_path):
    hostile = ["../../../../tmp/pwned-modpipe", "/etc/passwd", "..\\..\\win.ini", "a/../../b", "\x00evil.png",
               "$(touch /tmp/pwned-modpipe-shell).png", "`id`.png", "x" * 300]
    ids = []
    for i, name in enumerate(hostile):
        png = b"\x89PNG\r\n\x1a\n" + bytes([i]) * 64
        r = client.post("/v1/items", files={"file": (name, png, "image/png")},
                        data={"external_id": f"../../x{i}", "user_id": "../../../root"}, headers=org.headers)
        assert r.status_code in (202, 400), (name, r.status_code, r.text)
        if r.status_code == 202:
            ids.append(r.json()["id"])
    assert len(ids) >= len(hostile) - 2
    for item_id in ids:
        wait_final(item_id, org.headers)
    for probe in (Path("/tmp/pwned-modpipe"), Path("/tmp/pwned-modpipe-shell"), REPO / "pwned-modpipe"):
        assert not probe.exists(), probe
    objects = rt.settings.objects_dir
    stored = [p for p in objects.rglob("*") if p.is_file()]
    assert stored and all(len(p.name) == 64 and all(c in "0123456789abcdef" for c in p.name) for p in stored)
    data_files = [p for p in rt.settings.data_dir.rglob("*") if p.is_file() and objects not in p.parents]
    assert not [p for p in data_files if "pwned" in str(p) or "passwd" in str(p)]
    for path in ("/v1/items/..%2F..%2Fetc%2Fpasswd", "/v1/items/../../etc/passwd", "/v1/items/%2e%2e/labeled"):
        r = client.get(path, headers=org.headers)
        assert r.status_code == 404 and "root:" not in r.text


def test_uploaded_bytes_are_served_back_inert(client, org, workers, wait_final):
    html = b"<html><script>alert(document.cookie)</script></html>"
    r = client.post("/v1/items", files={"file": ("page.html", html, "text/html")}, headers=org.headers)
    assert r.status_code == 202
    item_id = r.json()["id"]
    wait_final(item_id, org.headers)
    got = client.get(f"/v1/items/{item_id}/labeled", headers=org.headers)
    assert got.status_code == 200 and got.content == html
    assert not got.headers["content-type"].startswith(("text/html", "application/javascript", "image/svg"))
    assert got.headers["x-content-type-options"] == "nosniff"
