// Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", 2015, algorithm 1) for models whose
// embedding tables produce sparse gradients (FieldEmbedding), with PyTorch's SparseAdam semantics for
// those tables ("lazy Adam") and torch.optim.Adam's for every dense gradient.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiDpg.Research.Training;

/// <summary>How <see cref="LazyAdam"/> treats a sparse (embedding-table) gradient.</summary>
public enum AdamUpdate
{
    /// <summary>Only the rows the batch used are updated, and only their moments move (SparseAdam).</summary>
    Lazy,
    /// <summary>Exactly torch.optim.Adam: the sparse gradient stands for a dense one with zero rows, so every
    /// row's moments decay and every row with non-zero moments moves, each step (cost O(table)).</summary>
    Dense,
}

/// <summary>
/// Adam with lazy updates of sparse gradients.
/// <para>Dense gradients (every parameter but the embedding tables) get exactly torch.optim.Adam's update
/// (no AMSGrad; t counts the steps in which the parameter had a gradient): with g = grad + weight_decay * p,
/// m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps).</para>
/// <para>A sparse COO gradient (rows R of a table used by the batch; duplicates are summed first) gets, with
/// <see cref="AdamUpdate.Lazy"/> (the default), the same update restricted to the rows in R. How this differs
/// from dense Adam: the moments of the rows not in R are neither decayed nor used, so an untouched row does
/// not move at all (dense Adam keeps moving it by its decaying momentum m); when a row comes back after k
/// idle steps its m and v are those of its last use, not b1^k m and b2^k v. Bias correction uses the
/// table's step count t (the steps in which the table had a gradient, i.e. every training step), as PyTorch's
/// SparseAdam does, not a per-row count. Weight decay (L2, added to the gradient) applies to the touched rows only. On a step where
/// every row of a table is touched, lazy and dense updates are identical. Cost per step O(|R| D) instead of
/// O(V D) for a table of V rows.</para>
/// <para><see cref="AdamUpdate.Dense"/> applies torch.optim.Adam to the densified gradient (for comparison
/// and for reproducing dense-Adam results).</para>
/// </summary>
public sealed class LazyAdam : IDisposable
{
    private readonly Parameter[] parameters;
    private readonly Tensor[] firstMoments;
    private readonly Tensor[] secondMoments;
    // The dense parameters packed at the first step (see Pack): their data and moments are views of these
    // flat tensors, so one step of them all is a handful of kernels instead of six per parameter.
    private bool[] packed = [];
    private int[] packedIndices = [];
    private Tensor[] packedGradients = [];
    private Tensor?[]? denseBuffers;   // AdamUpdate.Dense: one table-sized work buffer per sparse parameter
    // Per parameter: the steps in which it had a gradient (t of its bias correction, as torch.optim.Adam counts).
    private readonly long[] steps;
    private Tensor? flatParameters, flatFirstMoments, flatSecondMoments;

    public double LearningRate { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }
    public AdamUpdate SparseUpdate { get; }

    /// <summary>Calls of <see cref="step"/> so far.</summary>
    public long StepCount { get; private set; }

    public LazyAdam(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, AdamUpdate sparseUpdate = AdamUpdate.Lazy)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be a positive finite number");
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "must be in [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "must be in [0, 1)");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be positive");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "must be >= 0");
        this.parameters = parameters.Where(p => p.requires_grad).ToArray();
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        SparseUpdate = sparseUpdate;
        using var _ = no_grad();
        steps = new long[this.parameters.Length];
        firstMoments = this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        secondMoments = this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Drops every gradient (set to none, so a sparse gradient never accumulates across steps).</summary>
    public void zero_grad()
    {
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            p.grad = null;
            g.Dispose();
        }
    }

    /// <summary>One Adam step over every parameter that has a gradient.</summary>
    /// <param name="concurrently">If given (<see cref="DataParallelStep.RunConcurrently"/>), the dense parameters are
    /// updated on the calling thread while the embedding tables' sparse updates run on another (they touch disjoint
    /// tensors); the result is the same.</param>
    public void step(Action<Action, Action>? concurrently = null)
    {
        StepCount++;
        using var _ = no_grad();
        if (StepCount == 1) Pack();
        using var scope = NewDisposeScope();
        // The packed parameters are updated together when all of them have a dense gradient and the same step
        // count (the usual case); otherwise each one on its own (a parameter without a gradient is skipped and its
        // count does not advance, as in torch.optim.Adam).
        var together = flatParameters is not null;
        foreach (var i in packedIndices)
            together &= parameters[i].grad is { is_sparse: false } && steps[i] == steps[packedIndices[0]];
        var gradients = parameters.Select(p => p.grad).ToArray();
        void Dense()
        {
            if (together)
            {
                for (var k = 0; k < packedIndices.Length; k++)
                {
                    var i = packedIndices[k];
                    steps[i]++;
                    packedGradients[k] = gradients[i]!.reshape(-1);
                }
                DenseUpdate(flatParameters!, cat(packedGradients, 0), flatFirstMoments!, flatSecondMoments!, steps[packedIndices[0]]);
            }
            for (var i = 0; i < parameters.Length; i++)
            {
                if (together && packed[i] || gradients[i] is not { is_sparse: false } grad) continue;
                DenseUpdate(parameters[i], grad, firstMoments[i], secondMoments[i], ++steps[i]);
            }
        }
        void Sparse()
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                if (gradients[i] is not { is_sparse: true } grad) continue;
                var t = ++steps[i];
                if (SparseUpdate == AdamUpdate.Dense) DenseUpdateOfSparseGradient(i, grad, t);
                else RowUpdate(parameters[i], grad, firstMoments[i], secondMoments[i], t);
            }
        }
        if (concurrently is null || !gradients.Any(g => g is { is_sparse: true }))
        {
            Dense();
            Sparse();
        }
        else concurrently(Dense, Sparse);
    }

    /// <summary>
    /// Moves the parameters that have a dense gradient at the first step (same dtype and device, contiguous) into one
    /// flat buffer: each parameter's storage becomes a view of it (Tensor.set_, so modules and state dicts see the
    /// same tensors), and so do its moments. Moving the model to another device afterwards would undo the sharing;
    /// build the optimiser after <c>model.to(device)</c>, as for any optimiser.
    /// </summary>
    private void Pack()
    {
        packed = new bool[parameters.Length];
        var candidates = Enumerable.Range(0, parameters.Length)
            .Where(i => parameters[i].grad is { is_sparse: false } && parameters[i].is_contiguous()).ToArray();
        if (candidates.Length < 2) return;
        var first = parameters[candidates[0]];
        candidates = candidates.Where(i => parameters[i].dtype == first.dtype && parameters[i].device.type == first.device.type
            && parameters[i].device.index == first.device.index).ToArray();
        if (candidates.Length < 2) return;
        using (var scope = NewDisposeScope())
        {
            flatParameters = cat(candidates.Select(i => parameters[i].detach().reshape(-1)).ToArray(), 0).DetachFromDisposeScope();
        }
        flatFirstMoments = zeros_like(flatParameters).DetachFromDisposeScope();
        flatSecondMoments = zeros_like(flatParameters).DetachFromDisposeScope();
        long offset = 0;
        foreach (var i in candidates)
        {
            var p = parameters[i];
            var count = p.numel();
            var shape = p.shape;
            using (var view = flatParameters.narrow(0, offset, count).view(shape)) p.set_(view);
            firstMoments[i].Dispose();
            secondMoments[i].Dispose();
            firstMoments[i] = flatFirstMoments.narrow(0, offset, count).view(shape).DetachFromDisposeScope();
            secondMoments[i] = flatSecondMoments.narrow(0, offset, count).view(shape).DetachFromDisposeScope();
            packed[i] = true;
            offset += count;
        }
        packedIndices = candidates;
        packedGradients = new Tensor[candidates.Length];
    }

    private void DenseUpdate(Tensor p, Tensor grad, Tensor m, Tensor v, long t)
    {
        if (AdamKernel.Supports(p, grad, m, v))
        {
            AdamKernel.Step(p, grad, m, v, LearningRate, Beta1, Beta2, Epsilon, WeightDecay, t);
            return;
        }
        var (correction1, correction2) = (1 - Math.Pow(Beta1, t), 1 - Math.Pow(Beta2, t));
        var g = WeightDecay == 0 ? grad : grad.add(p, alpha: WeightDecay);
        m.mul_(Beta1).add_(g, alpha: 1 - Beta1);
        v.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
        var denominator = v.sqrt().div_(Math.Sqrt(correction2)).add_(Epsilon);
        p.addcdiv_(m, denominator, value: -LearningRate / correction1);
    }

    /// <summary>torch.optim.Adam on the densified sparse gradient, without allocating table-sized temporaries each step:
    /// the dense gradient is built in one buffer kept per table, then <see cref="AdamKernel"/> updates the table in one
    /// pass (float32 on the CPU; elsewhere torch ops, the buffer then also holding the denominator).</summary>
    private void DenseUpdateOfSparseGradient(int i, Tensor grad, long t)
    {
        var (p, m, v) = (parameters[i], firstMoments[i], secondMoments[i]);
        var (correction1, correction2) = (1 - Math.Pow(Beta1, t), 1 - Math.Pow(Beta2, t));
        denseBuffers ??= new Tensor?[parameters.Length];
        var buffer = denseBuffers[i] ??= zeros_like(p).DetachFromDisposeScope();
        var (rows, values) = Coalesce(grad);
        buffer.zero_();
        buffer.index_add_(0, rows, values, 1);                                   // the densified gradient
        if (AdamKernel.Supports(p, buffer, m, v))
        {
            AdamKernel.Step(p, buffer, m, v, LearningRate, Beta1, Beta2, Epsilon, WeightDecay, t);    // one pass over the table
            return;
        }
        if (WeightDecay != 0) buffer.add_(p, alpha: WeightDecay);               // g = grad + weight_decay * p
        m.mul_(Beta1).add_(buffer, alpha: 1 - Beta1);
        v.mul_(Beta2).addcmul_(buffer, buffer, value: 1 - Beta2);
        buffer.copy_(v).sqrt_().div_(Math.Sqrt(correction2)).add_(Epsilon);      // the denominator
        p.addcdiv_(m, buffer, value: -LearningRate / correction1);
    }

    /// <summary>The lazy update of the rows a sparse gradient touches.</summary>
    private void RowUpdate(Tensor p, Tensor grad, Tensor m, Tensor v, long t)
    {
        var (correction1, correction2) = (1 - Math.Pow(Beta1, t), 1 - Math.Pow(Beta2, t));
        var (rows, values) = Coalesce(grad);
        if (AdamKernel.SupportsRows(p, m, v, rows, values))
        {
            AdamKernel.RowStep(p, m, v, rows, values, LearningRate, Beta1, Beta2, Epsilon, WeightDecay, t);   // one pass over the rows
            return;
        }
        if (WeightDecay != 0) values.add_(p.index_select(0, rows), alpha: WeightDecay);
        var mRows = m.index_select(0, rows).mul_(Beta1).add_(values, alpha: 1 - Beta1);
        var vRows = v.index_select(0, rows).mul_(Beta2).addcmul_(values, values, value: 1 - Beta2);
        m.index_copy_(0, rows, mRows);
        v.index_copy_(0, rows, vRows);
        var denominator = vRows.sqrt_().div_(Math.Sqrt(correction2)).add_(Epsilon);
        p.index_add_(0, rows, mRows.div_(denominator), alpha: -LearningRate / correction1);
    }

    /// <summary>The distinct rows of a sparse COO gradient (first sparse dimension) and their summed values.</summary>
    public static (Tensor Rows, Tensor Values) Coalesce(Tensor sparseGradient)
    {
        var indices = sparseGradient.SparseIndices[0];                  // [nnz], may repeat
        var values = sparseGradient.SparseValues;                       // [nnz, ...]
        var (rows, inverse, _) = indices.unique(sorted: true, return_inverse: true);
        var shape = values.shape.ToArray();
        shape[0] = rows.shape[0];
        var summed = zeros(shape, dtype: values.dtype, device: values.device).index_add_(0, inverse, values, 1);
        return (rows, summed);
    }

    public void Dispose()
    {
        foreach (var t in firstMoments) t.Dispose();
        foreach (var t in secondMoments) t.Dispose();
        if (denseBuffers is not null) foreach (var t in denseBuffers) t?.Dispose();
        flatFirstMoments?.Dispose();
        flatSecondMoments?.Dispose();
        // flatParameters is the parameters' storage now: the views keep it alive; only this handle goes.
        flatParameters?.Dispose();
    }
}
