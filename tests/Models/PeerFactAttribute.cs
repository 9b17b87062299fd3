using System.Diagnostics;
using MiDpg.Research.Cli;

namespace MiDpg.Research.Tests.Models;

/// <summary>A fact that needs the PyTorch peer (shared/bench/midpg_ref.py, or $MIDPG_PEER) and Debian's python3-torch;
/// reported as skipped, with the reason, where either is missing. The committed fixtures check the same math everywhere.</summary>
public sealed class PeerFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    public static string? Peer { get; } = GoldenCommand.FindPeer();

    /// <summary>True when <see cref="Python"/> imports every module named (checked once per set of names).</summary>
    public static bool PythonImports(params string[] modules)
    {
        lock (Checked)
        {
            var key = string.Join(",", modules);
            if (Checked.TryGetValue(key, out var ok)) return ok;
            ok = false;
            if (File.Exists(Python))
                try
                {
                    using var p = Process.Start(new ProcessStartInfo(Python, ["-c", "import " + key]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
                    p.WaitForExit();
                    ok = p.ExitCode == 0;
                }
                catch (System.ComponentModel.Win32Exception) { }
            return Checked[key] = ok;
        }
    }

    private static readonly Dictionary<string, bool> Checked = new();

    public PeerFactAttribute()
    {
        if (Peer is null) Skip = "the peer script (../shared/bench/midpg_ref.py or $MIDPG_PEER) is not on this machine";
        else if (!PythonImports("torch", "numpy")) Skip = $"{Python} cannot import torch (apt-get install python3-torch)";
    }
}
