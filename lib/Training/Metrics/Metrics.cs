namespace MiDpg.Research.Training;

/// <summary>
/// Evaluation metrics for (multi-scenario) conversion-rate prediction.
/// <list type="bullet">
/// <item><b>AUC</b> — exact, via the Mann–Whitney U statistic with average ranks for tied scores:
/// AUC = (R₊ − n₊(n₊+1)/2) / (n₊ n₋), R₊ the rank sum of the positives. O(n log n).
/// Equals P(s₊ &gt; s₋) + ½ P(s₊ = s₋) over all positive/negative pairs.</item>
/// <item><b>LogLoss</b> — −(1/n) Σ [y log p + (1−y) log(1−p)], p clipped to [ε, 1−ε].</item>
/// <item><b>RelaImpr</b> — Yan et al. (2014), "Coupled group lasso for web-scale CTR prediction":
/// RelaImpr = ((AUC(model) − 0.5) / (AUC(base) − 0.5) − 1) × 100 %.</item>
/// <item><b>GAUC</b> — impression-weighted mean of per-group AUC (Zhou et al. 2018, DIN):
/// Σ_g n_g AUC_g / Σ_g n_g over groups that contain both classes.</item>
/// </list>
/// Labels must be exactly 0 or 1; scores must not be NaN.
/// </summary>
/// <remarks>
/// Single-class convention: <see cref="Auc"/> throws an <see cref="ArgumentException"/> when only one
/// class is present, because the AUC is undefined there and silently returning a number hides bugs.
/// <see cref="AucOrNaN"/> returns <see cref="double.NaN"/> instead; <see cref="PerScenario"/> uses it, so a
/// scenario with a single class is reported as NaN together with its counts rather than crashing.
/// </remarks>
public static class Metrics
{
    /// <summary>Default probability clipping for <see cref="LogLoss"/>.</summary>
    public const double DefaultLogLossEpsilon = 1e-7;

    /// <summary>Exact ROC AUC with average ranks for ties (Mann–Whitney U). Throws when only one class is present.</summary>
    public static double Auc(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        var auc = AucOrNaN(scores, labels, out var positives, out var negatives);
        if (double.IsNaN(auc))
            throw new ArgumentException(
                $"AUC is undefined with a single class present ({positives} positives, {negatives} negatives out of {scores.Length}).",
                nameof(labels));
        return auc;
    }

    /// <summary>Exact ROC AUC as <see cref="Auc"/>, but <see cref="double.NaN"/> when only one class (or no sample) is present.</summary>
    public static double AucOrNaN(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels) =>
        AucOrNaN(scores, labels, out _, out _);

    static double AucOrNaN(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, out long positives, out long negatives)
    {
        CheckInputs(scores, labels);
        int n = scores.Length;
        positives = 0;
        for (int i = 0; i < n; i++) if (labels[i] == 1f) positives++;
        negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;

        var keys = scores.ToArray();
        var isPositive = new bool[n];
        for (int i = 0; i < n; i++) isPositive[i] = labels[i] == 1f;
        Array.Sort(keys, isPositive);

        // Walk runs of tied scores; every member of a run gets the run's average 1-based rank.
        double positiveRankSum = 0;
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start]) end++;
            double averageRank = 0.5 * (start + 1 + end); // mean of ranks start+1 .. end
            int positivesInRun = 0;
            for (int i = start; i < end; i++) if (isPositive[i]) positivesInRun++;
            positiveRankSum += averageRank * positivesInRun;
            start = end;
        }
        double p = positives, q = negatives;
        double u = positiveRankSum - p * (p + 1) / 2;
        return u / (p * q);
    }

    /// <summary>Mean binary cross-entropy with probabilities clipped to [<paramref name="eps"/>, 1 − <paramref name="eps"/>] (computed in double).</summary>
    public static double LogLoss(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> labels, double eps = DefaultLogLossEpsilon)
    {
        CheckInputs(probabilities, labels);
        if (!(eps > 0 && eps < 0.5)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must lie in (0, 0.5).");
        if (probabilities.Length == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = Math.Clamp((double)probabilities[i], eps, 1 - eps);
            sum += labels[i] == 1f ? -Math.Log(p) : -Math.Log(1 - p);
        }
        return sum / probabilities.Length;
    }

    /// <summary>
    /// RelaImpr = ((AUC(model) − 0.5) / (AUC(base) − 0.5) − 1) × 100, in percent (Yan et al. 2014).
    /// Throws when the base AUC is 0.5 (a random base makes the ratio undefined).
    /// </summary>
    public static double RelaImpr(double aucModel, double aucBase)
    {
        if (double.IsNaN(aucModel) || double.IsNaN(aucBase))
            throw new ArgumentException("RelaImpr needs two defined AUC values (got NaN).");
        if (aucBase == 0.5)
            throw new ArgumentException("RelaImpr is undefined for a base AUC of exactly 0.5.", nameof(aucBase));
        return ((aucModel - 0.5) / (aucBase - 0.5) - 1) * 100;
    }

    /// <summary>
    /// Per-scenario AUC and LogLoss. <paramref name="scores"/> are probabilities (used for both metrics).
    /// A scenario whose samples are all of one class gets AUC = NaN; a scenario with no samples is still listed (n = 0, NaN metrics).
    /// Rows follow the order of <paramref name="scenarioNames"/>; when <paramref name="includeOverall"/> is set, an "all" row is appended.
    /// </summary>
    public static IReadOnlyList<ScenarioMetrics> PerScenario(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels,
        ReadOnlySpan<int> scenario, IReadOnlyList<string> scenarioNames, bool includeOverall = false, double eps = DefaultLogLossEpsilon)
    {
        CheckInputs(scores, labels);
        if (scenario.Length != scores.Length)
            throw new ArgumentException($"scenario has {scenario.Length} entries but scores has {scores.Length}.", nameof(scenario));
        ArgumentNullException.ThrowIfNull(scenarioNames);
        int s = scenarioNames.Count;
        var members = new List<int>[s];
        for (int k = 0; k < s; k++) members[k] = new List<int>();
        for (int i = 0; i < scenario.Length; i++)
        {
            if ((uint)scenario[i] >= (uint)s)
                throw new ArgumentException($"scenario[{i}] = {scenario[i]} is outside 0..{s - 1} (there are {s} scenario names).", nameof(scenario));
            members[scenario[i]].Add(i);
        }
        var rows = new List<ScenarioMetrics>(s + 1);
        for (int k = 0; k < s; k++)
        {
            var idx = members[k];
            var sc = new float[idx.Count];
            var lb = new float[idx.Count];
            for (int m = 0; m < idx.Count; m++) { sc[m] = scores[idx[m]]; lb[m] = labels[idx[m]]; }
            rows.Add(Row(scenarioNames[k], sc, lb, eps));
        }
        if (includeOverall) rows.Add(Row("all", scores, labels, eps));
        return rows;
    }

    static ScenarioMetrics Row(string name, ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, double eps)
    {
        int positives = 0;
        foreach (var y in labels) if (y == 1f) positives++;
        return new ScenarioMetrics(name, scores.Length, positives, AucOrNaN(scores, labels), LogLoss(scores, labels, eps));
    }

    /// <summary>
    /// Group AUC: Σ_g n_g AUC_g / Σ_g n_g over the groups (e.g. users) that contain both classes; n_g is the group's
    /// number of impressions. Groups with one class are skipped and counted in the result.
    /// </summary>
    public static GaucResult Gauc(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, ReadOnlySpan<long> groupIds)
    {
        CheckInputs(scores, labels);
        if (groupIds.Length != scores.Length)
            throw new ArgumentException($"groupIds has {groupIds.Length} entries but scores has {scores.Length}.", nameof(groupIds));
        var groups = new Dictionary<long, List<int>>();
        for (int i = 0; i < groupIds.Length; i++)
        {
            if (!groups.TryGetValue(groupIds[i], out var list)) groups[groupIds[i]] = list = new List<int>();
            list.Add(i);
        }
        double weighted = 0;
        long impressions = 0;
        int used = 0, skipped = 0;
        foreach (var idx in groups.Values)
        {
            var sc = new float[idx.Count];
            var lb = new float[idx.Count];
            for (int m = 0; m < idx.Count; m++) { sc[m] = scores[idx[m]]; lb[m] = labels[idx[m]]; }
            double auc = AucOrNaN(sc, lb);
            if (double.IsNaN(auc)) { skipped++; continue; }
            weighted += auc * idx.Count;
            impressions += idx.Count;
            used++;
        }
        return new GaucResult(used == 0 ? double.NaN : weighted / impressions, used, skipped, impressions);
    }

    /// <inheritdoc cref="Gauc(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{long})"/>
    public static GaucResult Gauc(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, ReadOnlySpan<int> groupIds)
    {
        var ids = new long[groupIds.Length];
        for (int i = 0; i < ids.Length; i++) ids[i] = groupIds[i];
        return Gauc(scores, labels, ids);
    }

    static void CheckInputs(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException($"scores has {scores.Length} entries but labels has {labels.Length}.", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] != 0f && labels[i] != 1f)
                throw new ArgumentException($"labels[{i}] = {labels[i]}; labels must be exactly 0 or 1.", nameof(labels));
            if (float.IsNaN(scores[i]))
                throw new ArgumentException($"scores[{i}] is NaN.", nameof(scores));
        }
    }
}
