using MiDpg.Research.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

/// <summary>Small random feature specs and batches for the model tests.</summary>
internal static class ModelTestData
{
    /// <summary>4 fields (2 scenario-aware, 2 agnostic), 3 scenarios.</summary>
    public static FeatureSpec Spec(int numeric = 0) => new(
        [new FieldSpec("scenario", 4, true), new FieldSpec("page", 6, true), new FieldSpec("user", 50, false), new FieldSpec("item", 30, false)],
        numeric, 3);

    /// <summary>emb_dim 8, hidden 16-8-4: with 4 fields and no numeric input, d_m of layer 1 is 32.</summary>
    public static DpgConfig SmallConfig(DwmVariant variant = DwmVariant.RC) => new()
    {
        EmbeddingDim = 8,
        HiddenSizes = [16, 8, 4],
        Variant = variant,
        RowDivisor = 2,
        ColumnDivisor = 2,
        RankK = 2,
        GeneratorHidden = 8,
        DiscriminatorHidden = 8,
    };

    public static (ModelInput Input, Tensor Labels) Batch(FeatureSpec spec, int batch, long seed, Device? device = null)
    {
        var g = new Generator((ulong)seed);
        var columns = spec.Fields.Select(f => randint(0, f.VocabularySize, [batch, 1], dtype: ScalarType.Int64, generator: g)).ToArray();
        var categorical = cat(columns, 1);
        var numeric = randn([batch, spec.NumericCount], generator: g);
        var scenario = categorical.select(1, 0).remainder(spec.ScenarioCount);
        var labels = randint(0, 2, [batch], generator: g).to_type(ScalarType.Float32);
        var input = new ModelInput(categorical, numeric, scenario);
        return device is null ? (input, labels) : (input.To(device), labels.to(device));
    }

    public static float MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();
}
