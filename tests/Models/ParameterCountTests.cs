using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

public class ParameterCountTests
{
    // Spec: vocabularies 4 + 6 + 50 + 30 = 90 rows; 2 numeric; emb_dim 8 -> d_m(1) = 34, d_aw = 16.
    // Config: hidden 16-8-4 (layer shapes 34x16, 16x8, 8x4), RowDivisor 2, ColumnDivisor 2, d_k 2, H = 8, H_T = 8.
    // Core sizes (d_r x d_c): 17x8, 8x4, 4x2.
    private static long Mlp(long i, long h, long o) => i * h + h + h * o + o;

    public static TheoryData<DwmVariant, long, long, long> HandCounts()
    {
        const long gin1 = 16 + 34, gin2 = 16 + 16, gin3 = 16 + 8;
        return new TheoryData<DwmVariant, long, long, long>
        {
            // variant, generators, shared factors, discriminators
            { DwmVariant.RC, Mlp(gin1, 8, 17 * 2) + Mlp(gin1, 8, 2 * 8) + Mlp(gin2, 8, 8 * 2) + Mlp(gin2, 8, 2 * 4) + Mlp(gin3, 8, 4 * 2) + Mlp(gin3, 8, 2 * 2),
              0, Mlp(16 + 17 * 8, 8, 1) + Mlp(16 + 8 * 4, 8, 1) + Mlp(16 + 4 * 2, 8, 1) },
            { DwmVariant.R, Mlp(gin1, 8, 17 * 2) + Mlp(gin2, 8, 8 * 2) + Mlp(gin3, 8, 4 * 2),
              2 * 8 + 2 * 4 + 2 * 2, Mlp(16 + 17 * 8, 8, 1) + Mlp(16 + 8 * 4, 8, 1) + Mlp(16 + 4 * 2, 8, 1) },
            { DwmVariant.C, Mlp(gin1, 8, 2 * 8) + Mlp(gin2, 8, 2 * 4) + Mlp(gin3, 8, 2 * 2),
              17 * 2 + 8 * 2 + 4 * 2, Mlp(16 + 17 * 8, 8, 1) + Mlp(16 + 8 * 4, 8, 1) + Mlp(16 + 4 * 2, 8, 1) },
            { DwmVariant.Non, Mlp(gin1, 8, 34 * 16) + Mlp(gin2, 8, 16 * 8) + Mlp(gin3, 8, 8 * 4),
              0, Mlp(16 + 34 * 16, 8, 1) + Mlp(16 + 16 * 8, 8, 1) + Mlp(16 + 8 * 4, 8, 1) },
        };
    }

    [Theory]
    [MemberData(nameof(HandCounts))]
    public void CountsByComponentMatchTheirFormulas(DwmVariant variant, long generators, long shared, long discriminators)
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec(numeric: 2);
        var config = ModelTestData.SmallConfig(variant);
        var model = new DpgModel(spec, config);
        var counts = ParameterCount.ByComponent(model);
        Assert.Equal(90L * 8, counts[ModelComponent.Embeddings]);
        Assert.Equal(34L * 16 + 16 + 16 * 8 + 8 + 8 * 4 + 4 + 4 + 1, counts[ModelComponent.Backbone]);
        Assert.Equal(generators, counts[ModelComponent.Generators]);
        Assert.Equal(shared, counts[ModelComponent.SharedFactors]);
        Assert.Equal(discriminators, counts[ModelComponent.Discriminators]);
        Assert.Equal(model.parameters().Sum(p => p.numel()), counts["total"]);
        Assert.Equal(counts.OrderBy(kv => kv.Key), ParameterCount.Formula(spec, config).OrderBy(kv => kv.Key));
    }

    [Theory]
    [InlineData(DwmVariant.Non, true)]
    [InlineData(DwmVariant.RC, false)]
    [InlineData(DwmVariant.C, false)]
    public void ClosedFormMatchesTheBuiltModelForOtherSettings(DwmVariant variant, bool projection)
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec(numeric: 0);
        var config = ModelTestData.SmallConfig(variant) with
        {
            ModulatedLayers = [1, 3], NonDiscriminatorProjection = projection ? 6 : 0, RowSize = 4, ColumnSize = 2, RankK = 1,
        };
        var model = new DpgModel(spec, config);
        Assert.Equal(ParameterCount.ByComponent(model).OrderBy(kv => kv.Key), ParameterCount.Formula(spec, config).OrderBy(kv => kv.Key));
        var dpg = config with { UseMir = false };
        Assert.Equal(0, ParameterCount.Formula(spec, dpg)[ModelComponent.Discriminators]);
        Assert.Equal(ParameterCount.ByComponent(new DpgModel(spec, dpg)).OrderBy(kv => kv.Key), ParameterCount.Formula(spec, dpg).OrderBy(kv => kv.Key));
    }
}
