using MiDpg.Research.Models;
using MiDpg.Research.Training.Experiments;
using Plotly.NET;

namespace MiDpg.Research.Plotting;

/// <summary>Charts of the low-rank sweep.</summary>
public static class SweepCharts
{
    /// <summary>Test AUC against the parameters that are not embeddings (embeddings are identical for every point).</summary>
    public static GenericChart AucAgainstParameters(string name, IReadOnlyList<SummaryRow> summary, IReadOnlyList<SweepPoint> points,
        IReadOnlyList<(string Name, IReadOnlyDictionary<string, long> Parameters)> apg)
    {
        static double NonEmbedding(IReadOnlyDictionary<string, long> p) => p["total"] - p.GetValueOrDefault(ModelComponent.Embeddings);
        var auc = summary.ToDictionary(r => r.Model, r => r.AucMean);
        var groups = points.GroupBy(p => p.Variant).Select(g =>
        {
            var list = g.Where(p => auc.ContainsKey(p.Name)).ToList();
            return ($"{(list.FirstOrDefault()?.Config.UseMir ?? true ? "MI-DPG" : "DPG")}-{g.Key}",
                list.Select(p => NonEmbedding(p.Parameters)).ToArray(), list.Select(p => auc[p.Name]).ToArray(), list.Select(p => p.Name).ToArray());
        }).ToList();
        var apgDone = apg.Where(a => auc.ContainsKey(a.Name)).ToList();
        if (apgDone.Count > 0)
            groups.Add(("APG (matched budget)", apgDone.Select(a => NonEmbedding(a.Parameters)).ToArray(), apgDone.Select(a => auc[a.Name]).ToArray(), apgDone.Select(a => a.Name).ToArray()));
        return Charts.Scatter($"{name}: test AUC against parameters", "parameters (excluding embeddings)", "test AUC", groups.ToArray());
    }
}
