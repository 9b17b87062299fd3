using MiDpg.Research.Models;
using MiDpg.Research.Training.Experiments;
using Plotly.NET;
using Plotly.NET.CSharp;

namespace MiDpg.Research.Plotting;

/// <summary>Charts of the low-rank sweep.</summary>
public static class SweepCharts
{
    /// <summary>
    /// Test AUC against the parameters that are not embeddings (embeddings are identical for every point): one series
    /// per DWM variant, APG at the matched budgets, and the full-matrix reference (variant Non) when it is given; the
    /// x axis is logarithmic.
    /// Points without a result yet are left out.
    /// </summary>
    public static GenericChart AucAgainstParameters(string name, IReadOnlyList<SummaryRow> summary, IReadOnlyList<SweepPoint> points,
        IReadOnlyList<(string Name, IReadOnlyDictionary<string, long> Parameters)> apg, SweepPoint? reference = null)
    {
        var auc = summary.ToDictionary(r => r.Model, r => r.AucMean);
        string Kind(SweepPoint p) => p.Config.UseMir ? "MI-DPG" : "DPG";
        var groups = points.GroupBy(p => p.Variant).Select(g =>
        {
            var list = g.Where(p => auc.ContainsKey(p.Name)).ToList();
            return ($"{Kind(g.First())}-{g.Key}", list.Select(p => (double)SweepAnalysis.NonEmbeddingParameters(p.Parameters)).ToArray(),
                list.Select(p => auc[p.Name]).ToArray(), list.Select(p => p.Name).ToArray());
        }).ToList();
        var apgDone = apg.Where(a => auc.ContainsKey(a.Name)).ToList();
        if (apgDone.Count > 0)
            groups.Add(("APG (matched budget)", apgDone.Select(a => (double)SweepAnalysis.NonEmbeddingParameters(a.Parameters)).ToArray(),
                apgDone.Select(a => auc[a.Name]).ToArray(), apgDone.Select(a => a.Name).ToArray()));
        if (reference is not null && auc.TryGetValue(reference.Name, out var referenceAuc))
            groups.Add(($"{Kind(reference)}-Non (whole matrix)", [(double)SweepAnalysis.NonEmbeddingParameters(reference.Parameters)], [referenceAuc], [reference.Name]));
        // Log scale: the whole-matrix reference and the full-size points cost ten times the smallest ones.
        return Charts.Scatter($"{name}: test AUC against parameters", "parameters (excluding embeddings, log scale)", "test AUC", groups.ToArray())
            .WithXAxisStyle<double, double, string>(AxisType: StyleParam.AxisType.Log);
    }
}
