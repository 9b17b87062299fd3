using Microsoft.Data.Analysis;
using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>
/// Quality of an embedding by scenario: trustworthiness T(k) (<see cref="Trustworthiness"/>) overall and per scenario,
/// and the silhouette by scenario label (<see cref="Silhouette"/>) in the original space and in the embedding.
/// </summary>
public sealed record EmbeddingQuality(
    int K,
    double Trustworthiness,
    double[] TrustworthinessByScenario,
    SilhouetteResult SilhouetteOriginal,
    SilhouetteResult SilhouetteEmbedding,
    IReadOnlyList<string> ScenarioNames)
{
    /// <summary>Evaluates <paramref name="embedded"/> against <paramref name="original"/> with scenario labels 0..names.Count−1.</summary>
    public static EmbeddingQuality Evaluate(Tensor original, Tensor embedded, int[] scenario, IReadOnlyList<string> scenarioNames, int k = 10, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(scenarioNames);
        int c = scenarioNames.Count;
        var penalties = Analysis.Trustworthiness.PointPenalties(original, embedded, k, device);
        var overall = Analysis.Trustworthiness.FromPenalties(penalties, k);
        var byScenario = Analysis.Trustworthiness.ByGroupFromPenalties(penalties, scenario, c, k);
        return new EmbeddingQuality(k, overall, byScenario,
            Silhouette.Compute(original, scenario, c, device),
            Silhouette.Compute(embedded, scenario, c, device),
            scenarioNames);
    }

    /// <summary>One row per scenario plus "all": Scenario, N, Trustworthiness, SilhouetteOriginal, SilhouetteEmbedding.</summary>
    public DataFrame ToDataFrame()
    {
        var names = ScenarioNames.Append("all").ToList();
        var counts = SilhouetteOriginal.Counts.Append(SilhouetteOriginal.Counts.Sum()).ToList();
        return new DataFrame(
            new StringDataFrameColumn("Scenario", names),
            new Int32DataFrameColumn("N", counts),
            new DoubleDataFrameColumn("Trustworthiness", TrustworthinessByScenario.Append(Trustworthiness)),
            new DoubleDataFrameColumn("SilhouetteOriginal", SilhouetteOriginal.PerLabel.Append(SilhouetteOriginal.Mean)),
            new DoubleDataFrameColumn("SilhouetteEmbedding", SilhouetteEmbedding.PerLabel.Append(SilhouetteEmbedding.Mean)));
    }
}
