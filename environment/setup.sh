#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for MiDpg.Research, then builds it. Idempotent: every
# step checks first and changes nothing that is already right. Run from anywhere:
#   bash environment/setup.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# Installs the Debian packages named after the label that are not installed yet (checking first, so a set-up machine
# is left alone). Usage: ensure_packages "what they are for" package...
ensure_packages() {
  local label=$1; shift
  local missing=() p sudo=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    say "installing $label: ${missing[*]}"
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "$label present"
  fi
}

# 1. Debian packages: Chromium renders figures to PNG; nbclient + jupyter_client execute notebooks
#    through the real .NET Interactive Jupyter kernel, exactly as Jupyter does.
ensure_packages "Debian packages" chromium python3-nbclient python3-nbformat python3-jupyter-client fonts-dejavu-core

# 1b. The independent implementations the tests check the models against — the PyTorch peer (shared/bench/midpg_ref.py)
#     and the Scenario-Wise-Rec checkout (shared/reference/scenario-wise-rec) — run on Debian's Python packages. Where
#     they sit beside the repository (or $MIDPG_PEER / $MIDPG_SWR name them), install those packages so the live checks run;
#     elsewhere the golden test uses its committed fixtures and the live checks report themselves skipped.
if [ -e "$root/../shared/bench/midpg_ref.py" ] || [ -d "$root/../shared/reference/scenario-wise-rec" ] || [ -n "${MIDPG_PEER:-}${MIDPG_SWR:-}" ]; then
  ensure_packages "the reference implementations' Python packages" \
    python3-torch python3-numpy python3-pandas python3-sklearn python3-tqdm libopenblas0-pthread
fi

# 2. The .NET Interactive kernel (the engine behind Polyglot Notebooks and the Jupyter kernel),
#    pinned by the local tool manifest environment/dotnet-tools.json.
dotnet tool restore --tool-manifest "$here/dotnet-tools.json" >/dev/null
say "dotnet-interactive $(sed -n 's/.*"version": "\([0-9.]*\)".*/\1/p' "$here/dotnet-tools.json" | tail -1) restored"

# 3. Restore and build the library (Release; notebooks load bin/Release/net10.0/MiDpg.Research.dll).
say "building MiDpg.Research (Release)"
dotnet build "$root/MiDpg.Research.csproj" -c Release -nologo -clp:ErrorsOnly -v:q

# 4. The kernel with the FSharp.Core fix, the kernelspec, and TorchSharp's native fix in the
#    NuGet cache (used by `#r "nuget: TorchSharp-cpu"`). All done by the library itself, so the
#    logic lives once: see lib/Platform/KernelSetup.cs and lib/Platform/TorchSharpNative.cs.
dotnet "$root/bin/Release/net10.0/MiDpg.Research.dll" setup --tool-manifest "$here/dotnet-tools.json"
say "ready"
