// Issue 7, item 4: t-SNE of the generated weighting matrices (paper section 3.5.2, Fig. 4). The flattened
// cores of a WeightingMatrixSample (one layer, or all layers combined) are embedded in 2-D; the result
// carries the embedding, hover text, and the quality numbers: silhouette by scenario in the original space
// and in the embedding, and trustworthiness T(k) (EmbeddingQuality).
using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>The embedding of one view of a sample, with its quality by scenario.</summary>
public sealed record MatrixTsneResult(string Model, string View, TsneResult Tsne, EmbeddingQuality Quality,
    int[] Scenario, float[] Labels, string[] HoverText, IReadOnlyList<string> ScenarioNames)
{
    /// <summary>Mean silhouette by scenario in the 2-D embedding.</summary>
    public double SilhouetteEmbedding => Quality.SilhouetteEmbedding.Mean;

    /// <summary>Mean silhouette by scenario in the original (flattened-matrix) space.</summary>
    public double SilhouetteOriginal => Quality.SilhouetteOriginal.Mean;

    public double Trustworthiness => Quality.Trustworthiness;

    /// <summary>
    /// One scatter group per scenario (name, x, y, hover text) for <see cref="Plotting.Charts.Scatter"/> / ScatterGrid. With
    /// <paramref name="scenarioGroup"/> (the group of each scenario, e.g. the synthetic generator's), each name and hover
    /// text also carries the group (numbered from 1); <see cref="GroupOf"/> gives it back for marker symbols.
    /// </summary>
    public (string Name, double[] X, double[] Y, string[] Text)[] ScatterGroups(IReadOnlyList<int>? scenarioGroup = null)
    {
        if (scenarioGroup is not null && scenarioGroup.Count != ScenarioNames.Count)
            throw new ArgumentException($"{scenarioGroup.Count} groups for {ScenarioNames.Count} scenarios.", nameof(scenarioGroup));
        return Enumerable.Range(0, ScenarioNames.Count)
            .Select(s =>
            {
                var idx = Enumerable.Range(0, Scenario.Length).Where(i => Scenario[i] == s).ToArray();
                var group = scenarioGroup is null ? "" : $"group {scenarioGroup[s] + 1}";
                return (scenarioGroup is null ? ScenarioNames[s] : $"{ScenarioNames[s]} ({group})",
                    idx.Select(i => (double)Tsne.Embedding[i, 0]).ToArray(),
                    idx.Select(i => (double)Tsne.Embedding[i, 1]).ToArray(),
                    idx.Select(i => scenarioGroup is null ? HoverText[i] : HoverText[i] + "<br>" + group).ToArray());
            })
            .Where(g => g.Item2.Length > 0)
            .ToArray();
    }

    /// <summary>The group index of a scatter group named by <see cref="ScatterGroups"/> with <paramref name="scenarioGroup"/>.</summary>
    public int GroupOf(string scatterGroupName, IReadOnlyList<int> scenarioGroup)
    {
        for (int s = 0; s < ScenarioNames.Count; s++)
            if (scatterGroupName == ScenarioNames[s] || scatterGroupName.StartsWith(ScenarioNames[s] + " (group ", StringComparison.Ordinal))
                return scenarioGroup[s];
        throw new ArgumentException($"No scenario named '{scatterGroupName}'.", nameof(scatterGroupName));
    }

    /// <summary>Panel title: model, view and silhouette.</summary>
    public string Title => $"{Model} · {View} · silhouette {SilhouetteEmbedding:0.000}";
}

public static class MatrixTsne
{
    /// <summary>Embeds one view of <paramref name="sample"/> (a layer, or null = all layers combined).</summary>
    /// <param name="k">Neighbourhood size of trustworthiness.</param>
    public static MatrixTsneResult Fit(WeightingMatrixSample sample, int? layer = null, TsneConfig? config = null, int k = 10,
        IProgress<TsneProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var features = sample.Features(layer);
        using var scope = NewDisposeScope();
        var original = tensor(features);
        var result = Tsne.Fit(original, config, progress);
        var embedded = result.ToTensor();
        var quality = EmbeddingQuality.Evaluate(original, embedded, sample.Scenario, sample.ScenarioNames, Math.Min(k, Math.Max(1, sample.Count - 2)));
        return new MatrixTsneResult(sample.Model, WeightingMatrixSample.ViewName(layer), result, quality,
            sample.Scenario, sample.Labels, sample.HoverText(layer), sample.ScenarioNames);
    }
}
