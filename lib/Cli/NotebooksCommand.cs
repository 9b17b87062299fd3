using System.ComponentModel;
using MiDpg.Research.Notebooks;
using MiDpg.Research.Platform;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>`notebooks`: execute notebooks through the real kernel.</summary>
public sealed class NotebooksCommand : Command<NotebooksCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[NOTEBOOK]")]
        [Description("Notebook files or name prefixes (e.g. 00); default: all of notebooks/.")]
        public string[] Notebooks { get; init; } = [];

        [CommandOption("--out <DIR>")]
        [Description("Output folder: executed copies in <DIR>/notebooks, figures in <DIR>/figures (default: output).")]
        public string Out { get; init; } = "output";

        [CommandOption("--quick")]
        [Description("Quick mode: small data, few epochs.")]
        public bool Quick { get; init; }

        [CommandOption("--param <NAME=EXPRESSION>")]
        [Description("Override a variable of the notebooks' parameters cell (tagged 'parameters', papermill's convention) with a C# expression, e.g. --param epochs=3 --param 'datasets=new[[]] { \"douban\" }'. Repeatable; every notebook run must declare the name.")]
        public string[] Parameters { get; init; } = [];

        [CommandOption("--cell-timeout <SECONDS>")]
        [Description("Longest time one cell may run before the notebook fails, in seconds; 0 = no limit. Default: 900 with --quick, no limit otherwise (full-mode training cells run for tens of minutes).")]
        public int? CellTimeout { get; init; }

        [CommandOption("--readers <DIR>")]
        [Description("Also write reader copies of the executed notebooks to DIR (e.g. docs/notebooks): every chart gets a static PNG beside its interactive output, so GitHub shows it; paths become relative. Needs Chromium.")]
        public string? Readers { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        Run(settings.Notebooks, settings.Out, settings.Quick, settings.Parameters, settings.Readers, settings.CellTimeout);

    internal static int Run(IReadOnlyList<string> selection, string outDir, bool quick, IReadOnlyList<string>? parameters = null, string? readers = null,
        int? cellTimeoutSeconds = null)
    {
        if (cellTimeoutSeconds is < 0) throw new CliError($"--cell-timeout must be >= 0 seconds (0 = no limit); got {cellTimeoutSeconds}.");
        var all = NotebookRunner.All();
        var chosen = selection.Count == 0
            ? all
            : selection.Select(s => File.Exists(s) ? Path.GetFullPath(s)
                : all.FirstOrDefault(n => Path.GetFileName(n).StartsWith(s, StringComparison.Ordinal))
                  ?? throw new CliError($"No notebook matches '{s}' in {RepositoryPaths.Notebooks}.")).ToList();
        NotebookRunner.Outcome outcome;
        try { outcome = NotebookRunner.Run(chosen, Path.Combine(outDir, "notebooks"), Path.Combine(outDir, "figures"), quick, Console.WriteLine, cellTimeoutSeconds, parameters); }
        catch (Exception e) when (e is ArgumentException or InvalidDataException) { throw new CliError(e.Message); }
        if (readers is null) return outcome.ExitCode;
        if (outcome.ExitCode != 0)
            throw new CliError($"No reader copies written to {readers}: a notebook failed (see above).");
        foreach (var notebook in chosen)
        {
            var name = Path.GetFileName(notebook);
            try
            {
                var copy = ReaderNotebooks.Write(Path.Combine(outDir, "notebooks", name), Path.Combine(readers, name), RepositoryPaths.Root());
                Console.WriteLine($"reader copy: {Path.GetRelativePath(Environment.CurrentDirectory, copy.Path)} ({copy.Images} of {copy.Charts} charts with a PNG)");
            }
            catch (InvalidOperationException e) { throw new CliError(e.Message); }
        }
        return 0;
    }
}
