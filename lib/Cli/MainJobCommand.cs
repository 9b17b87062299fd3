using System.ComponentModel;
using System.Text;
using MiDpg.Research.Models;
using MiDpg.Research.Notebooks;
using MiDpg.Research.Plotting;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>
/// `main`: the main job on the embedded synthetic default. Trains DNN, the four DPG variants, MI-DPG and
/// the baselines for a few trials (quick mode; --full trains all 15 registry models on more data), writes the Table-1-style report (Markdown +
/// CSV, with the sanity check "DPG and MI-DPG beat DNN on mean test AUC") and its figures, then executes
/// every notebook, leaving the executed copies in &lt;out&gt;/notebooks and their figures in &lt;out&gt;/figures.
/// </summary>
public sealed class MainJobCommand : Command<MainJobCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Output folder (default: output).")]
        public string Out { get; init; } = "output";

        [CommandOption("--full")]
        [Description("Full mode: 100k synthetic rows, up to 10 epochs, 3 trials, notebooks in full mode. Default is quick mode.")]
        public bool Full { get; init; }

        [CommandOption("--trials <N>")]
        [Description("Trials per model (default 3).")]
        public int Trials { get; init; } = 3;

        [CommandOption("--runs <DIR>")]
        [Description("Results store folder (default: runs); finished trials are reused.")]
        public string Runs { get; init; } = "runs";

        [CommandOption("--skip-notebooks")]
        [Description("Only the experiment and its report.")]
        public bool SkipNotebooks { get; init; }

        public override ValidationResult Validate() =>
            Trials < 1 ? ValidationResult.Error("--trials must be at least 1.") : ValidationResult.Success();
    }

    /// <summary>Quick mode: DNN, the four DPG variants, MI-DPG (R, the paper's best variant) and the baselines.</summary>
    internal static readonly string[] QuickModels =
        ["dnn", "ple", "star", "pepnet", "adasparse", "apg", "optmsm", "dpg-non", "dpg-rc", "dpg-r", "dpg-c", "midpg-r"];

    /// <summary>The synthetic default of the main job (quick mode: 20 k of its rows).</summary>
    internal static string Dataset(bool full) =>
        full ? "synthetic" : "synthetic,rows=20000";

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        bool quick = !settings.Full;
        var figures = Path.Combine(settings.Out, "figures");
        var report = Path.Combine(settings.Out, "report");
        var name = quick ? "main-quick" : "main";
        var spec = new ExperimentSpec
        {
            Name = name,
            Models = quick ? QuickModels : ModelRegistry.Names,
            Datasets = [DatasetSource.Parse(Dataset(!quick), quick)],
            Seeds = Enumerable.Range(1, settings.Trials).ToArray(),
            Trainer = new TrainerConfig { MaxEpochs = quick ? 3 : 10, Patience = quick ? 1 : 2 },
        };
        AnsiConsole.MarkupLine($"[bold]main job[/] ({(quick ? "quick" : "full")} mode) into {Markup.Escape(Path.GetFullPath(settings.Out))}");
        var summary = ExperimentCommand.Run(spec, settings.Runs, report);

        var sanity = Sanity(summary);
        File.AppendAllText(Path.Combine(report, name + ".md"), sanity);
        AnsiConsole.Write(new Text(sanity));
        foreach (var (chart, file, height) in Figures(summary, name))
            AnsiConsole.WriteLine($"figure: {NotebookEnvironment.SaveFigureTo(chart, figures, file, 1000, height)}");

        if (settings.SkipNotebooks) return 0;
        return NotebooksCommand.Run([], settings.Out, quick);
    }

    /// <summary>The implementation's sanity check (not a claim about the paper): do DPG and MI-DPG beat DNN on mean test AUC?</summary>
    internal static string Sanity(IReadOnlyList<SummaryRow> summary)
    {
        var md = new StringBuilder("\n## Sanity check of the implementation\n\n");
        foreach (var group in summary.GroupBy(r => r.Dataset))
        {
            var dnn = group.FirstOrDefault(r => r.Model == "dnn");
            if (dnn is null) continue;
            md.Append($"On {group.Key}, over {dnn.Trials} trial(s), DNN has mean test AUC {dnn.AucMean:F4}.\n\n| model | mean test AUC | minus DNN | beats DNN |\n|---|---|---|---|\n");
            foreach (var r in group.Where(r => r.Model.StartsWith("dpg") || r.Model.StartsWith("midpg")).OrderBy(r => r.Model))
                md.Append($"| {ModelRegistry.DisplayName(r.Model)} | {r.AucMean:F4} | {r.AucMean - dnn.AucMean:+0.0000;-0.0000} | {(r.AucMean > dnn.AucMean ? "yes" : "**no**")} |\n");
            md.Append('\n');
        }
        return md.ToString();
    }

    internal static IEnumerable<(Plotly.NET.GenericChart Chart, string File, int Height)> Figures(IReadOnlyList<SummaryRow> summary, string name)
    {
        foreach (var group in summary.GroupBy(r => r.Dataset))
        {
            var rows = group.OrderBy(r => r.AucMean).ToList();
            yield return (Charts.Bars($"{name}: mean test AUC on {group.Key} (± std over trials)", "test AUC",
                rows.Select(r => ModelRegistry.DisplayName(r.Model)).ToArray(), rows.Select(r => r.AucMean).ToArray(), rows.Select(r => r.AucStd).ToArray()),
                $"{name}-{group.Key}-auc", 160 + 42 * rows.Count);
            yield return (Charts.Scatter($"{name}: test AUC against parameters on {group.Key}", "parameters", "test AUC",
                rows.Select(r => (ModelRegistry.DisplayName(r.Model), new[] { r.Parameters }, new[] { r.AucMean }, new[] { r.Model })).ToArray()),
                $"{name}-{group.Key}-params", 600);
        }
    }
}
