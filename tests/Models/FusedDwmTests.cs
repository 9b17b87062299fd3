using MiDpg.Research.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

/// <summary>The fused DWM kernel against the torch ops of the factored path (and through them the naive path): values
/// and all three gradients, both repeat modes, widths that are and are not multiples of the vector width, ReLU zeros
/// in the input, one and several threads.</summary>
public class FusedDwmTests
{
    public static TheoryData<RepeatMode, int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<RepeatMode, int, int, int, int, int>();
        // (batch, d_m, d_n, d_r, d_c): the workload's three layers, odd widths, d_r = 1, d_c = d_n
        (int, int, int, int, int)[] shapes = [(512, 160, 128, 40, 32), (300, 128, 64, 32, 16), (70, 64, 32, 16, 8), (9, 12, 15, 3, 5), (130, 7, 10, 1, 10), (40, 24, 12, 24, 12)];
        foreach (var mode in Enum.GetValues<RepeatMode>())
            foreach (var (b, dm, dn, dr, dc) in shapes)
                data.Add(mode, b, dm, dn, dr, dc);
        return data;
    }

    static Tensor[] Run(Func<Tensor, Tensor, Tensor, Tensor> apply, Tensor h, Tensor w, Tensor a, Tensor upstream)
    {
        foreach (var t in new[] { h, w, a }) t.grad?.zero_();
        var y = apply(h, w, a);
        (y * upstream).sum().backward();
        return [y.detach().clone(), h.grad!.clone(), w.grad!.clone(), a.grad!.clone()];
    }

    static (Tensor H, Tensor W, Tensor A, Tensor Upstream) Inputs(int batch, int dm, int dn, int dr, int dc)
    {
        manual_seed(11);
        var h = nn.functional.relu(randn([batch, dm])).requires_grad_();     // about half the inputs exactly 0
        var w = randn([dm, dn]).requires_grad_();
        var a = rand([batch, dr, dc]).requires_grad_();
        return (h, w, a, randn([batch, dn]));
    }

    static Tensor Reference(Tensor h, Tensor w, Tensor a, RepeatMode mode) =>
        bmm(h.unsqueeze(1), w.unsqueeze(0) * Repeat.Psi(a, (int)w.shape[0], (int)w.shape[1], mode)).squeeze(1);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FusedKernelEqualsTheMaterialisedProduct_ValuesAndGradients(RepeatMode mode, int batch, int dm, int dn, int dr, int dc)
    {
        using var scope = NewDisposeScope();
        var (h, w, a, upstream) = Inputs(batch, dm, dn, dr, dc);
        var fused = Run((x, y, z) => FusedDwm.Apply(x, y, z, mode), h, w, a, upstream);
        var naive = Run((x, y, z) => Reference(x, y, z, mode), h, w, a, upstream);
        string[] names = ["y", "dh", "dW", "dA"];
        for (var i = 0; i < fused.Length; i++)
        {
            var tolerance = 1e-4 * Math.Max(1.0, naive[i].abs().max().item<float>());
            Assert.True(ModelTestData.MaxAbsDiff(fused[i], naive[i]) < tolerance, $"{names[i]} differs by {ModelTestData.MaxAbsDiff(fused[i], naive[i])}");
        }
    }

    [Theory]
    [InlineData(RepeatMode.Tile)]
    [InlineData(RepeatMode.Block)]
    public void InputsWithoutZeros_SameValuesAndGradients(RepeatMode mode)
    {
        // No ReLU zeros (a first layer's embeddings) but for one input, an odd batch: every row takes the nonzero path
        // but one, whose dh is its dot product alone.
        using var scope = NewDisposeScope();
        manual_seed(13);
        var h = randn([41, 24]);
        using (no_grad()) h[6, 5] = tensor(0f);
        h.requires_grad_();
        var w = randn([24, 16]).requires_grad_();
        var a = rand([41, 6, 8]).requires_grad_();
        var upstream = randn([41, 16]);
        var fused = Run((x, y, z) => FusedDwm.Apply(x, y, z, mode), h, w, a, upstream);
        var naive = Run((x, y, z) => Reference(x, y, z, mode), h, w, a, upstream);
        for (var i = 0; i < fused.Length; i++)
            Assert.True(ModelTestData.MaxAbsDiff(fused[i], naive[i]) < 1e-4 * Math.Max(1.0, naive[i].abs().max().item<float>()),
                $"tensor {i} differs by {ModelTestData.MaxAbsDiff(fused[i], naive[i])}");
    }

    [Theory]
    [InlineData(RepeatMode.Tile)]
    [InlineData(RepeatMode.Block)]
    public void SeveralThreadsGiveTheSameResultAsOne(RepeatMode mode)
    {
        using var scope = NewDisposeScope();
        var threads = get_num_threads();
        try
        {
            var (h, w, a, upstream) = Inputs(256, 64, 32, 16, 8);
            set_num_threads(1);
            var one = Run((x, y, z) => FusedDwm.Apply(x, y, z, mode), h, w, a, upstream);
            set_num_threads(4);
            var four = Run((x, y, z) => FusedDwm.Apply(x, y, z, mode), h, w, a, upstream);
            for (var i = 0; i < one.Length; i++)
                Assert.True(ModelTestData.MaxAbsDiff(one[i], four[i]) < 1e-4, $"tensor {i} differs by {ModelTestData.MaxAbsDiff(one[i], four[i])}");
        }
        finally { set_num_threads(threads); }
    }

    [Theory]
    [InlineData(4)]      // the general backward
    [InlineData(8)]      // the tiled backward (the vector width divides d_c)
    public void InputsWithoutGradientGetNone_AndNoGradModeOnlyComputesTheValue(int dc)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var h = randn([20, 12]);                         // no gradient wanted
        var w = randn([12, 8]).requires_grad_();
        var a = rand([20, 4, dc]);
        var y = FusedDwm.Apply(h, w, a, RepeatMode.Tile);
        y.sum().backward();
        Assert.Null(h.grad);
        Assert.Null(a.grad);
        Assert.True(w.grad is not null);
        using (no_grad())
        {
            var value = FusedDwm.Apply(h, w, a, RepeatMode.Tile);
            Assert.False(value.requires_grad);
            Assert.True(ModelTestData.MaxAbsDiff(value, Reference(h, w, a, RepeatMode.Tile)) < 1e-4);
        }
        // dW[i, j] = sum_b h[b, i] A[b, r(i), c(j)] for an all-ones upstream gradient
        var dw = einsum("bi,bij->ij", h, Repeat.Psi(a, 12, 8, RepeatMode.Tile));
        Assert.True(ModelTestData.MaxAbsDiff(w.grad!, dw) < 1e-4);
    }

    [Fact]
    public void UnsupportedInputsFailClearly_AndTheLayerFallsBackToTorchOps()
    {
        using var scope = NewDisposeScope();
        var h = randn([4, 12], ScalarType.Float64);
        var w = randn([12, 8], ScalarType.Float64);
        var a = rand([4, 4, 4], ScalarType.Float64);
        Assert.False(FusedDwm.Supports(h, w, a));
        var error = Assert.Throws<ArgumentException>(() => FusedDwm.Apply(h, w, a, RepeatMode.Tile));
        Assert.Contains("float32", error.Message);
        Assert.False(FusedDwm.Supports(randn([4, 12]), randn([12, 8]), rand([4, 5, 4])));   // d_r does not divide d_m

        // A float64 layer still runs (the torch path), with the same values as the float32 fused layer.
        var layer = new WeightingMatrix(new LayerGeometry(1, 12, 8, 4, 4, 2), 3, new DpgConfig { Variant = DwmVariant.R, GeneratorOutputInitScale = 1.0 });
        var x = randn([4, 12]);
        var e = randn([4, 3]);
        var single = layer.forward(x, e);
        layer.to(ScalarType.Float64);
        var dbl = layer.forward(x.to(ScalarType.Float64), e.to(ScalarType.Float64));
        Assert.True(ModelTestData.MaxAbsDiff(single, dbl.to(ScalarType.Float32)) < 1e-4);
    }

    [Theory]
    [InlineData("dpg-r")]
    [InlineData("midpg-r")]
    public void AWholeTrainingStepHasTheSameGradientsWithAndWithoutTheKernel(string model)
    {
        using var scope = NewDisposeScope();
        var data = MiDpg.Research.Training.Benchmarks.ThroughputWorkload.Data(1000);
        var features = MiDpg.Research.Training.ModelData.Features(data);
        manual_seed(5);
        using var net = (DpgModel)ModelRegistry.Create(MiDpg.Research.Training.Benchmarks.ThroughputWorkload.Config(model), features);
        var batch = new MiDpg.Research.Data.BatchIterator(data, new MiDpg.Research.Data.BatchOptions { BatchSize = 256, Shuffle = false }).Epoch(0).First();
        var input = MiDpg.Research.Training.ModelData.Input(batch);
        var permutation = net.PrepareBatch(input);

        Dictionary<string, Tensor> Gradients(bool fused)
        {
            MiDpg.Research.Training.Benchmarks.ThroughputWorkload.UseFusedKernel(net, fused);
            net.zero_grad();
            net.Loss(input, batch.Label, permutation).Total.backward();
            return net.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.is_sparse ? p.parameter.grad!.to_dense() : p.parameter.grad!.clone());
        }

        var withKernel = Gradients(true);
        var torchOps = Gradients(false);
        Assert.Equal(torchOps.Keys.Order(), withKernel.Keys.Order());
        foreach (var (name, grad) in torchOps)
        {
            var scale = Math.Max(1e-3, grad.abs().max().item<float>());
            Assert.True(ModelTestData.MaxAbsDiff(withKernel[name], grad) < 1e-4 * scale, $"{name}: gradients differ by {ModelTestData.MaxAbsDiff(withKernel[name], grad)} (scale {scale})");
        }
    }

    [Theory]
    [InlineData(300, 40, 2, 32, false, true, 1.0)]    // R: generated S_R, shared C
    [InlineData(300, 40, 2, 32, true, false, 2.0)]    // C: shared R, generated S_C
    [InlineData(70, 5, 3, 13, false, false, 1.5)]     // RC, odd widths
    [InlineData(1, 4, 1, 8, false, true, 1.0)]        // one sample
    public void FusedCoreEqualsSigmoidOfTheProduct_ValuesAndGradients(int batch, int dr, int dk, int dc, bool leftShared, bool rightShared, double gate)
    {
        using var scope = NewDisposeScope();
        manual_seed(17);
        var left = randn([leftShared ? 1 : batch, dr, dk]).requires_grad_();
        var right = randn([rightShared ? 1 : batch, dk, dc]).requires_grad_();
        var upstream = randn([batch, dr, dc]);
        Tensor[] Run(Func<Tensor> core)
        {
            left.grad?.zero_();
            right.grad?.zero_();
            var a = core();
            (a * upstream).sum().backward();
            return [a.detach().clone(), left.grad!.clone(), right.grad!.clone()];
        }
        var fused = Run(() => FusedCore.Apply(left, right, gate));
        var torchOps = Run(() => matmul(left, right).sigmoid() * gate);
        string[] names = ["A", "dL", "dR"];
        for (var i = 0; i < fused.Length; i++)
            Assert.True(ModelTestData.MaxAbsDiff(fused[i], torchOps[i]) < 1e-5 * Math.Max(1.0, torchOps[i].abs().max().item<float>()),
                $"{names[i]} differs by {ModelTestData.MaxAbsDiff(fused[i], torchOps[i])}");
    }
}
