using System.ComponentModel;
using MiDpg.Research.Platform;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace MiDpg.Research.Cli;

/// <summary>`info`: what this machine gives TorchSharp.</summary>
public sealed class InfoCommand : Command<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--threads <N>")]
        [Description("Set TorchSharp's intra-op thread count before reporting.")]
        public int? Threads { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var native = TorchSharpNative.EnsureLoaded();
        if (settings.Threads is { } t)
        {
            if (t < 1) throw new CliError("--threads must be at least 1.");
            set_num_threads(t);
        }
        var table = new Table().AddColumns("what", "value");
        table.AddRow("MiDpg.Research", typeof(InfoCommand).Assembly.GetName().Version!.ToString());
        table.AddRow("TorchSharp", typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString());
        table.AddRow("libtorch", __version__);
        table.AddRow("threads (intra-op)", get_num_threads().ToString());
        table.AddRow("processors", Environment.ProcessorCount.ToString());
        table.AddRow("CUDA available", cuda.is_available().ToString());
        table.AddRow("default device", (cuda.is_available() ? CUDA : CPU).ToString());
        table.AddRow("libstdc++", Markup.Escape(native.LibStdCxx ?? "-"));
        table.AddRow("GLIBCXX fix applied now", Markup.Escape(native.PatchedFiles.Count == 0 ? "no (not needed or already applied)" : string.Join(", ", native.PatchedFiles)));
        table.AddRow("loaded by path", Markup.Escape(string.Join("\n", native.LoadedByPath)));
        using (var x = randn(256, 256)) using (var y = x.matmul(x.T))
            table.AddRow("check: trace(X Xᵀ) > 0", (y.trace().item<float>() > 0).ToString());
        AnsiConsole.Write(table);
        return 0;
    }
}
