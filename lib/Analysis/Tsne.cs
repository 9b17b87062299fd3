using System.Diagnostics;
using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>
/// t-distributed Stochastic Neighbour Embedding into 2-D.
/// <para>van der Maaten &amp; Hinton (2008), "Visualizing Data using t-SNE", JMLR 9; van der Maaten (2014),
/// "Accelerating t-SNE using Tree-Based Algorithms", JMLR 15 (Barnes-Hut).</para>
/// <para>Objective KL(P ‖ Q) = Σ p_ij ln(p_ij / q_ij), with P = (P_cond + P_condᵀ)/(2N) from <see cref="PerplexityCalibration"/> and
/// q_ij = (1 + ‖y_i − y_j‖²)^−1 / Z, Z = Σ_{k≠l} (1 + ‖y_k − y_l‖²)^−1. Gradient
/// ∂C/∂y_i = 4 Σ_j (p_ij − q_ij)(y_i − y_j)(1 + ‖y_i − y_j‖²)^−1.</para>
/// <para>Optimisation as in the reference implementation (tsne.py / bhtsne): gradient descent with momentum
/// (0.5, then 0.8), per-coordinate gains (+0.2 where the gradient's sign differs from the last update's, ×0.8 otherwise,
/// floored at the minimum gain), early exaggeration of P, and re-centring of Y every iteration.</para>
/// <para>Exact: dense P and Q as tensors on the configured device (O(N²) per iteration). Barnes-Hut: sparse P over the
/// ⌊3·perplexity⌋ nearest neighbours for the attractive term and a quadtree (<see cref="BarnesHutTree"/>) for the
/// repulsive term, in plain arrays on the CPU (O(N log N) per iteration).</para>
/// <para>Deterministic for a seed: the only random step is the initialisation (seeded <see cref="Random"/>),
/// and the parallel loops write per-point results that are reduced in a fixed order.</para>
/// </summary>
public static class Tsne
{
    /// <summary>Embeds the rows of <paramref name="x"/> ([N, D]).</summary>
    public static TsneResult Fit(Tensor x, TsneConfig? config = null, IProgress<TsneProgress>? progress = null)
    {
        var cfg = (config ?? new TsneConfig()).Validate();
        if (cfg.TorchThreads is not int threads) return FitCore(x, cfg, progress);
        int previous = get_num_threads();
        set_num_threads(threads);
        try { return FitCore(x, cfg, progress); }
        finally { set_num_threads(previous); }
    }

    static TsneResult FitCore(Tensor x, TsneConfig cfg, IProgress<TsneProgress>? progress)
    {
        var device = cfg.ResolvedDevice;
        using var xd = PairwiseDistances.AsFloatMatrix(x, nameof(x), 4, device);
        int n = (int)xd.shape[0];
        cfg.ValidateFor(n);
        var method = cfg.ResolveMethod(n);
        double eta = cfg.ResolveLearningRate(n);

        var clock = Stopwatch.StartNew();
        var calibration = method == TsneMethod.Exact
            ? PerplexityCalibration.Exact(xd, cfg.Perplexity, cfg.PerplexityTolerance, cfg.PerplexityMaxSteps, device)
            : PerplexityCalibration.NearestNeighbours(xd, cfg.Perplexity, null, cfg.PerplexityTolerance, cfg.PerplexityMaxSteps, device);
        var joint = calibration.Conditional.Symmetrise();
        var y0 = Initialise(xd, cfg);
        var affinityTime = clock.Elapsed;

        clock.Restart();
        var history = new List<TsneProgress>();
        void Report(int iteration, double kl, bool exaggerated)
        {
            var p = new TsneProgress(iteration, kl, exaggerated);
            history.Add(p);
            progress?.Report(p);
        }
        var y = method == TsneMethod.Exact
            ? OptimiseExact(joint, y0, cfg, eta, device, Report)
            : OptimiseBarnesHut(joint, y0, cfg, eta, Report);
        var embedding = new float[n, 2];
        for (int i = 0; i < n; i++) { embedding[i, 0] = (float)y[2 * i]; embedding[i, 1] = (float)y[2 * i + 1]; }
        return new TsneResult(embedding, history, method, eta, calibration, affinityTime, clock.Elapsed);
    }

    /// <summary>Embeds the rows of <paramref name="x"/> ([N, D]).</summary>
    public static TsneResult Fit(float[,] x, TsneConfig? config = null, IProgress<TsneProgress>? progress = null)
    {
        using var t = tensor(x);
        return Fit(t, config, progress);
    }

    static bool ShouldReport(int iteration, TsneConfig cfg) =>
        (iteration + 1) % cfg.ReportEvery == 0 || iteration == cfg.Iterations - 1;

    /// <summary>Initial Y, interleaved [x0, y0, x1, y1, …]: N(0, 1e-4²) from a seeded generator, or PCA scaled to std 1e-4.</summary>
    static double[] Initialise(Tensor xd, TsneConfig cfg)
    {
        int n = (int)xd.shape[0];
        var y = new double[2 * n];
        if (cfg.Init == TsneInit.Random || xd.shape[1] < 2)
        {
            var rng = new Random(cfg.Seed);
            for (int k = 0; k < y.Length; k++)
            {
                // Box–Muller: deterministic across platforms for a given System.Random seed.
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                y[k] = 1e-4 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            }
            return y;
        }
        using var scope = NewDisposeScope();
        var pcs = PrincipalComponents(xd.to(ScalarType.Float64), 2);
        var scaled = (pcs / pcs[.., 0].std() * 1e-4).cpu().contiguous();
        scaled.data<double>().CopyTo(y, 0);
        return y;
    }

    /// <summary>Projection of centred <paramref name="x"/> on its top <paramref name="k"/> principal axes, with each axis' sign fixed (largest |loading| positive).</summary>
    internal static Tensor PrincipalComponents(Tensor x, int k)
    {
        using var scope = NewDisposeScope();
        var xc = x - x.mean(new long[] { 0 }, keepdim: true);
        long n = xc.shape[0], d = xc.shape[1];
        Tensor scores;
        if (d <= n)
        {
            var (_, vecs) = linalg.eigh(xc.t().mm(xc));          // ascending eigenvalues
            var axes = vecs[.., TensorIndex.Slice(d - k, d)].flip(1); // [D, k], largest first
            var pivot = axes.abs().argmax(0, keepdim: true);
            axes = axes * axes.gather(0, pivot).sign();
            scores = xc.mm(axes);
        }
        else
        {
            var (vals, vecs) = linalg.eigh(xc.mm(xc.t()));
            var u = vecs[.., TensorIndex.Slice(n - k, n)].flip(1);   // [N, k]
            var pivot = u.abs().argmax(0, keepdim: true);
            u = u * u.gather(0, pivot).sign();
            scores = u * vals[TensorIndex.Slice(n - k, n)].flip(0).clamp_min(0).sqrt();
        }
        return scores.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Exact t-SNE gradient ∂C/∂y_i = 4 Σ_j (α p_ij − q_ij)(y_i − y_j)(1 + ‖y_i − y_j‖²)^−1 for dense P [N, N] and Y [N, 2]
    /// (α = <paramref name="exaggeration"/>); also returns Q (clamped at 1e-12, zero-distance diagonal excluded from Z).
    /// </summary>
    public static Tensor ExactGradient(Tensor p, Tensor y, double exaggeration, out Tensor q)
    {
        using var work = new ExactWorkspace(p);
        var grad = ExactGradient(p, y, exaggeration, work);
        q = work.Q.clone();
        return grad;
    }

    /// <summary>
    /// N × N buffers reused across iterations: allocating fresh N × N temporaries every step costs more than the arithmetic
    /// (large blocks go back to the OS and are page-faulted in again), so the loop updates these in place.
    /// </summary>
    sealed class ExactWorkspace : IDisposable
    {
        public readonly Tensor Num, Q, PQ;
        public ExactWorkspace(Tensor p) { Num = empty_like(p); Q = empty_like(p); PQ = empty_like(p); }
        public void Dispose() { Num.Dispose(); Q.Dispose(); PQ.Dispose(); }
    }

    static Tensor ExactGradient(Tensor p, Tensor y, double exaggeration, ExactWorkspace w)
    {
        using var scope = NewDisposeScope();
        long n = y.shape[0];
        var sumY = y.pow(2).sum(1, keepdim: true);
        var num = w.Num.copy_(sumY.expand(n, n)).add_(sumY.t());
        num.addmm_(y, y.t(), beta: 1, alpha: -2).add_(1).reciprocal_();   // (1 + ‖y_i − y_j‖²)^−1
        num.diagonal().zero_();
        var q = w.Q.copy_(num).div_(num.sum()).clamp_min_(1e-12);
        var pq = w.PQ.copy_(p).mul_(exaggeration).sub_(q).mul_(num);
        var grad = 4 * (pq.sum(1, keepdim: true) * y - pq.mm(y));
        return grad.MoveToOuterDisposeScope();
    }

    static double[] OptimiseExact(SparseAffinities joint, double[] y0, TsneConfig cfg, double eta, Device device, Action<int, double, bool> report)
    {
        int n = joint.N;
        using var outer = NewDisposeScope();
        var p = tensor(joint.ToDense(), new long[] { n, n }, ScalarType.Float64, device).clamp_min_(1e-12);
        var pLogP = (p * p.log()).sum().item<double>();
        using var work = new ExactWorkspace(p);
        var y = tensor(y0, new long[] { n, 2 }, ScalarType.Float64, device);
        var update = zeros_like(y);
        var gains = ones_like(y);
        for (int it = 0; it < cfg.Iterations; it++)
        {
            using var scope = NewDisposeScope();
            bool exaggerated = it < cfg.ExaggerationIterations;
            double alpha = exaggerated ? cfg.EarlyExaggeration : 1.0;
            double momentum = exaggerated ? cfg.InitialMomentum : cfg.FinalMomentum;

            var grad = ExactGradient(p, y, alpha, work);
            // KL(P ‖ Q) = Σ p ln p − Σ p ln q, before Q is overwritten by the next step.
            if (ShouldReport(it, cfg))
                report(it + 1, pLogP - work.PQ.copy_(work.Q).log_().mul_(p).sum().item<double>(), exaggerated);

            var signDiffers = (grad > 0).ne(update > 0);
            gains.copy_(where(signDiffers, gains + 0.2, gains * 0.8).clamp_min_(cfg.MinGain));
            update.mul_(momentum).sub_(eta * gains * grad);
            y.add_(update);
            y.sub_(y.mean(new long[] { 0 }, keepdim: true));
        }
        return y.cpu().contiguous().data<double>().ToArray();
    }

    /// <summary>
    /// Barnes-Hut t-SNE gradient (van der Maaten 2014, eq. 4–5) for sparse P and Y interleaved [x0, y0, x1, y1, …]:
    /// ∂C/∂y_i = 4 (α Σ_j p_ij q̃_ij (y_i − y_j) − (1/Z) Σ_j q̃_ij² (y_i − y_j)), the second sum and Z = Σ q̃ from the quadtree.
    /// Writes <paramref name="gradient"/> (length 2N) and returns Z. Deterministic: per-point work in parallel, Z summed in order.
    /// </summary>
    public static double BarnesHutGradient(SparseAffinities p, double[] y, double theta, double exaggeration, double[] gradient, BarnesHutTree? tree = null)
    {
        int n = p.N;
        if (y.Length != 2 * n || gradient.Length != 2 * n) throw new ArgumentException($"y and gradient must have length 2N = {2 * n}.");
        tree ??= new BarnesHutTree();
        tree.Build(y, n);
        var order = tree.Order.ToArray();
        var sumQ = new double[n];
        var repulsive = new double[2 * n];
        Parallel.For(0, n, t =>
        {
            int i = order[t]; // tree order: neighbouring iterations walk nearby cells
            tree.Repulsion(i, theta, out var rx, out var ry, out var sq);
            sumQ[i] = sq;
            // Attractive term Σ_j p_ij q̃_ij (y_i − y_j) over the sparse neighbours.
            double ax = 0, ay = 0, xi = y[2 * i], yi = y[2 * i + 1];
            for (int e = p.RowPtr[i]; e < p.RowPtr[i + 1]; e++)
            {
                int j = p.Columns[e];
                double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                double w = p.Values[e] / (1 + dx * dx + dy * dy);
                ax += w * dx; ay += w * dy;
            }
            gradient[2 * i] = exaggeration * ax; gradient[2 * i + 1] = exaggeration * ay;
            repulsive[2 * i] = rx; repulsive[2 * i + 1] = ry;
        });
        double z = 0;
        for (int i = 0; i < n; i++) z += sumQ[i];
        for (int k = 0; k < 2 * n; k++) gradient[k] = 4 * (gradient[k] - repulsive[k] / z);
        return z;
    }

    static double[] OptimiseBarnesHut(SparseAffinities p, double[] y0, TsneConfig cfg, double eta, Action<int, double, bool> report)
    {
        int n = p.N;
        var y = (double[])y0.Clone();
        var update = new double[2 * n];
        var gains = new double[2 * n];
        Array.Fill(gains, 1.0);
        var grad = new double[2 * n];
        var tree = new BarnesHutTree();
        for (int it = 0; it < cfg.Iterations; it++)
        {
            bool exaggerated = it < cfg.ExaggerationIterations;
            double alpha = exaggerated ? cfg.EarlyExaggeration : 1.0;
            double momentum = exaggerated ? cfg.InitialMomentum : cfg.FinalMomentum;

            double z = BarnesHutGradient(p, y, cfg.Theta, alpha, grad, tree);
            if (ShouldReport(it, cfg)) report(it + 1, KlBarnesHut(p, y, z), exaggerated);

            double meanX = 0, meanY = 0;
            for (int k = 0; k < 2 * n; k++)
            {
                double g = (grad[k] > 0) != (update[k] > 0) ? gains[k] + 0.2 : gains[k] * 0.8;
                gains[k] = Math.Max(g, cfg.MinGain);
                update[k] = momentum * update[k] - eta * gains[k] * grad[k];
                y[k] += update[k];
                if ((k & 1) == 0) meanX += y[k]; else meanY += y[k];
            }
            meanX /= n; meanY /= n;
            for (int i = 0; i < n; i++) { y[2 * i] -= meanX; y[2 * i + 1] -= meanY; }
        }
        return y;
    }

    /// <summary>KL(P ‖ Q) over the sparse P, with q_ij = q̃_ij / Z and Z estimated by the tree (as in bhtsne's evaluateError).</summary>
    static double KlBarnesHut(SparseAffinities p, double[] y, double z)
    {
        double kl = 0;
        for (int i = 0; i < p.N; i++)
            for (int e = p.RowPtr[i]; e < p.RowPtr[i + 1]; e++)
            {
                int j = p.Columns[e];
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                double q = Math.Max(1.0 / (1 + dx * dx + dy * dy) / z, 1e-300);
                double pij = p.Values[e];
                if (pij > 0) kl += pij * Math.Log(pij / q);
            }
        return kl;
    }
}
