using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

public class MutualInformationRegularizerTests
{
    [Fact]
    public void LayerLossEqualsHandComputedValueForFixedLogits()
    {
        using var scope = NewDisposeScope();
        double[] pos = [0.0, 1.5, -2.0, 0.3];
        double[] neg = [0.5, -1.0, 3.0, 0.0];
        // -(log sigma(T+) + log(1 - sigma(T-))), averaged over the batch.
        static double Sigma(double x) => 1.0 / (1.0 + Math.Exp(-x));
        var expected = pos.Zip(neg, (p, n) => -(Math.Log(Sigma(p)) + Math.Log(1 - Sigma(n)))).Average();
        // by hand, per sample softplus(-T+) + softplus(T-):
        //   ln 2 + ln(1 + e^0.5) = 1.667224,  ln(1 + e^-1.5) + ln(1 + e^-1) = 0.514675,
        //   ln(1 + e^2) + ln(1 + e^3) = 5.175515,  ln(1 + e^-0.3) + ln 2 = 1.247502;  mean = 2.151229
        Assert.Equal(2.151229, expected, 5);
        var loss = MutualInformationRegularizer.LayerLoss(tensor(pos, dtype: ScalarType.Float32), tensor(neg, dtype: ScalarType.Float32));
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void LossIsTheMeanOverLayers()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        var mir = new MutualInformationRegularizer(4, [6, 2], 5);
        var eAw = randn([10, 4]);
        IReadOnlyList<Tensor> cores = [rand([10, 2, 3]), rand([10, 1, 2])];
        var perm = MutualInformationRegularizer.SamplePermutation(10, CPU);
        var result = mir.Compute(eAw, cores, perm);
        Assert.Equal(2, result.LayerLosses.Count);
        Assert.Equal((result.LayerLosses[0].item<float>() + result.LayerLosses[1].item<float>()) / 2, result.Loss.item<float>(), 5);
        var t0 = mir.Score(0, eAw, cores[0]);
        var t0Neg = mir.Score(0, eAw.index_select(0, perm), cores[0]);
        Assert.Equal(MutualInformationRegularizer.LayerLoss(t0, t0Neg).item<float>(), result.LayerLosses[0].item<float>(), 6);
    }

    /// <summary>The split first layer (W1_e e + W1_s s, negative pairs by permuting rows) gives the same logits and the
    /// same gradients as two full discriminator calls on [e, s] and [e[pi], s].</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void ScorePairsEqualsTwoFullScores(int projection)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var mir = new MutualInformationRegularizer(4, [12], 6, projection);
        var eAw = randn([9, 4]).requires_grad_();
        var core = rand([9, 3, 4]).requires_grad_();
        var perm = MutualInformationRegularizer.SamplePermutation(9, CPU);
        Tensor[] Gradients(Func<(Tensor, Tensor)> scores)
        {
            eAw.grad?.zero_();
            core.grad?.zero_();
            mir.zero_grad();
            var (positive, negative) = scores();
            MutualInformationRegularizer.LayerLoss(positive, negative).backward();
            return [positive.detach().clone(), negative.detach().clone(), eAw.grad!.clone(), core.grad!.clone(), .. mir.parameters().Select(p => p.grad!.clone())];
        }
        var split = Gradients(() => mir.ScorePairs(0, eAw, core, perm));
        var full = Gradients(() => (mir.Score(0, eAw, core), mir.Score(0, MutualInformationRegularizer.Shuffle(eAw, perm), core)));
        for (var i = 0; i < split.Length; i++)
            Assert.True(split[i].allclose(full[i], rtol: 1e-5, atol: 1e-6), $"tensor {i} differs by {(split[i] - full[i]).abs().max().item<float>()}");
    }

    [Fact]
    public void ShuffleIsAPermutationOfTheBatch()
    {
        using var scope = NewDisposeScope();
        for (var trial = 0; trial < 5; trial++)
        {
            const int batch = 37;
            var perm = MutualInformationRegularizer.SamplePermutation(batch, CPU);
            Assert.Equal(ScalarType.Int64, perm.dtype);
            Assert.Equal(Enumerable.Range(0, batch).Select(i => (long)i), perm.sort().Values.data<long>().ToArray());
            var eAw = arange(batch, dtype: ScalarType.Float32).unsqueeze(1) * ones([1, 3]);
            var shuffled = MutualInformationRegularizer.Shuffle(eAw, perm);
            Assert.Equal(perm.to_type(ScalarType.Float32).data<float>().ToArray(), shuffled.select(1, 0).data<float>().ToArray());
            Assert.Equal(eAw.sum().item<float>(), shuffled.sum().item<float>());
        }
    }

    [Fact]
    public void NonVariantCanProjectTheFullMatrix()
    {
        using var scope = NewDisposeScope();
        var mir = new MutualInformationRegularizer(3, [40], 4, projection: 5);
        var t = mir.Score(0, randn([6, 3]), rand([6, 8, 5]));
        Assert.Equal([6L], t.shape);
        Assert.Equal(40 * 5 + 5 + (3 + 5) * 4 + 4 + 4 + 1, mir.parameters().Sum(p => p.numel()));
    }
}
