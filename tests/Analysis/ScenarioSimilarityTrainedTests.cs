using MiDpg.Research.Analysis;
using MiDpg.Research.Models;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Analysis;

/// <summary>
/// What the generated matrices of trained models say about the scenarios, on the synthetic default (60k rows,
/// users 1000, items 500, hidden 64-32-16, 4 epochs; cosine of grand-mean-centred scenario means, all layers
/// concatenated). Measured while building issue 7: DPG's scenario means follow the generator's groups for every seed
/// tried (within 0.48–0.75 vs between −0.31 to −0.41; correlation with the true similarity 0.47–0.60). MI-DPG's do so
/// only for some seeds with λ = 0.1 and not with the paper's λ = 1: the MIR pushes every scenario's matrices apart
/// (silhouette by scenario of the flattened matrices, seed 0: MI-DPG 0.64, DPG −0.05), so the group structure in the
/// means becomes faint. The two robust properties are asserted; the issue's "within-group similarity exceeds
/// between-group similarity for a trained MI-DPG" does not hold robustly and is reported in the issue note instead.
/// Runs alone: training reproducibility needs torch's global generator to itself.
/// </summary>
[Collection("torch global generator")]
public class ScenarioSimilarityTrainedTests(ITestOutputHelper output)
{
    static (DpgModel Model, WeightingMatrixSample Sample) Train(ExperimentData data, bool mir)
    {
        var seed = int.Parse(Environment.GetEnvironmentVariable("MIDPG_SIM_SEED") ?? "0");
        manual_seed(seed);
        var model = (DpgModel)ModelRegistry.Create(mir ? "midpg-r" : "dpg-r", ModelData.Features(data.Train),
            new ModelOptions { HiddenSizes = [64, 32, 16] }.With<DpgConfig>(c => c with { Lambda = 0.1 }));
        new Trainer(new TrainerConfig { MaxEpochs = 4, Patience = 2, BatchSize = 256, LearningRate = 2e-3, Seed = seed, Threads = 1 })
            .Fit(model, data.Train, data.Valid);
        return (model, WeightingMatrixSample.Draw(model, data.Test, perScenario: null));
    }

    [Fact]
    public void DpgMeansFollowTheGroupsAndTheMirSeparatesTheScenarios()
    {
        var data = DatasetSource.Parse("synthetic,rows=60000").Load();
        var synthetic = data.Synthetic!;
        var (dpg, dpgSample) = Train(data, mir: false);
        var (midpg, midpgSample) = Train(data, mir: true);
        Assert.Equal(DpgModel.MiDpgKind, midpg.Kind);

        var dpgSimilarity = ScenarioSimilarity.Compute(dpgSample, null, SimilarityCentring.GrandMean);
        var contrast = dpgSimilarity.Contrast(synthetic.Group);
        var midpgContrast = ScenarioSimilarity.Compute(midpgSample, null, SimilarityCentring.GrandMean).Contrast(synthetic.Group);
        double Silhouette(WeightingMatrixSample s)
        {
            using var x = tensor(s.Features(null));
            return MiDpg.Research.Analysis.Silhouette.Compute(x, s.Scenario, s.ScenarioCount).Mean;
        }
        double dpgSilhouette = Silhouette(dpgSample), midpgSilhouette = Silhouette(midpgSample);
        output.WriteLine($"DPG: within {contrast.Within:F4} between {contrast.Between:F4}, correlation with truth {dpgSimilarity.CorrelationWith(synthetic.TrueSimilarity):F3}, silhouette {dpgSilhouette:F3}");
        output.WriteLine($"MI-DPG (λ 0.1): within {midpgContrast.Within:F4} between {midpgContrast.Between:F4}, silhouette {midpgSilhouette:F3}");
        Console.WriteLine($"SIMPROBE DPG within {contrast.Within:F4} between {contrast.Between:F4} corr {dpgSimilarity.CorrelationWith(synthetic.TrueSimilarity):F3} sil {dpgSilhouette:F3} | MIDPG within {midpgContrast.Within:F4} between {midpgContrast.Between:F4} sil {midpgSilhouette:F3}");

        Assert.True(contrast.Within > contrast.Between, $"DPG: within {contrast.Within} <= between {contrast.Between}");
        Assert.True(dpgSimilarity.CorrelationWith(synthetic.TrueSimilarity) > 0.2, "DPG's scenario similarity should correlate with the truth");
        Assert.True(midpgSilhouette > dpgSilhouette + 0.2, $"MIR should separate scenarios: silhouette MI-DPG {midpgSilhouette} vs DPG {dpgSilhouette}");
    }
}
