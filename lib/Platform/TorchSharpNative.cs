using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MiDpg.Research.Platform;

/// <summary>
/// Makes TorchSharp's native libraries load, the same way in a build, a test host and a
/// .NET Interactive kernel (where <c>#r "nuget: TorchSharp-cpu"</c> loads them from the NuGet cache).
///
/// Two platform fixes, applied only where needed:
/// <list type="number">
/// <item><b>GLIBCXX_3.4.32.</b> TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> was linked against a
/// newer libstdc++ and declares a need for <c>GLIBCXX_3.4.32</c>, which Debian 12 / Ubuntu 22.04
/// (GCC 12) lack. Its only symbol of that version, <c>std::ios_base_library_init</c>, is never
/// relocated, so marking that need weak (<see cref="ElfVersionNeeds.MarkWeak"/>) is enough. We do it
/// only when the libstdc++ this process actually uses lacks the version, and only for versions in
/// <see cref="UnrelocatedVersions"/>; any other missing version is reported, not hidden.</item>
/// <item><b>Shadowing.</b> A system-wide libtorch (e.g. Debian's python3-torch) can be found first
/// by the dynamic loader when libraries are opened by bare name. We load libc10, libtorch_cpu,
/// libtorch and libLibTorchSharp by full path from TorchSharp's own packages first; later bare-name
/// lookups then resolve to these already-loaded objects.</item>
/// </list>
/// Runs once per process; called by this assembly's module initialiser, so touching any type of the
/// library is enough.
/// </summary>
public static class TorchSharpNative
{
    /// <summary>Version needs known to be safe to weaken: no symbol of theirs is relocated by TorchSharp.</summary>
    public static readonly IReadOnlyList<string> UnrelocatedVersions = ["GLIBCXX_3.4.32"];

    static readonly object Gate = new();
    static NativeReport? report;

    /// <summary>What <see cref="EnsureLoaded"/> found and did.</summary>
    public sealed record NativeReport(
        string? LibStdCxx,
        IReadOnlyList<string> NativeDirectories,
        IReadOnlyList<string> PatchedFiles,
        IReadOnlyList<string> LoadedByPath,
        string? Problem);

    /// <summary>The report of the first call, or null if nothing ran yet.</summary>
    public static NativeReport? Report => report;

    [ModuleInitializer]
    internal static void OnModuleLoad()
    {
        // Never throw from a module initialiser: record the problem; torch's own error follows on first use.
        try { EnsureLoaded(); }
        catch (Exception e) { report ??= new NativeReport(null, [], [], [], e.Message); }
    }

    /// <summary>Applies the fixes (if needed) and loads TorchSharp's native libraries by path. Idempotent.</summary>
    public static NativeReport EnsureLoaded()
    {
        lock (Gate)
        {
            if (report is not null) return report;
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
                return report = new NativeReport(null, [], [], [], null);

            var dirs = NativeDirectories();
            var libstdcxx = LoadedLibStdCxx();
            var patched = dirs.Select(d => Path.Combine(d, "libLibTorchSharp.so"))
                .Where(f => File.Exists(f) && PatchIfNeeded(f, libstdcxx)).ToList();

            var loaded = new List<string>();
            var torchDir = dirs.FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")));
            var sharpDir = dirs.FirstOrDefault(d => File.Exists(Path.Combine(d, "libLibTorchSharp.so")));
            if (torchDir is not null && sharpDir is not null)
            {
                foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
                    loaded.Add(LoadByPath(Path.Combine(torchDir, name)));
                loaded.Add(LoadByPath(Path.Combine(sharpDir, "libLibTorchSharp.so")));
            }
            return report = new NativeReport(libstdcxx, dirs, patched, loaded,
                torchDir is null ? "TorchSharp's native libraries were not found next to TorchSharp.dll or in the NuGet cache." : null);
        }
    }

    /// <summary>
    /// Marks the libstdc++ version needs of <paramref name="libTorchSharp"/> weak where <paramref name="libstdcxx"/>
    /// lacks them and they are known to be unrelocated. Returns true if the file was changed.
    /// Throws, naming the versions, if a missing version is not known to be safe.
    /// </summary>
    public static bool PatchIfNeeded(string libTorchSharp, string? libstdcxx)
    {
        if (libstdcxx is null) return false;
        var defined = ElfVersionNeeds.ReadDefinitions(libstdcxx);
        var missing = ElfVersionNeeds.ReadNeeds(libTorchSharp)
            .Where(n => n.File.StartsWith("libstdc++", StringComparison.Ordinal) && !n.IsWeak && !defined.Contains(n.Version))
            .Select(n => n.Version).ToList();
        if (missing.Count == 0) return false;
        var unknown = missing.Except(UnrelocatedVersions).ToList();
        if (unknown.Count > 0)
            throw new PlatformNotSupportedException(
                $"{libTorchSharp} needs {string.Join(", ", unknown)} from libstdc++, which {libstdcxx} does not provide; " +
                "install a newer libstdc++ (GCC 13 or later).");
        return ElfVersionNeeds.MarkWeak(libTorchSharp, missing).Count > 0;
    }

    static string LoadByPath(string path)
    {
        NativeLibrary.Load(path);
        return path;
    }

    /// <summary>
    /// Folders that may hold TorchSharp's native libraries: next to the app (runtimes/linux-x64/native),
    /// the host's native search directories, and the NuGet cache layout used by .NET Interactive.
    /// </summary>
    public static IReadOnlyList<string> NativeDirectories()
    {
        var candidates = new List<string>();
        const string rid = "runtimes/linux-x64/native";
        var searchDirs = AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string;
        if (searchDirs is not null)
            candidates.AddRange(searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        candidates.Add(AppContext.BaseDirectory);
        candidates.Add(Path.Combine(AppContext.BaseDirectory, rid));

        var torchSharp = TorchSharpAssembly();
        var asmDir = string.IsNullOrEmpty(torchSharp?.Location) ? null : Path.GetDirectoryName(torchSharp!.Location);
        if (asmDir is not null)
        {
            candidates.Add(asmDir);
            candidates.Add(Path.Combine(asmDir, rid));
            candidates.Add(Path.Combine(asmDir, "cpu"));
            // NuGet cache: <root>/torchsharp/<v>/lib/<tfm>/TorchSharp.dll and <root>/libtorch-cpu-linux-x64/<v>/runtimes/...
            var packageDir = Path.GetFullPath(Path.Combine(asmDir, "..", ".."));
            candidates.Add(Path.Combine(packageDir, rid));
            var root = Path.GetFullPath(Path.Combine(packageDir, "..", ".."));
            var libtorch = Path.Combine(root, "libtorch-cpu-linux-x64");
            if (Directory.Exists(libtorch))
                candidates.AddRange(Directory.GetDirectories(libtorch).OrderDescending().Select(v => Path.Combine(v, rid)));
        }
        return candidates.Select(d => Path.GetFullPath(d).TrimEnd('/')).Distinct()
            .Where(d => Directory.Exists(d) && (File.Exists(Path.Combine(d, "libLibTorchSharp.so")) || File.Exists(Path.Combine(d, "libtorch_cpu.so"))))
            .ToList();
    }

    static Assembly? TorchSharpAssembly()
    {
        // typeof(...) does not run torch's static constructor, which is what loads the natives.
        try { return typeof(TorchSharp.torch).Assembly; }
        catch (Exception) { return null; }
    }

    /// <summary>The libstdc++ mapped into this process (the one TorchSharp will bind to), else the system's.</summary>
    public static string? LoadedLibStdCxx()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.Contains("libstdc++.so.6", StringComparison.Ordinal))
                    return line[slash..].Trim();
            }
        }
        catch (IOException) { }
        foreach (var path in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6" })
            if (File.Exists(path)) return path;
        return null;
    }
}
