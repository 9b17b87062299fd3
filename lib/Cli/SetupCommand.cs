using System.ComponentModel;
using MiDpg.Research.Platform;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>`setup`: the kernel copy with the FSharp.Core fix, the kernelspec, the native fix in the NuGet cache.</summary>
public sealed class SetupCommand : Command<SetupCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--tool-manifest <PATH>")]
        [Description("The dotnet tool manifest pinning dotnet-interactive (default: environment/dotnet-tools.json).")]
        public string? ToolManifest { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var root = RepositoryPaths.Root();
        var manifest = settings.ToolManifest ?? Path.Combine(root, "environment", "dotnet-tools.json");
        if (!File.Exists(manifest)) throw new CliError($"Tool manifest not found: {manifest}");
        var native = TorchSharpNative.EnsureLoaded();
        if (native.Problem is not null) throw new CliError(native.Problem);
        foreach (var file in native.PatchedFiles) Console.WriteLine($"TorchSharp native fix applied: {file}");
        KernelSetup.Run(root, manifest, Console.Out);
        return 0;
    }
}
