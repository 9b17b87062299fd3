using System.Globalization;
using System.Text;
using MathNet.Numerics.Distributions;
using Microsoft.Data.Analysis;

namespace MiDpg.Research.Training.Experiments;

/// <summary>One model on one dataset, over the trials of an experiment (paper Table 1 row).</summary>
/// <param name="RelaImpr">AUC RelaImpr (%) against <see cref="ExperimentSummary.BaseModel"/> (DNN), NaN without it.</param>
/// <param name="AucP">Two-sided p of the paired t-test of this model's AUC against the best baseline's, over trials (NaN for the best baseline itself or with fewer than 2 trials).</param>
/// <param name="LogLossP">The same for LogLoss.</param>
public sealed record SummaryRow(string Dataset, string Model, int Trials,
    double AucMean, double AucStd, double LogLossMean, double LogLossStd, double RelaImpr, double Parameters,
    string BestBaseline, double BestBaselineAuc, double BestBaselineLogLoss, double AucP, double LogLossP)
{
    /// <summary>Significantly better than the best baseline at p &lt;= 0.05 (higher AUC), marked "*" as in the paper.</summary>
    public bool AucSignificant => AucP <= ExperimentSummary.Alpha && AucMean > BestBaselineAuc;
    /// <summary>Significantly lower LogLoss than the best baseline at p &lt;= 0.05.</summary>
    public bool LogLossSignificant => LogLossP <= ExperimentSummary.Alpha && LogLossMean < BestBaselineLogLoss;
}

/// <summary>One model in one scenario of one dataset, over the trials of an experiment.</summary>
/// <param name="Trials">Trials that evaluated this scenario.</param>
/// <param name="AucTrials">Trials with a defined AUC; the others (<see cref="NoAucTrials"/>) had one class in the scenario's test part.</param>
/// <param name="Samples">Test rows of the scenario (the split is fixed, so the same in every trial).</param>
/// <param name="GainOverDnn">Mean AUC minus DNN's mean AUC in this scenario (NaN without DNN or without AUC).</param>
/// <param name="BestBaseline">The baseline with the highest mean AUC in this scenario.</param>
/// <param name="AucP">Paired t-test p of this model's AUC against the scenario's best baseline, over trials where both have one.</param>
public sealed record ScenarioSummaryRow(string Dataset, string Scenario, string Model, int Trials, int AucTrials,
    double AucMean, double AucStd, double LogLossMean, double LogLossStd, double Samples, double Positives, double GainOverDnn,
    string BestBaseline, double BestBaselineAuc, double AucP, double LogLossP)
{
    public int NoAucTrials => Trials - AucTrials;
    public bool AucSignificant => AucP <= ExperimentSummary.Alpha && AucMean > BestBaselineAuc;
}

/// <summary>MI-DPG against DPG in one DWM variant on one dataset (see <see cref="ExperimentSummary.MirEffect"/>).</summary>
public sealed record MirEffectRow(string Dataset, string Variant, int Trials, double DpgAuc, double MiDpgAuc, double AucP,
    double DpgGap, double DpgGapStd, double MiDpgGap, double MiDpgGapStd, double GapP, IReadOnlyList<(int Layer, double Dpg, double MiDpg)> Layers);

/// <summary>
/// Mean ± standard deviation per model, RelaImpr against DNN, and a paired t-test (Student's t from
/// MathNet.Numerics) of every model against the best baseline: the baseline (a model that is neither
/// DPG nor MI-DPG) with the highest mean test AUC. Trials are paired by their index (same split, same seed).
/// </summary>
public static class ExperimentSummary
{
    public const double Alpha = 0.05;
    public const string BaseModel = "dnn";

    /// <summary>Registry names of the paper's baselines (and OptMSM): models that are neither DPG nor MI-DPG.</summary>
    public static bool IsBaseline(string model) => !model.StartsWith("dpg", StringComparison.Ordinal) && !model.StartsWith("midpg", StringComparison.Ordinal);

    public static IReadOnlyList<SummaryRow> Summarise(IReadOnlyList<ResultRow> rows)
    {
        var summary = new List<SummaryRow>();
        foreach (var dataset in rows.Select(r => r.Dataset).Distinct().Order(StringComparer.Ordinal))
        {
            var here = rows.Where(r => r.Dataset == dataset && r.Scenario == "all").ToList();
            var models = here.Select(r => r.Model).Distinct().ToList();
            Dictionary<int, double> ByTrial(string model, string metric) =>
                here.Where(r => r.Model == model && r.Metric == metric).GroupBy(r => r.Trial).ToDictionary(g => g.Key, g => g.Last().Value);
            var auc = models.ToDictionary(m => m, m => ByTrial(m, "auc"));
            var logloss = models.ToDictionary(m => m, m => ByTrial(m, "logloss"));
            var parameters = models.ToDictionary(m => m, m => ByTrial(m, "params"));
            var best = models.Where(IsBaseline).OrderByDescending(m => auc[m].Values.DefaultIfEmpty(double.NaN).Average()).FirstOrDefault() ?? "";
            double baseAuc = auc.TryGetValue(BaseModel, out var b) && b.Count > 0 ? b.Values.Average() : double.NaN;
            foreach (var m in models)
            {
                var a = auc[m].Values.ToArray();
                var l = logloss[m].Values.ToArray();
                double aucMean = Mean(a);
                summary.Add(new SummaryRow(dataset, m, a.Length, aucMean, Std(a), Mean(l), Std(l),
                    // RelaImpr measures from the random guess: undefined when DNN itself is at or below chance.
                    double.IsNaN(baseAuc) || baseAuc <= 0.5 || double.IsNaN(aucMean) ? double.NaN : Metrics.RelaImpr(aucMean, baseAuc),
                    parameters[m].Values.DefaultIfEmpty(double.NaN).Average(),
                    best,
                    best == "" ? double.NaN : Mean(auc[best].Values.ToArray()),
                    best == "" ? double.NaN : Mean(logloss[best].Values.ToArray()),
                    m == best || best == "" ? double.NaN : PairedTTest(auc[m], auc[best]),
                    m == best || best == "" ? double.NaN : PairedTTest(logloss[m], logloss[best])));
            }
        }
        return summary.OrderBy(s => s.Dataset, StringComparer.Ordinal).ThenByDescending(s => s.AucMean).ToList();
    }

    /// <summary>
    /// Two-sided p-value of the paired t-test of x against y over the trials both have:
    /// t = mean(d) / (sd(d) / sqrt(n)), d = x - y, with n - 1 degrees of freedom. NaN with fewer than 2 pairs;
    /// 0 or 1 when all differences are equal (zero variance): 1 if they are all zero, else 0.
    /// </summary>
    public static double PairedTTest(IReadOnlyDictionary<int, double> x, IReadOnlyDictionary<int, double> y)
    {
        var d = x.Keys.Intersect(y.Keys).Order().Select(k => x[k] - y[k]).ToArray();
        if (d.Length < 2) return double.NaN;
        double mean = d.Average(), sd = Std(d);
        if (sd == 0) return mean == 0 ? 1.0 : 0.0;
        double t = mean / (sd / Math.Sqrt(d.Length));
        return 2 * (1 - StudentT.CDF(0, 1, d.Length - 1, Math.Abs(t)));
    }

    /// <summary>
    /// Two-sided p-value of Welch's t-test of two independent samples (unequal variances):
    /// t = (mean x - mean y) / sqrt(s_x^2 / n_x + s_y^2 / n_y), with Welch-Satterthwaite degrees of freedom
    /// (s_x^2/n_x + s_y^2/n_y)^2 / ((s_x^2/n_x)^2 / (n_x - 1) + (s_y^2/n_y)^2 / (n_y - 1)). NaN with fewer than 2 values on a side;
    /// 1 or 0 when both samples have zero variance (1 if their means are equal).
    /// </summary>
    public static double WelchTTest(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count < 2 || y.Count < 2) return double.NaN;
        var (a, b) = (x.ToArray(), y.ToArray());
        double vx = Math.Pow(Std(a), 2) / a.Length, vy = Math.Pow(Std(b), 2) / b.Length;
        var diff = a.Average() - b.Average();
        if (vx + vy == 0) return diff == 0 ? 1.0 : 0.0;
        var t = diff / Math.Sqrt(vx + vy);
        var df = (vx + vy) * (vx + vy) / (vx * vx / (a.Length - 1) + vy * vy / (b.Length - 1));
        return 2 * (1 - StudentT.CDF(0, 1, df, Math.Abs(t)));
    }

    static double Mean(double[] v) => v.Length == 0 ? double.NaN : v.Average();

    /// <summary>Sample standard deviation (n - 1); 0 for one value.</summary>
    static double Std(double[] v)
    {
        if (v.Length < 2) return v.Length == 1 ? 0 : double.NaN;
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
    }

    /// <summary>
    /// Per scenario: mean ± std of each model's AUC and LogLoss over trials, its gain over DNN, and the paired t-test against
    /// the scenario's best baseline. A scenario whose test part has one class has no AUC (NaN in the store): such trials are
    /// counted in <see cref="ScenarioSummaryRow.NoAucTrials"/> and left out of the AUC mean, never replaced by 0.5.
    /// </summary>
    public static IReadOnlyList<ScenarioSummaryRow> SummariseScenarios(IReadOnlyList<ResultRow> rows)
    {
        var summary = new List<ScenarioSummaryRow>();
        var perScenario = rows.Where(r => r.Scenario != "all").ToList();
        foreach (var byDataset in perScenario.GroupBy(r => r.Dataset).OrderBy(g => g.Key, StringComparer.Ordinal))
        foreach (var byScenario in byDataset.GroupBy(r => r.Scenario).OrderBy(g => g.Key, ScenarioOrder.Instance))
        {
            var here = byScenario.ToList();
            var models = here.Select(r => r.Model).Distinct().ToList();
            Dictionary<int, double> ByTrial(string model, string metric) =>
                here.Where(r => r.Model == model && r.Metric == metric).GroupBy(r => r.Trial).ToDictionary(g => g.Key, g => g.Last().Value);
            var auc = models.ToDictionary(m => m, m => ByTrial(m, "auc").Where(kv => !double.IsNaN(kv.Value)).ToDictionary());
            var logloss = models.ToDictionary(m => m, m => ByTrial(m, "logloss").Where(kv => !double.IsNaN(kv.Value)).ToDictionary());
            var trials = models.ToDictionary(m => m, m => here.Where(r => r.Model == m).Select(r => r.Trial).Distinct().Count());
            double AucMean(string m) => Mean(auc[m].Values.ToArray());
            var best = models.Where(IsBaseline).Where(m => auc[m].Count > 0).OrderByDescending(AucMean).FirstOrDefault() ?? "";
            double dnn = auc.TryGetValue(BaseModel, out var d) && d.Count > 0 ? d.Values.Average() : double.NaN;
            foreach (var m in models)
            {
                double First(string metric) => here.FirstOrDefault(r => r.Model == m && r.Metric == metric)?.Value ?? double.NaN;
                var mean = AucMean(m);
                summary.Add(new ScenarioSummaryRow(byDataset.Key, byScenario.Key, m, trials[m], auc[m].Count,
                    mean, Std(auc[m].Values.ToArray()), Mean(logloss[m].Values.ToArray()), Std(logloss[m].Values.ToArray()),
                    First("n"), First("positives"), mean - dnn,
                    best, best == "" ? double.NaN : AucMean(best),
                    m == best || best == "" ? double.NaN : PairedTTest(auc[m], auc[best]),
                    m == best || best == "" ? double.NaN : PairedTTest(logloss[m], logloss[best])));
            }
        }
        return summary;
    }

    /// <summary>Scenario names in natural order ("s2" before "s10"; numbers as numbers).</summary>
    sealed class ScenarioOrder : IComparer<string>
    {
        public static readonly ScenarioOrder Instance = new();
        public int Compare(string? x, string? y)
        {
            static (string Prefix, long Number, string Whole) Key(string s)
            {
                int i = s.Length;
                while (i > 0 && char.IsDigit(s[i - 1])) i--;
                return i < s.Length && s.Length - i < 18 ? (s[..i], long.Parse(s[i..], CultureInfo.InvariantCulture), s) : (s, -1, s);
            }
            var (a, b) = (Key(x ?? ""), Key(y ?? ""));
            var c = string.CompareOrdinal(a.Prefix, b.Prefix);
            if (c != 0) return c;
            c = a.Number.CompareTo(b.Number);
            return c != 0 ? c : string.CompareOrdinal(a.Whole, b.Whole);
        }
    }

    /// <summary>
    /// Per dataset: a table of the scenarios (test rows, positives, best baseline) and the matrices models x scenarios of
    /// mean ± std test AUC (`*`: better than the scenario's best baseline at p ≤ 0.05; "no AUC" where the scenario's test
    /// part has one class, with the count of such trials) and of LogLoss.
    /// </summary>
    public static string ScenariosToMarkdown(IReadOnlyList<ScenarioSummaryRow> rows, Func<string, string>? displayName = null, IReadOnlyList<string>? modelOrder = null)
    {
        displayName ??= m => m;
        var md = new StringBuilder();
        foreach (var group in rows.GroupBy(r => r.Dataset))
        {
            var scenarios = group.Select(r => r.Scenario).Distinct().ToList();
            var models = group.Select(r => r.Model).Distinct().OrderBy(m => modelOrder is null ? 0 : IndexOr(modelOrder, m)).ToList();
            ScenarioSummaryRow? Cell(string m, string s) => group.FirstOrDefault(r => r.Model == m && r.Scenario == s);
            md.Append($"### {group.Key}: per scenario\n\n");
            md.Append("| scenario | test rows | positives | best baseline (AUC) | trials without AUC |\n|---|---|---|---|---|\n");
            foreach (var s in scenarios)
            {
                var any = group.First(r => r.Scenario == s);
                var noAuc = group.Where(r => r.Scenario == s).Sum(r => r.NoAucTrials);
                md.Append($"| {s} | {F(any.Samples, "N0")} | {F(any.Positives, "N0")} | " +
                          (any.BestBaseline.Length == 0 ? "– (no AUC)" : $"{displayName(any.BestBaseline)} ({F(any.BestBaselineAuc, "F4")})") +
                          $" | {noAuc} |\n");
            }
            md.Append($"\nTest AUC per scenario, mean ± std over trials; `*`: paired t-test against the scenario's best baseline at p ≤ {Alpha}; " +
                      "\"no AUC\": the scenario's test part holds one class.\n\n");
            md.Append("| model | " + string.Join(" | ", scenarios) + " |\n|---|" + string.Concat(scenarios.Select(_ => "---|")) + "\n");
            foreach (var m in models)
            {
                md.Append($"| {displayName(m)} |");
                foreach (var s in scenarios)
                {
                    var c = Cell(m, s);
                    md.Append(c is null ? " |" : c.AucTrials == 0 ? $" no AUC ({c.NoAucTrials}/{c.Trials}) |"
                        : $" {F(c.AucMean, "F4")} ± {F(c.AucStd, "F4")}{(c.AucSignificant ? "*" : "")}{(c.NoAucTrials > 0 ? $" ({c.NoAucTrials} without AUC)" : "")} |");
                }
                md.Append('\n');
            }
            md.Append("\nTest LogLoss per scenario, mean ± std over trials.\n\n");
            md.Append("| model | " + string.Join(" | ", scenarios) + " |\n|---|" + string.Concat(scenarios.Select(_ => "---|")) + "\n");
            foreach (var m in models)
                md.Append($"| {displayName(m)} |" + string.Concat(scenarios.Select(s => Cell(m, s) is { } c ? $" {F(c.LogLossMean, "F4")} ± {F(c.LogLossStd, "F4")} |" : " |")) + "\n");
            md.Append('\n');
        }
        return md.ToString();
    }

    /// <summary>The position of <paramref name="m"/> in <paramref name="order"/> (e.g. the registry's Table 1 order); after all of them when absent.</summary>
    public static int IndexOr(IReadOnlyList<string> order, string m)
    {
        for (int i = 0; i < order.Count; i++) if (order[i] == m) return i;
        return order.Count;
    }

    /// <summary>The per-scenario summary as CSV, one row per (dataset, scenario, model); NaN where a value is undefined.</summary>
    public static string ScenariosToCsv(IReadOnlyList<ScenarioSummaryRow> rows)
    {
        var csv = new StringBuilder("dataset,scenario,model,trials,auc_trials,auc_mean,auc_std,logloss_mean,logloss_std,test_rows,positives,auc_gain_over_dnn,best_baseline,auc_p,logloss_p\n");
        string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        static string Q(string s) => s.IndexOfAny([',', '"']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        foreach (var r in rows)
            csv.Append($"{Q(r.Dataset)},{Q(r.Scenario)},{r.Model},{r.Trials},{r.AucTrials},{N(r.AucMean)},{N(r.AucStd)},{N(r.LogLossMean)},{N(r.LogLossStd)},{N(r.Samples)},{N(r.Positives)},{N(r.GainOverDnn)},{r.BestBaseline},{N(r.AucP)},{N(r.LogLossP)}\n");
        return csv.ToString();
    }

    /// <summary>
    /// The tuning of an experiment as Markdown: the budget and strategy (equal for every model) and, per dataset, each model's
    /// chosen hyperparameters with the validation AUC they reached and the range over its candidates.
    /// </summary>
    public static string TuningToMarkdown(IReadOnlyList<TuningRecord> records, Func<string, string>? displayName = null, IReadOnlyList<string>? modelOrder = null)
    {
        if (records.Count == 0) return "";
        displayName ??= m => m;
        var md = new StringBuilder("## Hyperparameters chosen on validation\n\n");
        var budgets = records.Select(r => (r.Budget, r.Strategy, r.Seed)).Distinct().ToList();
        md.Append(budgets.Count == 1
            ? $"Every model had the same budget: {budgets[0].Budget} configuration(s) of its search space (`SearchSpaces`), the default first, the others by " +
              (budgets[0].Strategy == nameof(SearchStrategy.Random) ? "random search (a Latin hypercube over the values)" : "grid search in order") + $" with seed {budgets[0].Seed}; each trained once (seed {budgets[0].Seed}) with early stopping, and the one with the " +
              "highest best-epoch validation AUC chosen. The test part is not used for selection.\n\n"
            : "Budgets differ between models: " + string.Join("; ", budgets.Select(b => $"{b.Budget} ({b.Strategy}, seed {b.Seed})")) + ".\n\n");
        foreach (var group in records.GroupBy(r => r.Dataset).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            md.Append($"### {group.Key}\n\n| model | chosen | valid AUC (chosen) | valid AUC over candidates | candidates / space |\n|---|---|---|---|---|\n");
            foreach (var r in group.OrderBy(r => modelOrder is null ? 0 : IndexOr(modelOrder, r.Model)))
            {
                var finite = r.Candidates.Where(c => double.IsFinite(c.ValidAuc)).Select(c => c.ValidAuc).ToList();
                var diverged = r.Candidates.Count - finite.Count;
                md.Append($"| {displayName(r.Model)} | {r.Chosen} | {F(r.ChosenValidAuc, "F4")} | " +
                          (finite.Count == 0 ? "–" : $"{F(finite.Min(), "F4")}–{F(finite.Max(), "F4")}") + (diverged > 0 ? $" ({diverged} diverged)" : "") +
                          $" | {r.Candidates.Count} / {r.SpaceSize} |\n");
            }
            md.Append('\n');
        }
        return md.ToString();
    }

    /// <summary>
    /// MI-DPG against DPG in each DWM variant that has both, per dataset: mean test AUC and mean scenario separation of the
    /// generated cores (<see cref="ExperimentRunner.CoreSeparation"/>: within − between centred cosine, over the layers and per
    /// layer), over the trials both have, with paired t-tests of MI-DPG against DPG. Trials recorded before the separation was
    /// measured give NaN gaps.
    /// </summary>
    public static IReadOnlyList<MirEffectRow> MirEffect(IReadOnlyList<ResultRow> rows)
    {
        var result = new List<MirEffectRow>();
        var overall = rows.Where(r => r.Scenario == "all").ToList();
        foreach (var dataset in overall.Select(r => r.Dataset).Distinct().Order(StringComparer.Ordinal))
        foreach (var variant in new[] { "non", "rc", "r", "c" })
        {
            string dpg = "dpg-" + variant, midpg = "midpg-" + variant;
            Dictionary<int, double> ByTrial(string model, string metric) => overall
                .Where(r => r.Dataset == dataset && r.Model == model && r.Metric == metric).GroupBy(r => r.Trial).ToDictionary(g => g.Key, g => g.Last().Value);
            var (aucD, aucM) = (ByTrial(dpg, "auc"), ByTrial(midpg, "auc"));
            var trials = aucD.Keys.Intersect(aucM.Keys).Order().ToArray();
            if (trials.Length == 0) continue;
            Dictionary<int, double> Paired(Dictionary<int, double> d) => trials.Where(d.ContainsKey).ToDictionary(t => t, t => d[t]);
            var (gapD, gapM) = (Paired(ByTrial(dpg, "core_gap")), Paired(ByTrial(midpg, "core_gap")));
            var layers = overall.Where(r => r.Dataset == dataset && r.Model == dpg && r.Metric.StartsWith("core_gap_l", StringComparison.Ordinal))
                .Select(r => int.Parse(r.Metric["core_gap_l".Length..], CultureInfo.InvariantCulture)).Distinct().Order()
                .Select(l => (l, Mean(Paired(ByTrial(dpg, $"core_gap_l{l}")).Values.ToArray()), Mean(Paired(ByTrial(midpg, $"core_gap_l{l}")).Values.ToArray())))
                .ToArray();
            result.Add(new MirEffectRow(dataset, variant, trials.Length,
                Mean(Paired(aucD).Values.ToArray()), Mean(Paired(aucM).Values.ToArray()), PairedTTest(Paired(aucM), Paired(aucD)),
                Mean(gapD.Values.ToArray()), Std(gapD.Values.ToArray()), Mean(gapM.Values.ToArray()), Std(gapM.Values.ToArray()), PairedTTest(gapM, gapD), layers));
        }
        return result;
    }

    /// <summary>The MIR effect as Markdown, with MI-DPG's chosen λ (and both models' chosen configurations) when tuned.</summary>
    public static string MirEffectToMarkdown(IReadOnlyList<MirEffectRow> rows, IReadOnlyList<TuningRecord>? tuning = null)
    {
        if (rows.Count == 0) return "";
        tuning ??= [];
        string Chosen(string dataset, string model) => tuning.FirstOrDefault(t => t.Dataset == dataset && t.Model == model)?.Chosen ?? "default";
        var md = new StringBuilder("## MI-DPG against DPG: what the MIR changes\n\n");
        md.Append("Per DWM variant, over the trials both have: mean test AUC, and the scenario separation of the generated cores on the first " +
                  $"{ExperimentRunner.SeparationRows:N0} test rows — the centred cosine similarity of the flattened cores averaged over pairs of samples from " +
                  "the same scenario minus that over pairs from different scenarios (notebook 03's measure), averaged over the modulated layers. " +
                  "p: paired t-test of MI-DPG against DPG over trials.\n\n");
        md.Append("| dataset | variant | trials | DPG chosen | MI-DPG chosen | AUC DPG | AUC MI-DPG | p (AUC) | gap DPG | gap MI-DPG | p (gap) | gap per layer DPG → MI-DPG |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
            md.Append($"| {r.Dataset} | {r.Variant.ToUpperInvariant()} | {r.Trials} | {Chosen(r.Dataset, "dpg-" + r.Variant)} | {Chosen(r.Dataset, "midpg-" + r.Variant)} | " +
                      $"{F(r.DpgAuc, "F4")} | {F(r.MiDpgAuc, "F4")} | {F(r.AucP, "F3")} | {F(r.DpgGap, "F3")} ± {F(r.DpgGapStd, "F3")} | {F(r.MiDpgGap, "F3")} ± {F(r.MiDpgGapStd, "F3")} | {F(r.GapP, "F3")} | " +
                      string.Join("; ", r.Layers.Select(l => $"l{l.Layer} {F(l.Dpg, "F3")} → {F(l.MiDpg, "F3")}")) + " |\n");
        md.Append('\n');
        return md.ToString();
    }

    public static DataFrame ToDataFrame(IReadOnlyList<SummaryRow> rows) => new(
        new StringDataFrameColumn("dataset", rows.Select(r => r.Dataset)),
        new StringDataFrameColumn("model", rows.Select(r => r.Model)),
        new Int32DataFrameColumn("trials", rows.Select(r => r.Trials)),
        new DoubleDataFrameColumn("auc_mean", rows.Select(r => r.AucMean)),
        new DoubleDataFrameColumn("auc_std", rows.Select(r => r.AucStd)),
        new DoubleDataFrameColumn("logloss_mean", rows.Select(r => r.LogLossMean)),
        new DoubleDataFrameColumn("logloss_std", rows.Select(r => r.LogLossStd)),
        new DoubleDataFrameColumn("relaimpr_pct", rows.Select(r => r.RelaImpr)),
        new DoubleDataFrameColumn("params", rows.Select(r => r.Parameters)),
        new StringDataFrameColumn("best_baseline", rows.Select(r => r.BestBaseline)),
        new DoubleDataFrameColumn("auc_p", rows.Select(r => r.AucP)),
        new DoubleDataFrameColumn("logloss_p", rows.Select(r => r.LogLossP)));

    static string F(double v, string format) => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A Markdown table in the layout of the paper's Table 1, one per dataset.</summary>
    public static string ToMarkdown(IReadOnlyList<SummaryRow> rows, Func<string, string>? displayName = null)
    {
        displayName ??= m => m;
        var md = new StringBuilder();
        foreach (var group in rows.GroupBy(r => r.Dataset))
        {
            var best = group.First().BestBaseline;
            md.Append($"### {group.Key}\n\n");
            // Models with fewer trials (a run still in progress) say so in their own column: a mean over 1 trial has no std.
            bool uneven = group.Select(r => r.Trials).Distinct().Count() > 1;
            md.Append((uneven
                    ? $"Mean ± std over each model's trials (the column `trials`; {group.Max(r => r.Trials)} for most, fewer where a run is incomplete; the t-test pairs the trials both have). "
                    : $"Mean ± std over {group.Max(r => r.Trials)} trial(s). ") + (best.Length == 0
                ? "No baseline in this experiment, so no t-test.\n\n"
                : $"`*`: paired t-test against the best baseline ({displayName(best)}) at p ≤ {Alpha}.\n\n"));
            md.Append(uneven
                ? "| model | trials | AUC | LogLoss | RelaImpr vs DNN | parameters | p (AUC) |\n|---|---|---|---|---|---|---|\n"
                : "| model | AUC | LogLoss | RelaImpr vs DNN | parameters | p (AUC) |\n|---|---|---|---|---|---|\n");
            foreach (var r in group)
                md.Append($"| {displayName(r.Model)} | {(uneven ? $"{r.Trials} | " : "")}{F(r.AucMean, "F4")} ± {F(r.AucStd, "F4")}{(r.AucSignificant ? "*" : "")} | " +
                          $"{F(r.LogLossMean, "F4")} ± {F(r.LogLossStd, "F4")}{(r.LogLossSignificant ? "*" : "")} | " +
                          $"{F(r.RelaImpr, "F2")}% | {F(r.Parameters, "N0")} | {F(r.AucP, "F3")} |\n");
            md.Append('\n');
        }
        return md.ToString();
    }

    /// <summary>The summary as CSV (same columns as <see cref="ToDataFrame"/>).</summary>
    public static string ToCsv(IReadOnlyList<SummaryRow> rows)
    {
        var csv = new StringBuilder("dataset,model,trials,auc_mean,auc_std,logloss_mean,logloss_std,relaimpr_pct,params,best_baseline,auc_p,logloss_p\n");
        string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        foreach (var r in rows)
            csv.Append($"{r.Dataset},{r.Model},{r.Trials},{N(r.AucMean)},{N(r.AucStd)},{N(r.LogLossMean)},{N(r.LogLossStd)},{N(r.RelaImpr)},{N(r.Parameters)},{r.BestBaseline},{N(r.AucP)},{N(r.LogLossP)}\n");
        return csv.ToString();
    }
}
