"""Submit cells to the `.net-csharp` Jupyter kernel through jupyter_client, as JupyterLab and VS Code's Jupyter extension do.

Usage: check_jupyter_kernel.py REQUEST.json
REQUEST: {"cwd": folder the kernel starts in (the notebook's), "cells": [code, ...], "timeout": seconds per cell}
Prints one JSON object: the kernelspec used (its folder and argv) and, per cell, whether it succeeded, its error, its
outputs (kind, MIME type, text) and its stderr. The kernelspec is found the way Jupyter finds it: JUPYTER_PATH first,
then the user's and the system's kernel folders (environment/setup.sh registers ours for the user).
"""
import json
import queue
import subprocess
import sys

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager


def run_cell(client, code, timeout):
    msg_id = client.execute(code, store_history=True, allow_stdin=False)
    outputs, error = [], None
    while True:
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            return {"succeeded": False, "error": f"no reply within {timeout} s", "outputs": outputs}
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            outputs.append({"kind": content["name"], "mime": "text/plain", "text": content["text"]})
        elif kind in ("display_data", "update_display_data", "execute_result"):
            result = "result" if kind == "execute_result" else "display"
            for mime, value in content["data"].items():
                outputs.append({"kind": result, "mime": mime, "text": value if isinstance(value, str) else json.dumps(value)})
        elif kind == "error":
            error = f"{content['ename']}: {content['evalue']}"
        elif kind == "status" and content["execution_state"] == "idle":
            break
    reply = client.get_shell_msg(timeout=timeout)
    ok = reply["content"]["status"] == "ok" and error is None
    return {"succeeded": ok, "error": None if ok else (error or reply["content"].get("evalue", "failed")), "outputs": outputs}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    spec = KernelSpecManager().get_kernel_spec(".net-csharp")
    manager = KernelManager(kernel_name=".net-csharp")
    manager.start_kernel(cwd=request["cwd"], stdout=subprocess.DEVNULL)  # the kernel logs to its stdout
    cells = []
    try:
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=request.get("timeout", 300))
        for code in request["cells"]:
            cell = run_cell(client, code, request.get("timeout", 300))
            cells.append(cell)
            if not cell["succeeded"]:
                break
        client.stop_channels()
    finally:
        manager.shutdown_kernel(now=True)
    json.dump({"kernelspec": {"resource_dir": spec.resource_dir, "argv": spec.argv}, "cells": cells}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
