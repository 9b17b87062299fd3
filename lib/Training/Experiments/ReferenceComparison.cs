// Side by side with an independent implementation: the baselines that both this library and Scenario-Wise-Rec
// (Li et al., "Scenario-Wise Rec: A Multi-Scenario Recommendation Benchmark"; MIT) implement, trained by each on the
// same files and the same train / valid / test rows, with the same embedding size, hidden sizes, batch size, learning
// rate, epochs, early stopping and seeds, then compared per model and dataset with Welch's t-test over the seeds.
// Ours train through the ExperimentRunner (results store, resumable); theirs through environment/reproduce/swr_driver.py,
// which imports the reference package and drives its own CTRTrainer on the exported parts (SplitExport), one JSON
// file per run (resumable the same way). The two sides run concurrently, one thread each.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiDpg.Research.Data;
using MiDpg.Research.Models;

namespace MiDpg.Research.Training.Experiments;

/// <summary>A model both implementations have, as the report names it (<paramref name="Name"/>).
/// Ours: registry model <paramref name="Ours"/> with <paramref name="Options"/> (described by <paramref name="OursSettings"/>),
/// recorded in the results store as <paramref name="OursRun"/> (pairs that train the same model of ours share its runs).
/// Theirs: the driver's <c>--model</c> <paramref name="Reference"/> with <paramref name="ReferenceArguments"/>.
/// <paramref name="Design"/> names what differs by design (docs/reproduction/scenario-wise-rec-differences.md), the first
/// suspect when the two disagree.</summary>
public sealed record ReferencePair(string Name, string OursRun, string Ours, ModelOptions Options, string OursSettings,
    string Reference, IReadOnlyList<string> ReferenceArguments, string Design)
{
    /// <summary>The folder of the reference's runs: the model, plus its extra arguments.</summary>
    public string ReferenceRun => ReferenceArguments.Count == 0 ? Reference
        : Reference + string.Concat(ReferenceArguments.Select(a => "+" + a.TrimStart('-')));

    /// <summary>The reference's command-line model, as the report shows it.</summary>
    public string ReferenceDescription => ReferenceArguments.Count == 0 ? $"`{Reference}`" : $"`{Reference}` with `{string.Join(" ", ReferenceArguments)}`";
}

/// <summary>What to compare, and how both sides train.</summary>
public sealed record ReferenceSpec
{
    public string Experiment { get; init; } = "scenario-wise-rec";
    public required IReadOnlyList<ReferencePair> Pairs { get; init; }
    public required IReadOnlyList<DatasetSource> Datasets { get; init; }
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3, 4, 5];
    /// <summary>Both sides: Adam (dense: torch.optim.Adam's update of every embedding row, as the reference), lr, batch,
    /// epochs, patience on validation AUC, the best epoch's weights tested; one thread each.</summary>
    public TrainerConfig Trainer { get; init; } = new() { EmbeddingUpdate = AdamUpdate.Dense, Threads = 1 };
    public int EmbeddingDim { get; init; } = 16;
    public IReadOnlyList<int> HiddenSizes { get; init; } = [128, 64, 32];
    public required string Driver { get; init; }
    public required string ReferenceRoot { get; init; }
    public string Python { get; init; } = "/usr/bin/python3";

    public ReferenceSpec Validated()
    {
        if (Pairs.Count == 0) throw new ArgumentException("The comparison needs at least one model.");
        if (Datasets.Count == 0) throw new ArgumentException("The comparison needs at least one dataset.");
        if (Seeds.Count == 0 || Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentException("The comparison needs distinct seeds.");
        if (Pairs.Select(p => p.Name).Distinct().Count() != Pairs.Count) throw new ArgumentException("Two pairs have the same name.");
        foreach (var shared in Pairs.GroupBy(p => p.OursRun).Where(g => g.Select(p => (p.Ours, p.OursSettings)).Distinct().Count() > 1))
            throw new ArgumentException($"The pairs {string.Join(", ", shared.Select(p => p.Name))} share our run '{shared.Key}' but configure different models.");
        if (!File.Exists(Driver)) throw new FileNotFoundException($"The reference driver {Driver} does not exist.", Driver);
        if (!Directory.Exists(Path.Combine(ReferenceRoot, "scenario_wise_rec")))
            throw new DirectoryNotFoundException($"{ReferenceRoot} does not hold the scenario_wise_rec package (the Scenario-Wise-Rec checkout).");
        Trainer.Validated();
        return this;
    }
}

/// <summary>One run's test numbers (either implementation).</summary>
public sealed record ReferenceRun(int Seed, double Auc, double LogLoss, double ValidAuc, int Epochs, double Seconds);

/// <summary>One model on one dataset: both sides' mean ± std over the seeds, the differences, Welch's p and the verdict.</summary>
public sealed record ComparisonRow(string Dataset, string Model, string Reference,
    IReadOnlyList<ReferenceRun> Ours, IReadOnlyList<ReferenceRun> Theirs, double AucP, double LogLossP, string Design)
{
    public double OursAuc => Ours.Average(r => r.Auc);
    public double TheirsAuc => Theirs.Average(r => r.Auc);
    public double OursLogLoss => Ours.Average(r => r.LogLoss);
    public double TheirsLogLoss => Theirs.Average(r => r.LogLoss);
    public double AucDifference => OursAuc - TheirsAuc;
    public double LogLossDifference => OursLogLoss - TheirsLogLoss;

    /// <summary>"agree" when neither test AUC nor test LogLoss differs at p &lt; 0.05 (Welch, over the seeds);
    /// "differ" otherwise; "n/a" with fewer than 2 runs on a side.</summary>
    public string Verdict => double.IsNaN(AucP) || double.IsNaN(LogLossP) ? "n/a" : AucP >= 0.05 && LogLossP >= 0.05 ? "agree" : "differ";
}

/// <summary>Runs and summarises a <see cref="ReferenceSpec"/>.</summary>
public sealed class ReferenceComparison(ResultsStore store, TextWriter? log = null)
{
    public const double Significance = 0.05;

    // The reference side lives beside the experiment's trials: <runs>/<experiment>.reference/<dataset>/{export, <model>/seed-k.json}.
    string DatasetFolder(ReferenceSpec spec, string dataset) =>
        Path.Combine(store.Root, spec.Experiment + ".reference", string.Concat(dataset.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '=' or '.' ? c : '_')));
    string RunFile(ReferenceSpec spec, string dataset, string reference, int seed) =>
        Path.Combine(DatasetFolder(spec, dataset), reference, $"seed-{seed}.json");

    /// <summary>Trains what is not yet recorded: ours through the experiment runner, theirs through the driver, side by side.</summary>
    public void Run(ReferenceSpec spec, CancellationToken cancel = default)
    {
        spec = spec.Validated();
        var ours = spec.Pairs.GroupBy(p => p.OursRun).ToDictionary(g => g.Key, g => g.First());
        var factory = new ModelFactory((name, features, settings, device) =>
            ModelRegistry.Create(ours[name].Ours, features, ours[name].Options with { EmbeddingDim = spec.EmbeddingDim, HiddenSizes = spec.HiddenSizes }, device));
        foreach (var source in spec.Datasets)
        {
            cancel.ThrowIfCancellationRequested();
            var data = source.Load();
            var export = Path.Combine(DatasetFolder(spec, data.Name), "export");
            if (!File.Exists(Path.Combine(export, "meta.json")))
                SplitExport.Write(export, data.Name, data.Train, data.Valid, data.Test);
            var theirs = Task.Run(() =>
            {
                foreach (var reference in spec.Pairs.DistinctBy(p => p.ReferenceRun))
                    foreach (var seed in spec.Seeds)
                        RunReference(spec, data.Name, export, reference, seed, cancel);
            }, cancel);
            var runner = new ExperimentRunner(store, factory, log);
            runner.Run(new ExperimentSpec
            {
                Name = spec.Experiment, Models = ours.Keys.ToArray(), Datasets = [new DatasetSource(data.Name, () => data)],
                Seeds = spec.Seeds, Trainer = spec.Trainer,
            });
            theirs.GetAwaiter().GetResult();
        }
    }

    private void RunReference(ReferenceSpec spec, string dataset, string export, ReferencePair pair, int seed, CancellationToken cancel)
    {
        var reference = pair.ReferenceRun;
        var file = RunFile(spec, dataset, reference, seed);
        if (File.Exists(file) && TryReadRun(file) is not null)
        {
            log?.WriteLine($"[{spec.Experiment}] {dataset} / reference {reference} / seed {seed}: recorded, skipped");
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var partial = file + ".partial";
        var t = spec.Trainer;
        var start = new ProcessStartInfo(spec.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     spec.Driver, "--reference", spec.ReferenceRoot, "--data", export, "--model", pair.Reference, "--seed", Invariant(seed),
                     "--epochs", Invariant(t.MaxEpochs), "--patience", Invariant(t.Patience), "--batch-size", Invariant(t.BatchSize),
                     "--lr", Invariant(t.LearningRate), "--emb", Invariant(spec.EmbeddingDim), "--hidden", string.Join(",", spec.HiddenSizes),
                     "--threads", Invariant(t.Threads ?? 1), "--out", partial,
                 }.Concat(pair.ReferenceArguments))
            start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = Invariant(t.Threads ?? 1);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {spec.Python}");
        using var kill = cancel.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
        var stderr = process.StandardError.ReadToEndAsync(cancel);
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        cancel.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            var lines = stderr.Result.TrimEnd().Split('\n');
            throw new InvalidOperationException($"the reference driver failed on {dataset} / {reference} / seed {seed} (exit code {process.ExitCode}): {string.Join("\n", lines.TakeLast(5))}");
        }
        if (TryReadRun(partial) is not { } run)
            throw new InvalidDataException($"{partial}: the reference driver wrote no readable result");
        File.Move(partial, file, overwrite: true);
        log?.WriteLine($"[{spec.Experiment}] {dataset} / reference {reference} / seed {seed}: test AUC {run.Auc:F4} ({run.Seconds:F0} s)");
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>A reference run's numbers, or null when the file is missing, cut or lacks a field.</summary>
    public static ReferenceRun? TryReadRun(string file)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(file));
            if (json is null) return null;
            return new ReferenceRun(json["seed"]!.GetValue<int>(), json["test_auc"]!.GetValue<double>(), json["test_logloss"]!.GetValue<double>(),
                json["valid_auc"]!.GetValue<double>(), json["epochs"]!.GetValue<int>(), json["train_seconds"]!.GetValue<double>());
        }
        catch (Exception e) when (e is IOException or JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Per dataset and model: both sides over the spec's seeds (the runs recorded so far), Welch's p, the verdict.</summary>
    public IReadOnlyList<ComparisonRow> Summarise(ReferenceSpec spec)
    {
        var recorded = store.Read(spec.Experiment);
        var rows = new List<ComparisonRow>();
        foreach (var dataset in recorded.Select(r => r.Dataset).Distinct().Order(StringComparer.Ordinal))
            foreach (var pair in spec.Pairs)
            {
                var mine = recorded.Where(r => r.Dataset == dataset && r.Model == pair.OursRun && r.Scenario == "all" && spec.Seeds.Contains(r.Seed))
                    .GroupBy(r => r.Seed).Select(g =>
                    {
                        double Get(string metric) => g.FirstOrDefault(r => r.Metric == metric)?.Value ?? double.NaN;
                        return new ReferenceRun(g.Key, Get("auc"), Get("logloss"), Get("valid_auc"), (int)Get("epochs"), Get("train_seconds"));
                    }).OrderBy(r => r.Seed).ToList();
                var theirs = spec.Seeds.Select(s => TryReadRun(RunFile(spec, dataset, pair.ReferenceRun, s))).OfType<ReferenceRun>().ToList();
                if (mine.Count == 0 || theirs.Count == 0) continue;
                rows.Add(new ComparisonRow(dataset, pair.Name, pair.ReferenceRun, mine, theirs,
                    ExperimentSummary.WelchTTest(mine.Select(r => r.Auc).ToArray(), theirs.Select(r => r.Auc).ToArray()),
                    ExperimentSummary.WelchTTest(mine.Select(r => r.LogLoss).ToArray(), theirs.Select(r => r.LogLoss).ToArray()),
                    pair.Design));
            }
        return rows;
    }

    /// <summary>The versions the reference runs recorded (python, torch, reference commit), from one run file.</summary>
    public IReadOnlyDictionary<string, string> ReferenceVersions(ReferenceSpec spec)
    {
        var folder = Path.Combine(store.Root, spec.Experiment + ".reference");
        var file = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "seed-*.json", SearchOption.AllDirectories).FirstOrDefault() : null;
        if (file is null || JsonNode.Parse(File.ReadAllText(file))?["versions"] is not JsonObject versions) return new Dictionary<string, string>();
        return versions.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "");
    }

    /// <summary>The comparison as CSV: one line per dataset and model.</summary>
    public static string ToCsv(IReadOnlyList<ComparisonRow> rows)
    {
        var sb = new StringBuilder("dataset,model,reference_model,seeds_ours,seeds_theirs,auc_ours,auc_ours_std,auc_theirs,auc_theirs_std,auc_diff,auc_p," +
                                   "logloss_ours,logloss_ours_std,logloss_theirs,logloss_theirs_std,logloss_diff,logloss_p,epochs_ours,epochs_theirs,seconds_ours,seconds_theirs,verdict\n");
        foreach (var r in rows)
            sb.AppendLine(string.Join(",", new object[]
            {
                r.Dataset, r.Model, r.Reference, r.Ours.Count, r.Theirs.Count,
                r.OursAuc, Std(r.Ours.Select(x => x.Auc)), r.TheirsAuc, Std(r.Theirs.Select(x => x.Auc)), r.AucDifference, r.AucP,
                r.OursLogLoss, Std(r.Ours.Select(x => x.LogLoss)), r.TheirsLogLoss, Std(r.Theirs.Select(x => x.LogLoss)), r.LogLossDifference, r.LogLossP,
                r.Ours.Average(x => x.Epochs), r.Theirs.Average(x => x.Epochs), r.Ours.Sum(x => x.Seconds), r.Theirs.Sum(x => x.Seconds), r.Verdict,
            }.Select(v => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture))));
        return sb.ToString();
    }

    /// <summary>The comparison as a Markdown table per dataset (mean ± std over the seeds).</summary>
    public static string ToMarkdownTables(IReadOnlyList<ComparisonRow> rows)
    {
        var sb = new StringBuilder();
        foreach (var group in rows.GroupBy(r => r.Dataset))
        {
            sb.AppendLine($"### {group.Key}\n");
            sb.AppendLine("| model | seeds | test AUC, ours | test AUC, Scenario-Wise-Rec | Δ AUC | p | test LogLoss, ours | test LogLoss, Scenario-Wise-Rec | Δ LogLoss | p | epochs (ours / theirs) | verdict |");
            sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in group)
                sb.AppendLine(FormattableString.Invariant(
                    $"| {r.Model} | {r.Ours.Count} / {r.Theirs.Count} | {r.OursAuc:F4} ± {Std(r.Ours.Select(x => x.Auc)):F4} | {r.TheirsAuc:F4} ± {Std(r.Theirs.Select(x => x.Auc)):F4} | {r.AucDifference:+0.0000;-0.0000} | {P(r.AucP)} | ") +
                    FormattableString.Invariant(
                    $"{r.OursLogLoss:F4} ± {Std(r.Ours.Select(x => x.LogLoss)):F4} | {r.TheirsLogLoss:F4} ± {Std(r.Theirs.Select(x => x.LogLoss)):F4} | {r.LogLossDifference:+0.0000;-0.0000} | {P(r.LogLossP)} | {r.Ours.Average(x => x.Epochs):F1} / {r.Theirs.Average(x => x.Epochs):F1} | **{r.Verdict}** |"));
            sb.AppendLine();
        }
        return sb.ToString();
    }

    static string P(double p) => double.IsNaN(p) ? "–" : p < 0.001 ? "<0.001" : p.ToString("F3", CultureInfo.InvariantCulture);

    static double Std(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length < 2) return 0;
        var m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
    }
}
