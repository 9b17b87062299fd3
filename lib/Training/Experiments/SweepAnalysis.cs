using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;

namespace MiDpg.Research.Training.Experiments;

/// <summary>
/// One DWM variant across the sweep: its best and worst point, the spread of test AUC over the sizes (the paper's
/// claim (2) of section 3.5.1: "stable model performance across different low-rank matrix sizes"), and the AUC of
/// its cheapest and its most expensive configuration (parameters excluding embeddings).
/// </summary>
public sealed record SweepVariantSummary(DwmVariant Variant, int Points, string BestPoint, double BestAuc, string WorstPoint,
    double WorstAuc, string CheapestPoint, long CheapestParameters, double CheapestAuc, string LargestPoint, long LargestParameters,
    double LargestAuc)
{
    /// <summary>Best minus worst test AUC over the variant's sizes.</summary>
    public double Spread => BestAuc - WorstAuc;
}

/// <summary>A sweep point against APG at (nearly) the same parameter budget: the paper's claim (1) of section 3.5.1.</summary>
public sealed record SweepApgPair(string Point, long PointParameters, double PointAuc, string Apg, long ApgParameters, double ApgAuc)
{
    /// <summary>The point's test AUC minus APG's.</summary>
    public double Difference => PointAuc - ApgAuc;
}

/// <summary>
/// What the low-rank sweep shows, computed from the results store's summary: per variant, how much the sizes move
/// test AUC, and, per point, whether DWM beats APG at the matched budget. Points without a recorded result are left
/// out of both (an interrupted sweep is summarised over what has been trained, and <see cref="Variants"/> says how many).
/// </summary>
public static class SweepAnalysis
{
    /// <summary>Parameters that are not embeddings (the embeddings are the same for every point).</summary>
    public static long NonEmbeddingParameters(IReadOnlyDictionary<string, long> parameters) =>
        parameters["total"] - parameters.GetValueOrDefault(ModelComponent.Embeddings);

    /// <summary>One row per variant that has at least one trained point, in the order of first appearance.</summary>
    public static IReadOnlyList<SweepVariantSummary> Variants(IReadOnlyList<SummaryRow> summary, IReadOnlyList<SweepPoint> points)
    {
        var auc = Auc(summary);
        return points.Where(p => auc.ContainsKey(p.Name)).GroupBy(p => p.Variant).Select(g =>
        {
            var byAuc = g.OrderByDescending(p => auc[p.Name]).ToList();
            var byCost = g.OrderBy(p => NonEmbeddingParameters(p.Parameters)).ToList();
            var (best, worst, cheapest, largest) = (byAuc[0], byAuc[^1], byCost[0], byCost[^1]);
            return new SweepVariantSummary(g.Key, byAuc.Count, best.Name, auc[best.Name], worst.Name, auc[worst.Name],
                cheapest.Name, NonEmbeddingParameters(cheapest.Parameters), auc[cheapest.Name],
                largest.Name, NonEmbeddingParameters(largest.Parameters), auc[largest.Name]);
        }).ToList();
    }

    /// <summary>Every trained point with its matched APG (<see cref="LowRankSweep.ApgMatchRank"/>) where that is trained too.</summary>
    public static IReadOnlyList<SweepApgPair> AgainstApg(IReadOnlyList<SummaryRow> summary, IReadOnlyList<SweepPoint> points,
        FeatureSpec features, ApgConfig apgTemplate)
    {
        var auc = Auc(summary);
        var pairs = new List<SweepApgPair>();
        foreach (var p in points.Where(p => auc.ContainsKey(p.Name)))
        {
            var rank = LowRankSweep.ApgMatchRank(features, p, apgTemplate);
            var apg = LowRankSweep.ApgName(rank);
            if (!auc.TryGetValue(apg, out var apgAuc)) continue;
            var apgParameters = ApgModel.Formula(features, ApgAlignment.WithRank(apgTemplate, rank));
            pairs.Add(new SweepApgPair(p.Name, NonEmbeddingParameters(p.Parameters), auc[p.Name], apg, NonEmbeddingParameters(apgParameters), apgAuc));
        }
        return pairs;
    }

    static Dictionary<string, double> Auc(IReadOnlyList<SummaryRow> summary)
    {
        if (summary.Select(r => r.Dataset).Distinct().Count() > 1)
            throw new ArgumentException("the sweep analysis takes the summary of one dataset; filter it by SummaryRow.Dataset first", nameof(summary));
        return summary.ToDictionary(r => r.Model, r => r.AucMean);
    }
}
