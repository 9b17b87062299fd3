using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiDpg.Research.Platform;

/// <summary>
/// Prepares the real .NET Interactive kernel for our notebooks (called by environment/setup.sh).
///
/// <b>FSharp.Core fix.</b> Plotly.NET 6.0.0 is compiled against FSharp.Core 10.1, but the
/// dotnet-interactive 1.0.712001 tool ships FSharp.Core 10.0 and loads it at start-up, so the first
/// Plotly call inside the kernel fails to load FSharp.Core 10.1. When (and only when) the tool's
/// FSharp.Core is older than the one this library was built with, we copy the tool into the ignored
/// folder <c>environment/.kernel/</c> and give that copy the newer FSharp.Core (FSharp.Core keeps
/// binary compatibility within a major version, so the kernel's own F# code is unaffected). The NuGet
/// cache is never modified for this. The Jupyter kernelspec points at the copy.
///
/// <b>TorchSharp native fix in the NuGet cache.</b> <c>#r "nuget: TorchSharp-cpu"</c> loads
/// libLibTorchSharp.so from the NuGet cache; <see cref="TorchSharpNative.PatchIfNeeded"/> is applied
/// there too, so a notebook works even before it touches this library.
/// </summary>
public static class KernelSetup
{
    public const string KernelName = ".net-csharp";
    const string AppDll = "Microsoft.DotNet.Interactive.App.dll";

    public sealed record Result(string KernelDirectory, string KernelSpecDirectory, IReadOnlyList<string> Notes);

    /// <summary>The NuGet global packages folder (honours NUGET_PACKAGES).</summary>
    public static string NuGetRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Reads the pinned dotnet-interactive version from the tool manifest.</summary>
    public static string InteractiveVersion(string manifestPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(manifestPath));
        if (!doc.RootElement.GetProperty("tools").TryGetProperty("microsoft.dotnet-interactive", out var tool))
            throw new InvalidDataException($"{manifestPath}: no 'microsoft.dotnet-interactive' entry under 'tools'.");
        return tool.GetProperty("version").GetString()
               ?? throw new InvalidDataException($"{manifestPath}: 'microsoft.dotnet-interactive' has no version.");
    }

    /// <summary>
    /// The installed tool's folder (the one holding the kernel's app dll). `dotnet tool restore` puts local
    /// tools in the default ~/.nuget/packages even where NUGET_PACKAGES points elsewhere (dotnet/sdk#11432),
    /// so both places are searched.
    /// </summary>
    public static string ToolDirectory(string version)
    {
        var defaultRoot = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var searched = new[] { NuGetRoot(), defaultRoot }.Distinct()
            .Select(root => Path.Combine(root, "microsoft.dotnet-interactive", version, "tools")).ToList();
        foreach (var tools in searched.Where(Directory.Exists))
            foreach (var tfm in Directory.GetDirectories(tools).OrderDescending())
                if (File.Exists(Path.Combine(tfm, "any", AppDll)))
                    return Path.Combine(tfm, "any");
        throw new DirectoryNotFoundException(
            $"dotnet-interactive {version} is not installed (looked in {string.Join(", ", searched)}); " +
            "run `dotnet tool restore --tool-manifest environment/dotnet-tools.json`.");
    }

    /// <summary>Runs every step; each is idempotent.</summary>
    public static Result Run(string repositoryRoot, string manifestPath, TextWriter log)
    {
        var notes = new List<string>();
        var version = InteractiveVersion(manifestPath);
        var toolDir = ToolDirectory(version);
        var kernelDir = EnsureFSharpCore(toolDir, Path.Combine(repositoryRoot, "environment", ".kernel", version), log);
        var specDir = WriteKernelSpec(Path.Combine(repositoryRoot, "environment", ".jupyter", "kernels", KernelName), kernelDir);
        log.WriteLine($"kernelspec: {specDir}");
        notes.AddRange(RegisterForUser(specDir, log));
        PatchNuGetCache(log);
        return new Result(kernelDir, specDir, notes);
    }

    /// <summary>Returns the folder to run the kernel from: the tool itself, or a fixed copy.</summary>
    public static string EnsureFSharpCore(string toolDir, string copyDir, TextWriter log)
    {
        var ours = typeof(Microsoft.FSharp.Core.FSharpFunc<,>).Assembly;
        var ourVersion = ours.GetName().Version!;
        var toolVersion = AssemblyName.GetAssemblyName(Path.Combine(toolDir, "FSharp.Core.dll")).Version!;
        if (toolVersion >= ourVersion)
        {
            log.WriteLine($"FSharp.Core: kernel has {toolVersion}, Plotly.NET needs {ourVersion}: no fix needed");
            return toolDir;
        }
        var copied = Path.Combine(copyDir, "FSharp.Core.dll");
        if (File.Exists(copied) && AssemblyName.GetAssemblyName(copied).Version == ourVersion && File.Exists(Path.Combine(copyDir, AppDll)))
        {
            log.WriteLine($"FSharp.Core: kernel copy at {copyDir} already has {ourVersion}");
            return copyDir;
        }
        log.WriteLine($"FSharp.Core: kernel has {toolVersion}, Plotly.NET needs {ourVersion}: making a fixed copy of the kernel in {copyDir}");
        if (Directory.Exists(copyDir)) Directory.Delete(copyDir, recursive: true);
        CopyDirectory(toolDir, copyDir);
        File.Copy(ours.Location, copied, overwrite: true);
        // Keep the deps.json in step with the file it describes.
        var depsPath = Path.Combine(copyDir, "Microsoft.DotNet.Interactive.App.deps.json");
        var deps = JsonNode.Parse(File.ReadAllText(depsPath))!;
        foreach (var target in deps["targets"]!.AsObject())
            foreach (var library in target.Value!.AsObject().Where(l => l.Key.StartsWith("FSharp.Core/", StringComparison.Ordinal)))
                foreach (var runtime in library.Value!["runtime"]?.AsObject() ?? new JsonObject())
                {
                    runtime.Value!["assemblyVersion"] = ourVersion.ToString();
                    runtime.Value!["fileVersion"] = System.Diagnostics.FileVersionInfo.GetVersionInfo(ours.Location).FileVersion;
                }
        File.WriteAllText(depsPath, deps.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return copyDir;
    }

    static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
    }

    /// <summary>Writes the Jupyter kernelspec that runs the kernel from <paramref name="kernelDir"/>.</summary>
    public static string WriteKernelSpec(string specDir, string kernelDir)
    {
        Directory.CreateDirectory(specDir);
        var spec = new JsonObject
        {
            ["argv"] = new JsonArray("dotnet", Path.Combine(kernelDir, AppDll), "jupyter", "--default-kernel", "csharp",
                "{connection_file}", "--http-port-range", "2048-3000"),
            ["display_name"] = ".NET (C#)",
            ["language"] = "C#",
            ["env"] = new JsonObject { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1" },
        };
        WriteIfChanged(Path.Combine(specDir, "kernel.json"), spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return specDir;
    }

    /// <summary>
    /// Registers the kernelspec for the user's Jupyter (~/.local/share/jupyter/kernels) unless one of
    /// that name already exists and differs: then it is left alone and a note says how to use ours.
    /// </summary>
    static IEnumerable<string> RegisterForUser(string specDir, TextWriter log)
    {
        var dataDir = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } d
            ? d
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "jupyter");
        var target = Path.Combine(dataDir, "kernels", KernelName, "kernel.json");
        var ours = File.ReadAllText(Path.Combine(specDir, "kernel.json"));
        if (File.Exists(target) && File.ReadAllText(target) != ours)
        {
            var note = $"A different '{KernelName}' kernelspec is already registered at {target}; left unchanged. " +
                       $"To use this project's fixed kernel in Jupyter: JUPYTER_PATH={Path.GetDirectoryName(Path.GetDirectoryName(specDir))} jupyter lab";
            log.WriteLine(note);
            yield return note;
            yield break;
        }
        WriteIfChanged(target, ours);
        log.WriteLine($"kernelspec registered for Jupyter: {target}");
    }

    static void PatchNuGetCache(TextWriter log)
    {
        var libstdcxx = TorchSharpNative.LoadedLibStdCxx();
        var torchsharp = Path.Combine(NuGetRoot(), "torchsharp");
        if (!Directory.Exists(torchsharp)) return;
        foreach (var file in Directory.GetFiles(torchsharp, "libLibTorchSharp.so", SearchOption.AllDirectories))
            log.WriteLine(TorchSharpNative.PatchIfNeeded(file, libstdcxx)
                ? $"TorchSharp native fix applied: {file}"
                : $"TorchSharp native fix not needed: {file}");
    }

    static void WriteIfChanged(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path) && File.ReadAllText(path) == text) return;
        File.WriteAllText(path, text);
    }
}
