using MiDpg.Research.Models;
using MiDpg.Research.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Training;

public class LazyAdamTests
{
    /// <summary>A table of 6 rows and a dense weight; one step's loss uses the given rows of the table.</summary>
    /// <remarks>Own generators, not the global one: other test classes run in parallel and reseed it.</remarks>
    static (Embedding Table, Parameter Dense) Problem(bool sparse)
    {
        var generator = new Generator(17);
        var table = nn.Embedding(6, 3, sparse: sparse);
        using (no_grad()) table.weight!.copy_(randn([6, 3], generator: generator));
        var dense = new Parameter(randn([3, 2], generator: generator));
        return (table, dense);
    }

    static void Backward(Embedding table, Parameter dense, long[] rows, int step)
    {
        var target = randn([rows.Length, 2], generator: new Generator((ulong)(100 + step)));
        var e = table.call(tensor(rows));
        (e.matmul(dense) - target).pow(2).sum().backward();
    }

    static Parameter[] Parameters(Embedding table, Parameter dense) => [table.weight!, dense];

    /// <summary>When every row of the table is used in every step, lazy Adam is torch.optim.Adam, with or without weight decay.</summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void EqualsDenseAdamWhenEveryRowIsTouched(double weightDecay)
    {
        using var scope = NewDisposeScope();
        var (lazyTable, lazyDense) = Problem(sparse: true);
        var (refTable, refDense) = Problem(sparse: false);
        using var lazy = new LazyAdam(Parameters(lazyTable, lazyDense), 0.05, weightDecay: weightDecay);
        using var reference = optim.Adam(Parameters(refTable, refDense), 0.05, weight_decay: weightDecay);
        long[] rows = [0, 1, 2, 3, 4, 5, 2, 2];   // every row, some twice (duplicates are summed)
        for (var step = 0; step < 5; step++)
        {
            lazy.zero_grad();
            reference.zero_grad();
            Backward(lazyTable, lazyDense, rows, step);
            Backward(refTable, refDense, rows, step);
            lazy.step();
            reference.step();
        }
        Assert.True(lazyTable.weight!.allclose(refTable.weight!, rtol: 1e-5, atol: 1e-6), $"table differs by {(lazyTable.weight! - refTable.weight!).abs().max().item<float>()}");
        Assert.True(lazyDense.allclose(refDense, rtol: 1e-5, atol: 1e-6), $"dense weight differs by {(lazyDense - refDense).abs().max().item<float>()}");
    }

    /// <summary>Updating the dense and the sparse parameters side by side on two threads (data-parallel training) gives
    /// exactly the sequential step.</summary>
    [Fact]
    public void ConcurrentDenseAndSparseUpdatesEqualTheSequentialStep()
    {
        using var scope = NewDisposeScope();
        var (seqTable, seqDense) = Problem(sparse: true);
        var (parTable, parDense) = Problem(sparse: true);
        using var sequential = new LazyAdam(Parameters(seqTable, seqDense), 0.05);
        using var concurrent = new LazyAdam(Parameters(parTable, parDense), 0.05);
        using var threads = new DataParallelStep(2);
        for (var step = 0; step < 4; step++)
        {
            long[] rows = step % 2 == 0 ? [0, 1, 1, 4] : [2, 3, 5];
            sequential.zero_grad();
            concurrent.zero_grad();
            Backward(seqTable, seqDense, rows, step);
            Backward(parTable, parDense, rows, step);
            sequential.step();
            concurrent.step(threads.RunConcurrently);
        }
        Assert.True(parTable.weight!.eq(seqTable.weight!).all().item<bool>());
        Assert.True(parDense.eq(seqDense).all().item<bool>());
    }

    /// <summary>Rows a step does not use keep their values and their moments (no decay), unlike dense Adam.</summary>
    [Fact]
    public void UntouchedRowsAndTheirMomentsStayUnchanged()
    {
        using var scope = NewDisposeScope();
        var (table, dense) = Problem(sparse: true);
        using var lazy = new LazyAdam(Parameters(table, dense), 0.05);
        Backward(table, dense, [0, 1, 2, 3, 4, 5], 0);   // first step: every row gets a moment
        lazy.step();
        var before = table.weight!.detach().clone();
        lazy.zero_grad();
        Backward(table, dense, [1, 4, 4], 1);             // second step: rows 1 and 4 only
        lazy.step();
        var after = table.weight!.detach();
        foreach (var row in new long[] { 0, 2, 3, 5 }) Assert.True(after[row].allclose(before[row], 0, 0), $"untouched row {row} moved");
        foreach (var row in new long[] { 1, 4 }) Assert.False(after[row].allclose(before[row], 0, 0), $"touched row {row} did not move");

        // Dense Adam (also available as AdamUpdate.Dense) moves the untouched rows by their decaying momentum.
        var (denseTable, denseWeight) = Problem(sparse: true);
        using var denseAdam = new LazyAdam(Parameters(denseTable, denseWeight), 0.05, sparseUpdate: AdamUpdate.Dense);
        Backward(denseTable, denseWeight, [0, 1, 2, 3, 4, 5], 0);
        denseAdam.step();
        var denseBefore = denseTable.weight!.detach().clone();
        denseAdam.zero_grad();
        Backward(denseTable, denseWeight, [1, 4, 4], 1);
        denseAdam.step();
        Assert.False(denseTable.weight!.detach()[0].allclose(denseBefore[0], 0, 0));
    }

    /// <summary>AdamUpdate.Dense on a sparse gradient is exactly torch.optim.Adam on the dense one, untouched rows included.</summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void DenseModeEqualsTorchAdam(double weightDecay)
    {
        using var scope = NewDisposeScope();
        var (table, weight) = Problem(sparse: true);
        var (refTable, refWeight) = Problem(sparse: false);
        using var adam = new LazyAdam(Parameters(table, weight), 0.05, weightDecay: weightDecay, sparseUpdate: AdamUpdate.Dense);
        using var reference = optim.Adam(Parameters(refTable, refWeight), 0.05, weight_decay: weightDecay);
        long[][] batches = [[0, 1, 2, 3, 4, 5], [1, 4, 4], [2], [5, 0]];
        for (var step = 0; step < batches.Length; step++)
        {
            adam.zero_grad();
            reference.zero_grad();
            Backward(table, weight, batches[step], step);
            Backward(refTable, refWeight, batches[step], step);
            adam.step();
            reference.step();
        }
        Assert.True(table.weight!.allclose(refTable.weight!, rtol: 1e-5, atol: 1e-6));
        Assert.True(weight.allclose(refWeight, rtol: 1e-5, atol: 1e-6));
    }

    /// <summary>Dense parameters are packed into one flat buffer at the first step; the module still owns the very same
    /// parameters, and the updates equal torch.optim.Adam's, also on a step where one parameter has no gradient.</summary>
    [Fact]
    public void PackedDenseParametersMatchTorchAdam()
    {
        using var scope = NewDisposeScope();
        Mlp Net()
        {
            var generator = new Generator(23);
            var net = new Mlp(5, [7, 6], 2);
            using (no_grad()) foreach (var p in net.parameters()) p.copy_(randn(p.shape, generator: generator) * 0.3);
            return net;
        }
        var ours = Net();
        var reference = Net();
        using var lazy = new LazyAdam(ours.parameters(), 0.03, weightDecay: 0.001);
        using var adam = optim.Adam(reference.parameters(), 0.03, weight_decay: 0.001);
        for (var step = 0; step < 6; step++)
        {
            var x = randn([9, 5], generator: new Generator((ulong)(40 + step)));
            foreach (var (net, opt) in new (Mlp, Action)[] { (ours, lazy.zero_grad), (reference, adam.zero_grad) })
            {
                opt();
                net.call(x).pow(2).mean().backward();
                if (step == 3) net.OutputLayer!.bias!.grad = null;     // a step without this parameter's gradient
            }
            lazy.step();
            adam.step();
        }
        var a = ours.named_parameters().ToArray();
        var b = reference.named_parameters().ToArray();
        for (var i = 0; i < a.Length; i++)
            Assert.True(a[i].parameter.allclose(b[i].parameter, rtol: 1e-5, atol: 1e-6), $"{a[i].name} differs by {(a[i].parameter - b[i].parameter).abs().max().item<float>()}");
        Assert.True(ours.state_dict()["output.weight"].allclose(a.Single(p => p.name == "output.weight").parameter, 0, 0));
    }

    [Fact]
    public void TrainerConfigRejectsAnUnknownEmbeddingUpdate()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainerConfig { EmbeddingUpdate = (AdamUpdate)7 }.Validated());
        Assert.Contains("EmbeddingUpdate", e.Message);
        Assert.Equal(AdamUpdate.Lazy, new TrainerConfig().EmbeddingUpdate);
    }

    [Fact]
    public void RejectsInvalidHyperParameters()
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(zeros(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LazyAdam([p], learningRate: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LazyAdam([p], beta1: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LazyAdam([p], weightDecay: -1));
    }
}
