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
/// the baselines for a few trials (quick mode; --full trains every registry model on more data), writes the Table-1-style report (Markdown +
/// CSV) and its figures, runs the implementation's sanity check (DNN, DPG and MI-DPG in the full protocol on the synthetic
/// default with heterogeneous scenarios; do DPG and MI-DPG beat DNN on mean test AUC?), then executes every notebook,
/// leaving the executed copies in &lt;out&gt;/notebooks and their figures in &lt;out&gt;/figures.
/// </summary>
public sealed class MainJobCommand : Command<MainJobCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Output folder (default: output).")]
        public string Out { get; init; } = "output";

        [CommandOption("--full")]
        [Description("Full mode: the full protocol (100k synthetic rows, up to 10 epochs, hyperparameters tuned on validation, 10 trials), notebooks in full mode. Default is quick mode.")]
        public bool Full { get; init; }

        [CommandOption("--trials <N>")]
        [Description("Trials per model (default 10 in full mode, 3 in quick mode; the sanity check uses the same number).")]
        public int? Trials { get; init; }

        [CommandOption("--tune-budget <N>")]
        [Description("Configurations tried per model when tuning (full mode and the sanity check; default 6).")]
        public int TuneBudget { get; init; } = 6;

        [CommandOption("--runs <DIR>")]
        [Description("Results store folder (default: runs); finished trials are reused.")]
        public string Runs { get; init; } = "runs";

        [CommandOption("--skip-sanity")]
        [Description("Skip the sanity check (DNN, DPG (R), MI-DPG (R) in the full protocol, tuned, on two synthetic datasets; about 20 minutes on 2 cores with 3 trials).")]
        public bool SkipSanity { get; init; }

        [CommandOption("--skip-notebooks")]
        [Description("Only the experiment and its report.")]
        public bool SkipNotebooks { get; init; }

        [CommandOption("--readers <DIR>")]
        [Description("Also write reader copies of the executed notebooks to DIR (e.g. docs/notebooks): a PNG beside every chart, so GitHub shows it.")]
        public string? Readers { get; init; }

        public override ValidationResult Validate() =>
            Trials < 1 ? ValidationResult.Error("--trials must be at least 1.")
            : TuneBudget < 1 ? ValidationResult.Error("--tune-budget must be at least 1.")
            : ValidationResult.Success();
    }

    /// <summary>Quick mode: DNN, the four DPG variants, MI-DPG (R, the paper's best variant) and the baselines.</summary>
    internal static readonly string[] QuickModels =
        ["dnn", "ple", "star", "pepnet", "adasparse", "apg", "optmsm", "dpg-non", "dpg-rc", "dpg-r", "dpg-c", "midpg-r"];

    /// <summary>The sanity check's data: the synthetic default (10 scenarios in 3 groups that disagree) and the same
    /// generator with every scenario its own group (the most heterogeneous scenarios).</summary>
    internal static readonly string[] SanityDatasets = ["synthetic", "synthetic,groups=10"];

    /// <summary>The sanity check's models: DNN and the paper's main configuration of DPG and MI-DPG (variant R).</summary>
    internal static readonly string[] SanityModels = ["dnn", "dpg-r", "midpg-r"];

    /// <summary>Data-parallel shards for the main job's trainings: one per core, at most 4.</summary>
    internal static int Shards => Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>The synthetic default of the main job (quick mode: 20 k of its rows).</summary>
    internal static string Dataset(bool full) =>
        full ? "synthetic" : "synthetic,rows=20000";

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        bool quick = !settings.Full;
        var figures = Path.Combine(settings.Out, "figures");
        var report = Path.Combine(settings.Out, "report");
        var name = quick ? "main-quick" : "main";
        int trials = settings.Trials ?? (quick ? 3 : 10);
        var tuning = new TuningSpec { Budget = settings.TuneBudget };
        var spec = new ExperimentSpec
        {
            Name = name,
            Models = quick ? QuickModels : ModelRegistry.Names,
            Datasets = [DatasetSource.Parse(Dataset(!quick), quick)],
            Seeds = Enumerable.Range(1, trials).ToArray(),
            Trainer = new TrainerConfig { MaxEpochs = quick ? 3 : 10, Patience = quick ? 1 : 2, Shards = Shards },
            // Quick mode shows the mechanics at default settings; the full protocol tunes every model first.
            Tuning = quick ? null : tuning,
        };
        AnsiConsole.MarkupLine($"[bold]main job[/] ({(quick ? "quick" : "full")} mode) into {Markup.Escape(Path.GetFullPath(settings.Out))}");
        var summary = ExperimentCommand.Run(spec, settings.Runs, report, cancellationToken);
        var comparison = Sanity(summary, quick
            ? "Quick mode (small data, few epochs, default hyperparameters): DPG and MI-DPG against DNN here show the mechanics, not the check."
            : "DPG and MI-DPG against DNN on the main experiment's data, every model tuned on validation.",
            HyperparameterSearch.ReadRecords(new ResultsStore(settings.Runs), name));
        File.AppendAllText(Path.Combine(report, name + ".md"), comparison);

        if (!settings.SkipSanity)
        {
            // Always the full protocol: in quick mode the differences would be noise.
            var sanitySpec = new ExperimentSpec
            {
                Name = "sanity",
                Models = SanityModels,
                Datasets = SanityDatasets.Select(d => DatasetSource.Parse(d, quick: false)).ToArray(),
                Seeds = Enumerable.Range(1, trials).ToArray(),
                Trainer = new TrainerConfig { MaxEpochs = 10, Patience = 2, Shards = Shards },
                Tuning = tuning,
            };
            AnsiConsole.MarkupLine($"[bold]sanity check[/]: {string.Join(", ", SanityModels)} on {string.Join(" and ", SanityDatasets)}, full protocol, tuned ({Markup.Escape(tuning.ToString())}), {trials} trial(s)");
            var sanity = Sanity(ExperimentCommand.Run(sanitySpec, settings.Runs, report, cancellationToken),
                "The implementation's sanity check (not a claim about the paper): on the synthetic default, whose scenarios are " +
                "heterogeneous (3 groups that disagree), and on the same generator with every scenario its own group, in the full " +
                $"protocol — each model's hyperparameters chosen on validation AUC among {tuning.Budget} configurations (learning rate and " +
                "initialisation gain; for MI-DPG also λ, with eq. 8's terms both batch means) — do DPG and MI-DPG beat a DNN tuned the same way " +
                $"on mean test AUC over {trials} trials? It checks that the implementation's scenario-conditioned weights help where scenarios " +
                "differ; differences within about one standard deviation of the trials are noise.",
                HyperparameterSearch.ReadRecords(new ResultsStore(settings.Runs), "sanity"));
            File.AppendAllText(Path.Combine(report, name + ".md"), sanity);
            AnsiConsole.Write(new Text(sanity));
        }
        var scenarios = ExperimentSummary.SummariseScenarios(new ResultsStore(settings.Runs).Read(name));
        foreach (var (chart, file, height) in Figures(summary, name, scenarios))
            AnsiConsole.WriteLine($"figure: {NotebookEnvironment.SaveFigureTo(chart, figures, file, 1000, height)}");

        if (settings.SkipNotebooks) return 0;
        return NotebooksCommand.Run([], settings.Out, quick, readers: settings.Readers);
    }

    /// <summary>DPG and MI-DPG against DNN: mean test AUC, the difference, the paired t-test (when DNN is the best
    /// baseline of the experiment) and whether each beats DNN.</summary>
    public static string Sanity(IReadOnlyList<SummaryRow> summary, string question, IReadOnlyList<TuningRecord>? tuning = null)
    {
        tuning ??= [];
        var md = new StringBuilder($"\n## Sanity check of the implementation\n\n{question}\n\n");
        foreach (var group in summary.GroupBy(r => r.Dataset))
        {
            var dnn = group.FirstOrDefault(r => r.Model == "dnn");
            if (dnn is null) continue;
            string Chosen(string model) => tuning.FirstOrDefault(t => t.Dataset == group.Key && t.Model == model)?.Chosen ?? "";
            bool tuned = tuning.Any(t => t.Dataset == group.Key);
            md.Append($"On {group.Key}, over {dnn.Trials} trial(s), DNN has mean test AUC {dnn.AucMean:F4} ± {dnn.AucStd:F4}" +
                      (tuned ? $" (chosen: {Chosen("dnn")}).\n\n" : ".\n\n") +
                      "| model | mean test AUC | minus DNN | paired t-test p vs DNN | beats DNN |" + (tuned ? " chosen on validation |\n|---|---|---|---|---|---|\n" : "\n|---|---|---|---|---|\n"));
            foreach (var r in group.Where(r => r.Model.StartsWith("dpg") || r.Model.StartsWith("midpg")).OrderBy(r => r.Model))
            {
                var p = r.BestBaseline == "dnn" && double.IsFinite(r.AucP) ? r.AucP.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "–";
                md.Append($"| {ModelRegistry.DisplayName(r.Model)} | {r.AucMean:F4} ± {r.AucStd:F4} | {r.AucMean - dnn.AucMean:+0.0000;-0.0000} | {p} | {(r.AucMean > dnn.AucMean ? "yes" : "**no**")} |" +
                          (tuned ? $" {Chosen(r.Model)} |\n" : "\n"));
            }
            md.Append('\n');
        }
        return md.ToString();
    }

    internal static IEnumerable<(Plotly.NET.GenericChart Chart, string File, int Height)> Figures(IReadOnlyList<SummaryRow> summary, string name,
        IReadOnlyList<ScenarioSummaryRow>? scenarios = null)
    {
        foreach (var group in (scenarios ?? []).GroupBy(r => r.Dataset))
        {
            var rows = group.ToList();
            if (!rows.Any(r => r.Model == ExperimentSummary.BaseModel) || rows.All(r => r.Model == ExperimentSummary.BaseModel)) continue;
            yield return (ScenarioCharts.GainsOverDnn($"{name}: per-scenario test AUC gain over DNN on {group.Key} (mean over trials)", rows,
                ModelRegistry.DisplayName, ModelRegistry.Names), $"{name}-{group.Key}-scenario-gains", 200 + 34 * rows.Select(r => r.Model).Distinct().Count());
        }
        foreach (var group in summary.GroupBy(r => r.Dataset))
        {
            var rows = group.OrderBy(r => r.AucMean).ToList();
            yield return (Table1Charts.Auc($"{name}: mean test AUC on {group.Key}", rows, ModelRegistry.DisplayName),
                $"{name}-{group.Key}-auc", 200 + 36 * rows.Count);
            yield return (Charts.Scatter($"{name}: test AUC against parameters on {group.Key}", "parameters", "test AUC",
                rows.Select(r => (ModelRegistry.DisplayName(r.Model), new[] { r.Parameters }, new[] { r.AucMean }, new[] { r.Model })).ToArray()),
                $"{name}-{group.Key}-params", 600);
        }
    }
}
