using System.ComponentModel;
using MiDpg.Research.Models;
using MiDpg.Research.Training.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>`report`: the Table-1-style summary of an experiment in the results store (Markdown, CSV, console).</summary>
public sealed class ReportCommand : Command<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--name <NAME>")]
        [Description("Experiment name (default: table1).")]
        public string Name { get; init; } = "table1";

        [CommandOption("--runs <DIR>")]
        [Description("Results store folder (default: runs).")]
        public string Runs { get; init; } = "runs";

        [CommandOption("--out <DIR>")]
        [Description("Where the Markdown and CSV go (default: output/report).")]
        public string Out { get; init; } = Path.Combine("output", "report");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = new ResultsStore(settings.Runs);
        if (store.Read(settings.Name).Count == 0)
            throw new CliError($"No results for experiment '{settings.Name}' in {store.Root}; run `experiment --name {settings.Name}` first.");
        Write(store, settings.Name, settings.Out);
        return 0;
    }

    /// <summary>Summarises an experiment, prints it and writes &lt;out&gt;/&lt;name&gt;.md and .csv.</summary>
    internal static IReadOnlyList<SummaryRow> Write(ResultsStore store, string name, string outDir)
    {
        var summary = ExperimentSummary.Summarise(store.Read(name));
        Directory.CreateDirectory(outDir);
        var md = Path.Combine(outDir, name + ".md");
        var csv = Path.Combine(outDir, name + ".csv");
        File.WriteAllText(md, $"# {name}\n\n" + ExperimentSummary.ToMarkdown(summary, ModelRegistry.DisplayName));
        File.WriteAllText(csv, ExperimentSummary.ToCsv(summary));
        foreach (var group in summary.GroupBy(s => s.Dataset))
        {
            var table = new Table().Title($"{Markup.Escape(name)}: {Markup.Escape(group.Key)} ({Markup.Escape(group.First().BestBaseline is { Length: > 0 } best ? "best baseline " + ModelRegistry.DisplayName(best) : "no baseline")})")
                .AddColumns("model", "trials", "AUC", "LogLoss", "RelaImpr", "params", "p (AUC)");
            foreach (var r in group)
                table.AddRow(Markup.Escape(ModelRegistry.DisplayName(r.Model)), r.Trials.ToString(),
                    $"{r.AucMean:F4} ± {r.AucStd:F4}{(r.AucSignificant ? "*" : "")}", $"{r.LogLossMean:F4} ± {r.LogLossStd:F4}",
                    double.IsNaN(r.RelaImpr) ? "–" : $"{r.RelaImpr:F2}%", $"{r.Parameters:N0}", double.IsNaN(r.AucP) ? "–" : r.AucP.ToString("F3"));
            AnsiConsole.Write(table);
        }
        AnsiConsole.WriteLine($"report: {Path.GetFullPath(md)}, {Path.GetFullPath(csv)}");
        return summary;
    }
}
