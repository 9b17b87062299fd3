using System.Diagnostics;
using MiDpg.Research.Cli;

namespace MiDpg.Research.Tests.Models;

/// <summary>A fact that needs the PyTorch peer (shared/bench/midpg_ref.py, or $MIDPG_PEER) and Debian's python3-torch;
/// reported as skipped, with the reason, where either is missing. The committed fixtures check the same math everywhere.</summary>
public sealed class PeerFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    public static string? Peer { get; } = GoldenCommand.FindPeer();

    private static readonly Lazy<bool> TorchImports = new(() =>
    {
        if (!File.Exists(Python)) return false;
        try
        {
            using var p = Process.Start(new ProcessStartInfo(Python, ["-c", "import torch, numpy"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    });

    public PeerFactAttribute()
    {
        if (Peer is null) Skip = "the peer script (../shared/bench/midpg_ref.py or $MIDPG_PEER) is not on this machine";
        else if (!TorchImports.Value) Skip = $"{Python} cannot import torch (apt-get install python3-torch)";
    }
}
