#!/usr/bin/env python3
"""Execute notebooks top to bottom through the real .NET Interactive Jupyter kernel.

This is what Jupyter does when you press "Run all": nbclient starts the kernel named in the
kernelspec (our `.net-csharp`, written by environment/setup.sh), sends each cell, and collects
the outputs. The first cell that raises stops the notebook; the script then prints the notebook,
the cell number (1-based, counting every cell) and the error, saves the executed copy, and exits 1.

Usage: run_notebooks.py --out DIR [--timeout S] [--inject FILE] NOTEBOOK...
--inject FILE: a JSON object {notebook path: C# source}; the source runs as a new cell (tagged
"injected-parameters") right after the notebook's cell tagged "parameters" (papermill's convention).
Environment passed to the kernel: MIDPG_QUICK (quick mode), MIDPG_OUTPUT (figure folder).
"""
import argparse
import os
import subprocess
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

HERE = os.path.dirname(os.path.abspath(__file__))


def error_text(cell):
    """The cell's error, with what the kernel wrote to stderr (compiler diagnostics land there)."""
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stderr").strip()
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            trace = "\n".join(output.get("traceback") or [])
            return "\n".join(t for t in (f"{output.get('ename', 'Error')}: {output.get('evalue', '')}", trace, stderr) if t)
    return ""


def inject(nb, name, source):
    """Inserts the overriding assignments after the cell tagged "parameters"."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]}))
            return
    raise ValueError(f"{name}: no cell is tagged 'parameters'")


def run(path, out_dir, timeout, injected=None):
    name = os.path.basename(path)
    nb = nbformat.read(path, as_version=4)
    if injected:
        inject(nb, name, injected)
    client = NotebookClient(
        nb,
        kernel_name=".net-csharp",
        timeout=timeout if timeout > 0 else None,
        startup_timeout=180,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    started = time.time()
    failure = None
    try:
        # The kernel's own log goes to its stdout; keep the test output readable.
        with client.setup_kernel(stdout=subprocess.DEVNULL):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
                    detail = error_text(cell) or str(e)
                    failure = f"{name}: cell {index + 1} failed\n{detail}"
                    break
                # .NET Interactive reports some failures as stderr/error outputs without raising.
                detail = error_text(cell)
                if detail:
                    failure = f"{name}: cell {index + 1} failed\n{detail}"
                    break
    except Exception as e:  # kernel did not start, etc.
        failure = f"{name}: the kernel failed: {type(e).__name__}: {e}"
    os.makedirs(out_dir, exist_ok=True)
    nbformat.write(nb, os.path.join(out_dir, name))
    return failure, time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder for the executed copies")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell; 0 = no limit")
    parser.add_argument("--inject", help="JSON file: {notebook path: source of the injected parameters cell}")
    parser.add_argument("notebooks", nargs="+")
    args = parser.parse_args()
    injections = {}
    if args.inject:
        import json
        with open(args.inject, encoding="utf-8") as f:
            injections = {os.path.abspath(k): v for k, v in json.load(f).items()}

    # Our kernelspec first, ahead of any other `.net-csharp` the user registered.
    jupyter_path = os.path.join(HERE, ".jupyter")
    if not os.path.exists(os.path.join(jupyter_path, "kernels", ".net-csharp", "kernel.json")):
        print("The .net-csharp kernelspec is missing: run `bash environment/setup.sh` first.", file=sys.stderr)
        return 2
    os.environ["JUPYTER_PATH"] = jupyter_path + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    os.environ.setdefault("DOTNET_CLI_TELEMETRY_OPTOUT", "1")

    failures = 0
    for path in args.notebooks:
        failure, seconds = run(path, args.out, args.timeout, injections.get(os.path.abspath(path)))
        if failure:
            failures += 1
            print(f"FAIL {failure}", flush=True)
        else:
            print(f"PASS {os.path.basename(path)} ({seconds:.1f} s)", flush=True)
    print(f"notebooks: {len(args.notebooks) - failures} passed, {failures} failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
