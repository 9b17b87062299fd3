using MiDpg.Research.Platform;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Platform;

public class TorchSharpNativeTests
{
    [Fact]
    public void TorchLoadsAndComputes()
    {
        using var x = tensor(new float[] { 1, 2, 3 });
        Assert.Equal(14f, x.dot(x).item<float>());
    }

    [Fact]
    public void LibTorchSharpHasNoUnsatisfiedStrongLibStdCxxNeed()
    {
        var report = TorchSharpNative.EnsureLoaded();
        Assert.Null(report.Problem);
        Assert.NotNull(report.LibStdCxx);
        var defined = ElfVersionNeeds.ReadDefinitions(report.LibStdCxx!);
        var sharp = report.LoadedByPath.Single(p => p.EndsWith("libLibTorchSharp.so"));
        var unmet = ElfVersionNeeds.ReadNeeds(sharp)
            .Where(n => n.File.StartsWith("libstdc++") && !n.IsWeak && !defined.Contains(n.Version)).ToList();
        Assert.Empty(unmet);
    }

    [Fact]
    public void NativesAreLoadedByPathFromTorchSharpsOwnPackages()
    {
        var report = TorchSharpNative.EnsureLoaded();
        Assert.Contains(report.LoadedByPath, p => p.EndsWith("/libtorch_cpu.so"));
        Assert.All(report.LoadedByPath, p => Assert.True(Path.IsPathRooted(p) && File.Exists(p), p));
        // The libtorch mapped into this process is the one we loaded, not a system-wide copy.
        var mapped = File.ReadLines("/proc/self/maps").Where(l => l.Contains("libtorch_cpu.so")).Select(l => l[l.IndexOf('/')..]).Distinct().ToList();
        Assert.Single(mapped);
        Assert.Equal(report.LoadedByPath.Single(p => p.EndsWith("/libtorch_cpu.so")), mapped[0]);
    }

    [Fact]
    public void MarkWeakIsIdempotentAndTouchesOnlyTheNamedVersion()
    {
        var report = TorchSharpNative.EnsureLoaded();
        var source = report.LoadedByPath.Single(p => p.EndsWith("libLibTorchSharp.so"));
        var copy = Path.Combine(Directory.CreateTempSubdirectory("midpg-elf-").FullName, "lib.so");
        File.Copy(source, copy);
        var before = ElfVersionNeeds.ReadNeeds(copy);
        ElfVersionNeeds.MarkWeak(copy, ["GLIBCXX_3.4.32"]);
        var bytesOnce = File.ReadAllBytes(copy);
        Assert.Empty(ElfVersionNeeds.MarkWeak(copy, ["GLIBCXX_3.4.32"]));
        Assert.Equal(bytesOnce, File.ReadAllBytes(copy));
        var after = ElfVersionNeeds.ReadNeeds(copy);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i].Version, after[i].Version);
            Assert.Equal(before[i].Version == "GLIBCXX_3.4.32" || before[i].IsWeak, after[i].IsWeak);
        }
        Assert.Contains(after, n => n.Version == "GLIBCXX_3.4.32" && n.IsWeak);
    }
}

/// <summary>
/// A libtorch on the loader's search path ahead of TorchSharp's own (here forced with LD_LIBRARY_PATH,
/// which the loader searches before libLibTorchSharp's RUNPATH) must not be picked up: a child process
/// runs the CLI's `info` command, which multiplies matrices, with such a path.
/// </summary>
public class SystemLibTorchShadowingTests
{
    public static TheoryData<string> Shadows()
    {
        var data = new TheoryData<string> { "impostor" };
        if (File.Exists("/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13") || Directory.GetFiles("/lib/x86_64-linux-gnu", "libtorch_cpu.so.*").Length > 0)
            data.Add("system");
        return data;
    }

    [Theory]
    [MemberData(nameof(Shadows))]
    public void TorchSharpUsesItsOwnLibTorchEvenWhenAnotherComesFirstOnThePath(string kind)
    {
        var dir = Directory.CreateTempSubdirectory("midpg-shadow-").FullName;
        foreach (var name in new[] { "libtorch", "libc10", "libtorch_cpu" })
        {
            // "system": Debian's python3-torch libraries; "impostor": an unrelated library under libtorch's name.
            var target = kind == "system"
                ? Directory.GetFiles("/lib/x86_64-linux-gnu", name + ".so.*").OrderBy(p => p.Length).First()
                : "/lib/x86_64-linux-gnu/libz.so.1";
            File.CreateSymbolicLink(Path.Combine(dir, name + ".so"), target);
        }
        var cli = typeof(MiDpg.Research.Cli.InfoCommand).Assembly.Location;
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(cli);
        info.ArgumentList.Add("info");
        info.Environment["LD_LIBRARY_PATH"] = dir;
        info.Environment["COLUMNS"] = "200";
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stdout.Result + stderr);
        Assert.Matches(@"libtorch\s+│\s+2\.10", stdout.Result);
        Assert.Matches(@"check: trace\(X Xᵀ\) > 0\s+│\s+True", stdout.Result);
    }
}
