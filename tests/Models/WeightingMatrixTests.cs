using MiDpg.Research.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

public class WeightingMatrixTests
{
    public static TheoryData<DwmVariant, RepeatMode, int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<DwmVariant, RepeatMode, int, int, int, int, int>();
        // (d_m, d_n, d_r, d_c, d_k)
        (int, int, int, int, int)[] shapes = [(12, 8, 3, 4, 2), (16, 6, 16, 3, 3), (10, 10, 5, 1, 1), (24, 12, 4, 6, 4), (7, 5, 1, 5, 1)];
        foreach (var variant in Enum.GetValues<DwmVariant>())
            foreach (var mode in Enum.GetValues<RepeatMode>())
                foreach (var (dm, dn, dr, dc, dk) in shapes)
                    data.Add(variant, mode, dm, dn, dr, dc, dk);
        return data;
    }

    private static WeightingMatrix Layer(DwmVariant variant, RepeatMode mode, int dm, int dn, int dr, int dc, int dk, int awareDim, bool detach = false)
    {
        var config = new DpgConfig { Variant = variant, Repeat = mode, GeneratorHidden = 6, GeneratorOutputInitScale = 1.0, DetachGeneratorInput = detach };
        var geometry = variant == DwmVariant.Non ? new LayerGeometry(1, dm, dn, dm, dn, 0) : new LayerGeometry(1, dm, dn, dr, dc, dk);
        return new WeightingMatrix(geometry, awareDim, config);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FactoredPathEqualsNaivePath_ForwardAndGradients(DwmVariant variant, RepeatMode mode, int dm, int dn, int dr, int dc, int dk)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        const int batch = 5, awareDim = 3;
        var layer = Layer(variant, mode, dm, dn, dr, dc, dk, awareDim);
        var h = randn([batch, dm]).requires_grad_();
        var eAw = randn([batch, awareDim]).requires_grad_();
        var upstream = randn([batch, dn]);

        Tensor[] Run(bool factored)
        {
            layer.zero_grad();
            h.grad?.zero_();
            eAw.grad?.zero_();
            var y = layer.Compute(h, eAw, factored).Output;
            (y * upstream).sum().backward();
            return [y.detach().clone(), h.grad!.clone(), eAw.grad!.clone(), .. layer.parameters().Select(p => p.grad!.clone())];
        }

        var fast = Run(true);
        var naive = Run(false);
        Assert.Equal(naive.Length, fast.Length);
        for (var i = 0; i < fast.Length; i++)
            Assert.True(ModelTestData.MaxAbsDiff(fast[i], naive[i]) < 1e-5, $"tensor {i} differs by {ModelTestData.MaxAbsDiff(fast[i], naive[i])}");
    }

    [Theory]
    [InlineData(RepeatMode.Tile)]
    [InlineData(RepeatMode.Block)]
    public void FactoredPathEqualsExplicitElementwiseDefinition(RepeatMode mode)
    {
        // Independent of Repeat.Psi: S[i, j] = A[row(i), column(j)] written out entry by entry.
        using var scope = NewDisposeScope();
        manual_seed(3);
        const int dm = 6, dn = 4, dr = 3, dc = 2, batch = 2;
        var layer = Layer(DwmVariant.RC, mode, dm, dn, dr, dc, 1, 2);
        var h = randn([batch, dm]);
        var core = rand([batch, dr, dc]);
        var w = layer.Weight.detach();
        var expected = zeros([batch, dn]);
        for (var b = 0; b < batch; b++)
            for (var j = 0; j < dn; j++)
            {
                double sum = 0;
                for (var i = 0; i < dm; i++)
                    sum += h[b, i].item<float>() * w[i, j].item<float>() *
                           core[b, Repeat.CoreRow(i, dm, dr, mode), Repeat.CoreColumn(j, dn, dc, mode)].item<float>();
                expected[b, j] = (float)sum + layer.Bias[j].item<float>();
            }
        using var _ = no_grad();
        Assert.True(ModelTestData.MaxAbsDiff(layer.Apply(h, core, factored: true), expected) < 1e-5);
        Assert.True(ModelTestData.MaxAbsDiff(layer.Apply(h, core, factored: false), expected) < 1e-5);
    }

    [Theory]
    [InlineData(DwmVariant.Non)]
    [InlineData(DwmVariant.RC)]
    [InlineData(DwmVariant.R)]
    [InlineData(DwmVariant.C)]
    public void CoreAndWeightingMatrixLieStrictlyInsideZeroOne(DwmVariant variant)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var layer = Layer(variant, RepeatMode.Tile, 12, 8, 3, 4, 2, 4);
        using var _ = no_grad();
        var core = layer.Generate(randn([32, 12]), randn([32, 4]));
        var s = layer.Materialise(core);
        Assert.Equal([32L, 12, 8], s.shape);
        Assert.Equal(variant == DwmVariant.Non ? new long[] { 32, 12, 8 } : [32, 3, 4], core.shape);
        Assert.True(s.gt(0).all().item<bool>() && s.lt(1).all().item<bool>());
    }

    [Theory]
    [InlineData(RepeatMode.Tile)]
    [InlineData(RepeatMode.Block)]
    public void RowSizeOneRankOneFullColumns_IsAnOutputNeuronGate(RepeatMode mode)
    {
        // d_r = 1, d_k = 1, d_c = d_n: S scales whole output neurons (PEPNet / AdaSparse family).
        using var scope = NewDisposeScope();
        manual_seed(5);
        const int dm = 12, dn = 6, batch = 7;
        var layer = Layer(DwmVariant.RC, mode, dm, dn, 1, dn, 1, 3);
        var h = randn([batch, dm]);
        var eAw = randn([batch, 3]);
        using var _ = no_grad();
        var result = layer.Compute(h, eAw);
        var gate = result.Core.squeeze(1);                                   // [B, d_n], one factor per output neuron
        var gated = matmul(h, layer.Weight) * gate + layer.Bias;             // (h W) ⊙ gate + b
        Assert.True(ModelTestData.MaxAbsDiff(result.Output, gated) < 1e-5);
        Assert.True(ModelTestData.MaxAbsDiff(layer.Compute(h, eAw, factored: false).Output, gated) < 1e-5);
    }

    [Fact]
    public void DetachOptionStopsGradientThroughTheGeneratorInput()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var attached = Layer(DwmVariant.RC, RepeatMode.Tile, 8, 4, 2, 2, 1, 2);
        var detached = Layer(DwmVariant.RC, RepeatMode.Tile, 8, 4, 2, 2, 1, 2, detach: true);
        detached.load_state_dict(attached.state_dict());
        var h1 = randn([3, 8]).requires_grad_();
        var h2 = h1.detach().clone().requires_grad_();
        var eAw = randn([3, 2]);
        // Only the generator path depends on h through S; compare d core / d h.
        attached.Generate(h1, eAw).sum().backward();
        detached.Generate(h2, eAw).sum().backward();
        Assert.True(h1.grad!.abs().sum().item<float>() > 0);
        Assert.True(h2.grad is null || h2.grad.abs().sum().item<float>() == 0);
    }
}
