using MiDpg.Research.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

/// <summary>The fused MIR head against the regulariser's torch ops: the loss and the gradients of every discriminator
/// parameter, of e_aw and of the cores, for a whole batch (permutation) and for a shard (given negative e_aw).</summary>
public class FusedMirHeadTests
{
    static (MutualInformationRegularizer Mir, Tensor EAw, Tensor NegativeAw, Tensor[] Cores, Tensor Permutation) Problem()
    {
        manual_seed(21);
        var mir = new MutualInformationRegularizer(6, [12, 20], 9);
        const int batch = 37;
        var eAw = randn([batch, 6]).requires_grad_();
        var cores = new[] { rand([batch, 3, 4]).requires_grad_(), rand([batch, 4, 5]).requires_grad_() };
        return (mir, eAw, randn([batch, 6]).requires_grad_(), cores, randperm(batch));
    }

    static Tensor[] Gradients(MutualInformationRegularizer mir, Tensor loss, IEnumerable<Tensor> inputs) =>
        autograd.grad([loss], [.. mir.parameters(), .. inputs], allow_unused: true).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FusedHeadEqualsTorchOps_LossAndGradients(bool shard)
    {
        using var scope = NewDisposeScope();
        var (mir, eAw, negativeAw, cores, permutation) = Problem();
        (Tensor Loss, Tensor[] Grads) Run(bool fused)
        {
            mir.UseFusedKernel = fused;
            var result = shard ? mir.ComputeWithNegatives(eAw, negativeAw, cores, permutation) : mir.Compute(eAw, cores, permutation);
            Tensor[] inputs = shard ? [eAw, negativeAw, .. cores] : [eAw, .. cores];
            return (result.Loss, Gradients(mir, result.Loss, inputs));
        }
        var (fusedLoss, fusedGrads) = Run(true);
        var (torchLoss, torchGrads) = Run(false);
        Assert.Equal(torchLoss.item<float>(), fusedLoss.item<float>(), 5);
        Assert.Equal(torchGrads.Length, fusedGrads.Length);
        for (var i = 0; i < torchGrads.Length; i++)
            Assert.True(ModelTestData.MaxAbsDiff(fusedGrads[i], torchGrads[i]) < 1e-5, $"gradient {i} differs by {ModelTestData.MaxAbsDiff(fusedGrads[i], torchGrads[i])}");
        Assert.All(fusedGrads, g => Assert.True(g.abs().sum().item<float>() > 0));
    }

    [Fact]
    public void SoftplusIsStableForLargeLogits()
    {
        using var scope = NewDisposeScope();
        var fromS = full([2, 3], 40f).requires_grad_();
        var e = zeros([2, 3]);
        var w2 = ones([1, 3]).requires_grad_();
        var b2 = zeros([1]).requires_grad_();
        // T+ = T- = 120: softplus(-120) ~ 0, softplus(120) = 120 exactly in float32.
        var loss = FusedMirHead.Loss(fromS, e, e, w2, b2);
        Assert.Equal(120f, loss.item<float>(), 3);
        loss.backward();
        Assert.True(float.IsFinite(fromS.grad!.sum().item<float>()));
    }
}
