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

        [CommandOption("--figures <DIR>")]
        [Description("Also write the figures (mean test AUC with std, AUC against parameters, per-scenario gains over DNN; HTML and PNG, with --svg also SVG) into DIR.")]
        public string? Figures { get; init; }

        [CommandOption("--svg")]
        [Description("With --figures: also write each figure as SVG (vector, for papers).")]
        public bool Svg { get; init; }

        public override ValidationResult Validate() =>
            OutputChecks.NameProblem("--name", Name) is { } problem ? ValidationResult.Error(problem) : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = new ResultsStore(settings.Runs);
        var contents = store.Scan(settings.Name);
        if (contents.Rows.Count == 0 && contents.Damaged.Count == 0)
            throw new CliError($"No results for experiment '{settings.Name}' in {store.Root}; run `experiment --name {settings.Name}` first.");
        if (contents.Rows.Count == 0)
            throw new CliError($"Every recorded trial of experiment '{settings.Name}' in {store.Root} is damaged: {string.Join(" ", contents.Damaged.Select(d => d.Problem))} " +
                               $"Run `experiment --name {settings.Name}` again to train them again.");
        if (settings.Svg && settings.Figures is null) throw new CliError("--svg needs --figures DIR.");
        OutputChecks.RequireWritableFolder("--out", settings.Out);
        if (settings.Figures is not null) OutputChecks.RequireWritableFolder("--figures", settings.Figures);
        var summary = Write(store, settings.Name, settings.Out);
        if (settings.Figures is not null)
        {
            var scenarios = ExperimentSummary.SummariseScenarios(contents.Rows);
            foreach (var (chart, file, height) in MainJobCommand.Figures(summary, settings.Name, scenarios))
                AnsiConsole.WriteLine($"figure: {MiDpg.Research.Notebooks.NotebookEnvironment.SaveFigureTo(chart, settings.Figures, file, 1000, height, settings.Svg)}");
        }
        return 0;
    }

    /// <summary>Summarises an experiment, prints it and writes &lt;out&gt;/&lt;name&gt;.md and .csv.</summary>
    internal static IReadOnlyList<SummaryRow> Write(ResultsStore store, string name, string outDir)
    {
        // Damaged trials are left out and said so, here and in the Markdown; legacy ones are counted in one line.
        var contents = store.Scan(name);
        var rows = contents.Rows;
        var notes = contents.DamagedLines.Select(l => $"warning: {l}").ToList();
        if (contents.Damaged.Count > 0) notes.Add($"warning: {contents.Damaged.Count} damaged trial(s) left out of this summary; run the experiment again to train them again.");
        if (contents.LegacyLine.Length > 0) notes.Add(contents.LegacyLine);
        foreach (var note in notes) Console.Error.WriteLine(note);
        var summary = ExperimentSummary.Summarise(rows);
        var scenarios = ExperimentSummary.SummariseScenarios(rows);
        var tuning = HyperparameterSearch.ReadRecords(store, name);
        Directory.CreateDirectory(outDir);
        var md = Path.Combine(outDir, name + ".md");
        var csv = Path.Combine(outDir, name + ".csv");
        var scenarioCsv = Path.Combine(outDir, name + "-scenarios.csv");
        File.WriteAllText(md, $"# {name}\n\n" + string.Concat(notes.Select(n => $"> {n}\n>\n")) + (notes.Count > 0 ? "\n" : "") + ExperimentSummary.ToMarkdown(summary, ModelRegistry.Label) +
                              ExperimentSummary.TuningToMarkdown(tuning, ModelRegistry.Label, ModelRegistry.Names) +
                              ExperimentSummary.MirEffectToMarkdown(ExperimentSummary.MirEffect(rows), tuning) +
                              (scenarios.Count == 0 ? "" : "## Per scenario\n\n" + ExperimentSummary.ScenariosToMarkdown(scenarios, ModelRegistry.Label, ModelRegistry.Names)));
        File.WriteAllText(csv, ExperimentSummary.ToCsv(summary));
        if (scenarios.Count > 0) File.WriteAllText(scenarioCsv, ExperimentSummary.ScenariosToCsv(scenarios));
        foreach (var group in summary.GroupBy(s => s.Dataset))
        {
            var table = new Table().Title($"{Markup.Escape(name)}: {Markup.Escape(group.Key)} ({Markup.Escape(group.First().BestBaseline is { Length: > 0 } best ? "best baseline " + ModelRegistry.Label(best) : "no baseline")})")
                .AddColumns("model", "trials", "AUC", "LogLoss", "RelaImpr", "params", "p (AUC)");
            foreach (var r in group)
                table.AddRow(Markup.Escape(ModelRegistry.Label(r.Model)), r.Trials.ToString(),
                    $"{r.AucMean:F4} ± {r.AucStd:F4}{(r.AucSignificant ? "*" : "")}", $"{r.LogLossMean:F4} ± {r.LogLossStd:F4}",
                    double.IsNaN(r.RelaImpr) ? "–" : $"{r.RelaImpr:F2}%", $"{r.Parameters:N0}", double.IsNaN(r.AucP) ? "–" : r.AucP.ToString("F3"));
            AnsiConsole.Write(table);
        }
        foreach (var group in tuning.GroupBy(t => t.Dataset))
        {
            var table = new Table().Title($"{Markup.Escape(name)}: {Markup.Escape(group.Key)}, chosen on validation").AddColumns("model", "chosen", "valid AUC", "candidates");
            foreach (var t in group.OrderBy(t => ModelRegistry.Names.ToList().IndexOf(t.Model)))
                table.AddRow(Markup.Escape(ModelRegistry.Label(t.Model)), Markup.Escape(t.Chosen), $"{t.ChosenValidAuc:F4}", $"{t.Candidates.Count} of {t.SpaceSize}");
            AnsiConsole.Write(table);
        }
        AnsiConsole.WriteLine($"report: {Path.GetFullPath(md)}, {Path.GetFullPath(csv)}" + (scenarios.Count > 0 ? $", {Path.GetFullPath(scenarioCsv)}" : ""));
        return summary;
    }
}
