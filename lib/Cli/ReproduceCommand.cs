using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MiDpg.Research.Platform;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>`reproduce scenario-wise-rec`: the baselines both packages have, trained by each on the same rows and settings
/// (lib/Training/Experiments/ReferenceComparison.cs), and the report docs/reproduction/scenario-wise-rec.md (+ CSV).</summary>
public sealed class ReproduceCommand : Command<ReproduceCommand.Settings>
{
    public const string DefaultData = "synthetic;synthetic,groups=10;douban";
    public const string QuickData = "synthetic,rows=3000";

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<REFERENCE>")]
        [Description("The reference implementation: scenario-wise-rec.")]
        public string Reference { get; init; } = "";

        [CommandOption("--data <DATASETS>")]
        [Description("Datasets separated by ';' (default: the synthetic default, the same generator with every scenario its own group, and the Douban sample; quick: " + QuickData + ").")]
        public string? Data { get; init; }

        [CommandOption("--models <LIST>")]
        [Description("Models both packages have (default: all of them; quick: star,ple).")]
        public string? Models { get; init; }

        [CommandOption("--seeds <LIST>")]
        [Description("Seeds, one run per seed on each side (default 1,2,3,4,5; quick 1).")]
        public string? Seeds { get; init; }

        [CommandOption("--epochs <N>")]
        [Description("Maximum epochs on both sides (default 10; quick 2).")]
        public int? Epochs { get; init; }

        [CommandOption("--patience <N>")]
        [Description("Epochs without validation-AUC gain before stopping, both sides (default 2; quick 1).")]
        public int? Patience { get; init; }

        [CommandOption("--batch-size <N>")]
        [Description("Mini-batch size, both sides (default 512).")]
        public int BatchSize { get; init; } = 512;

        [CommandOption("--lr <RATE>")]
        [Description("Adam's learning rate, both sides (default 1e-3).")]
        public double LearningRate { get; init; } = 1e-3;

        [CommandOption("--quick")]
        [Description("The smoke version: a few thousand rows, one seed, two models, two epochs.")]
        public bool Quick { get; init; }

        [CommandOption("--runs <DIR>")]
        [Description("Results store (default: runs); finished runs of either side are reused.")]
        public string Runs { get; init; } = "runs";

        [CommandOption("--out <DIR>")]
        [Description("Where the report goes (default: docs/reproduction; quick: output/reproduction).")]
        public string? Out { get; init; }

        [CommandOption("--reference-path <DIR>")]
        [Description("The Scenario-Wise-Rec checkout (default: $MIDPG_SWR, else ../shared/reference/scenario-wise-rec beside the repository).")]
        public string? ReferencePath { get; init; }

        [CommandOption("--python <FILE>")]
        [Description("Python with torch, pandas, scikit-learn and tqdm (default: /usr/bin/python3, Debian's packages).")]
        public string Python { get; init; } = "/usr/bin/python3";

        public override ValidationResult Validate()
        {
            if (!Reference.Equals("scenario-wise-rec", StringComparison.OrdinalIgnoreCase))
                return ValidationResult.Error($"unknown reference '{Reference}'; known: scenario-wise-rec.");
            if (Seeds is not null && ExperimentCommand.Settings.ParseSeeds(Seeds) is null) return ValidationResult.Error($"--seeds '{Seeds}' must be a comma-separated list of distinct integers.");
            if (Epochs is < 1) return ValidationResult.Error("--epochs must be at least 1.");
            if (Patience is < 1) return ValidationResult.Error("--patience must be at least 1.");
            if (BatchSize < 1) return ValidationResult.Error("--batch-size must be at least 1.");
            if (!(LearningRate > 0)) return ValidationResult.Error("--lr must be positive.");
            return ValidationResult.Success();
        }
    }

    /// <summary>The Scenario-Wise-Rec checkout: the option, $MIDPG_SWR, or ../shared/reference/scenario-wise-rec beside the repository.</summary>
    public static string? FindReference(string? given = null)
    {
        var candidate = given ?? Environment.GetEnvironmentVariable("MIDPG_SWR")
                        ?? Path.GetFullPath(Path.Combine(RepositoryPaths.Root(), "..", "shared", "reference", "scenario-wise-rec"));
        return Directory.Exists(Path.Combine(candidate, "scenario_wise_rec")) ? candidate : null;
    }

    public static string Driver => Path.Combine(RepositoryPaths.EnvironmentFolder, "reproduce", "swr_driver.py");

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        TorchSharpNative.EnsureLoaded();
        var reference = FindReference(settings.ReferencePath)
                        ?? throw new CliError($"The Scenario-Wise-Rec checkout was not found ({settings.ReferencePath ?? "$MIDPG_SWR or ../shared/reference/scenario-wise-rec"}); pass --reference-path DIR.");
        if (!File.Exists(settings.Python)) throw new CliError($"--python: {settings.Python} does not exist (apt-get install python3-torch python3-pandas python3-sklearn python3-tqdm).");
        // Pair names may contain spaces and parentheses; --models takes them comma-separated (no pair name holds a comma).
        var pairs = settings.Models is null && !settings.Quick
            ? ScenarioWiseRecPairs.All.ToArray()
            : (settings.Models ?? "star,ple").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => ScenarioWiseRecPairs.All.FirstOrDefault(p => p.Name == n)
                             ?? throw new CliError($"--models: '{n}' is not a model both packages have; known: {string.Join(", ", ScenarioWiseRecPairs.All.Select(p => p.Name))}.")).ToArray();
        IReadOnlyList<DatasetSource> datasets;
        try
        {
            datasets = (settings.Data ?? (settings.Quick ? QuickData : DefaultData)).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(d => DatasetSource.Parse(d)).ToList();
        }
        catch (ArgumentException e) { throw new CliError($"--data: {e.Message}"); }
        var spec = new ReferenceSpec
        {
            Experiment = settings.Quick ? "scenario-wise-rec-quick" : "scenario-wise-rec",
            Pairs = pairs,
            Datasets = datasets,
            Seeds = settings.Seeds is { } s ? ExperimentCommand.Settings.ParseSeeds(s)! : settings.Quick ? [1] : [1, 2, 3, 4, 5],
            Trainer = new ReferenceSpec { Pairs = [], Datasets = [], Driver = "", ReferenceRoot = "" }.Trainer with
            {
                MaxEpochs = settings.Epochs ?? (settings.Quick ? 2 : 10),
                Patience = settings.Patience ?? (settings.Quick ? 1 : 2),
                BatchSize = settings.BatchSize,
                LearningRate = settings.LearningRate,
            },
            Driver = Driver,
            ReferenceRoot = reference,
            Python = settings.Python,
        };
        var store = new ResultsStore(settings.Runs);
        var comparison = new ReferenceComparison(store, Console.Out);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(spec.Experiment)}[/]: {pairs.Length} model(s) x {datasets.Count} dataset(s) x {spec.Seeds.Count} seed(s), each on both sides; results in {Markup.Escape(store.Root)}");
        var clock = Stopwatch.StartNew();
        comparison.Run(spec, cancellationToken);
        var rows = comparison.Summarise(spec);
        var outDir = settings.Out ?? (settings.Quick ? Path.Combine("output", "reproduction") : Path.Combine(RepositoryPaths.Root(), "docs", "reproduction"));
        Directory.CreateDirectory(outDir);
        var md = Path.Combine(outDir, "scenario-wise-rec.md");
        var csv = Path.Combine(outDir, "scenario-wise-rec.csv");
        File.WriteAllText(md, Report(spec, rows, comparison.ReferenceVersions(spec), clock.Elapsed));
        File.WriteAllText(csv, ReferenceComparison.ToCsv(rows));
        var table = new Table().AddColumns("dataset", "model", "AUC ours", "AUC theirs", "p", "LogLoss ours", "LogLoss theirs", "p", "verdict");
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Dataset), r.Model, $"{r.OursAuc:F4}", $"{r.TheirsAuc:F4}", $"{r.AucP:F3}", $"{r.OursLogLoss:F4}", $"{r.TheirsLogLoss:F4}", $"{r.LogLossP:F3}",
                r.Verdict == "agree" ? "[green]agree[/]" : $"[yellow]{r.Verdict}[/]");
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"report: {Path.GetFullPath(md)}, {Path.GetFullPath(csv)}");
        return 0;
    }

    static string Report(ReferenceSpec spec, IReadOnlyList<ComparisonRow> rows, IReadOnlyDictionary<string, string> versions, TimeSpan elapsed)
    {
        var t = spec.Trainer;
        var sb = new StringBuilder();
        sb.AppendLine("# Side by side with Scenario-Wise-Rec\n");
        sb.AppendLine("Written by `dotnet run -c Release -- reproduce scenario-wise-rec` (do not edit by hand; the analysis of the differences is in");
        sb.AppendLine("[scenario-wise-rec-differences.md](scenario-wise-rec-differences.md)).\n");
        sb.AppendLine("Each model that both packages implement is trained by each implementation on **the same files and the same train / valid / test rows**");
        sb.AppendLine("(ours exports its encoded parts; `environment/reproduce/swr_driver.py` hands them to the reference's own `CTRTrainer`), with the same");
        sb.AppendLine(FormattableString.Invariant($"embedding size ({spec.EmbeddingDim}), hidden sizes ({string.Join("-", spec.HiddenSizes)}), batch size ({t.BatchSize}), Adam with learning rate {t.LearningRate:G} and no weight decay,"));
        sb.AppendLine(FormattableString.Invariant($"at most {t.MaxEpochs} epochs with early stopping on validation AUC (patience {t.Patience}; the best epoch's weights are tested on both sides), one thread each,"));
        sb.AppendLine($"seeds {string.Join(", ", spec.Seeds)}. Ours updates embeddings with dense Adam (torch.optim.Adam's rule, as the reference).");
        sb.AppendLine("Verdict: **agree** when neither test AUC nor test LogLoss differs at p < 0.05 (Welch's t-test over the seeds), **differ** otherwise.\n");
        sb.AppendLine(ReferenceComparison.ToMarkdownTables(rows));
        var differ = rows.Where(r => r.Verdict == "differ").ToList();
        sb.AppendLine("## Where they differ\n");
        var undecided = rows.Count(r => r.Verdict == "n/a");
        if (differ.Count == 0) sb.AppendLine(undecided == rows.Count ? "No verdict: a test needs at least 2 seeds on each side.\n"
            : undecided == 0 ? "Nowhere: every model agrees on every dataset.\n" : $"Nowhere among the decided rows ({undecided} without a verdict: fewer than 2 seeds on a side).\n");
        foreach (var group in differ.GroupBy(r => r.Model))
            sb.AppendLine($"- **{group.Key}** ({string.Join(", ", group.Select(r => FormattableString.Invariant($"{r.Dataset}: Δ AUC {r.AucDifference:+0.0000;-0.0000}")))}): {group.First().Design}");
        sb.AppendLine();
        sb.AppendLine("## What ran\n");
        sb.AppendLine("| model | ours | Scenario-Wise-Rec |\n|---|---|---|");
        foreach (var p in spec.Pairs) sb.AppendLine($"| {p.Name} | `{p.Ours}` {p.OursSettings} | {p.ReferenceDescription} |");
        sb.AppendLine();
        sb.AppendLine(FormattableString.Invariant($"Training time (sum over the runs of this report): ours {rows.Sum(r => r.Ours.Sum(x => x.Seconds)):F0} s, Scenario-Wise-Rec {rows.Sum(r => r.Theirs.Sum(x => x.Seconds)):F0} s; this invocation took {elapsed.TotalSeconds:F0} s (runs already recorded are reused)."));
        sb.AppendLine();
        sb.AppendLine($"- Ours: MiDpg.Research commit {GitCommit()}, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}, libtorch {TorchSharp.torch.__version__}.");
        sb.AppendLine($"- Scenario-Wise-Rec: commit {versions.GetValueOrDefault("reference_commit", "?")}, torch {versions.GetValueOrDefault("torch", "?")}, Python {versions.GetValueOrDefault("python", "?")}.");
        sb.AppendLine($"- Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}.");
        return sb.ToString();
    }

    static string GitCommit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", RepositoryPaths.Root(), "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true });
            var commit = git!.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown (git not found)"; }
    }
}
