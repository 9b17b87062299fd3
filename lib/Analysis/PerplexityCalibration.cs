using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>
/// Per-point bandwidth calibration for t-SNE (van der Maaten &amp; Hinton 2008, §2): for each point i find β_i so that
/// p_{j|i} ∝ exp(−β_i ‖x_i − x_j‖²) has entropy H(P_i) = −Σ_j p_{j|i} ln p_{j|i} = ln(perplexity), i.e. 2^{H in bits} = perplexity.
/// Binary search on β as in the reference <c>x2p</c>: double/halve until bracketed, then bisect; stop when |H − ln u| &lt; tol.
/// </summary>
/// <remarks>
/// Distances are shifted by the row's smallest distance before exponentiation (leaves P unchanged, avoids underflow for
/// high-dimensional data), and the search starts at β = 1 / mean shifted distance instead of 1 (scale-free start).
/// Exact t-SNE uses all N − 1 other points; Barnes-Hut uses the k = ⌊3·perplexity⌋ nearest neighbours (van der Maaten 2014).
/// </remarks>
public static class PerplexityCalibration
{
    /// <summary>Conditional affinities over all other points (dense rows stored as CSR).</summary>
    public static ConditionalAffinities Exact(Tensor x, double perplexity, double tolerance = 1e-5, int maxSteps = 50, Device? device = null, int chunk = 1024)
    {
        var dev = device ?? CPU;
        using var xd = PairwiseDistances.AsFloat64Matrix(x, nameof(x), 2, dev);
        int n = (int)xd.shape[0];
        CheckPerplexity(perplexity, n - 1);
        var rowPtr = new int[n + 1];
        for (int i = 0; i <= n; i++) rowPtr[i] = i * (n - 1);
        var cols = new int[(long)n * (n - 1)];
        var dist = new double[(long)n * (n - 1)];
        var row = new double[n];
        foreach (var (s, e) in PairwiseDistances.Chunks(n, chunk))
        {
            using var scope = NewDisposeScope();
            var block = PairwiseDistances.Squared(xd[s..e], xd).cpu().contiguous();
            var flat = block.data<double>().ToArray();
            for (int i = s; i < e; i++)
            {
                int w = rowPtr[i];
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    cols[w] = j; dist[w++] = flat[(long)(i - s) * n + j];
                }
            }
        }
        return CalibrateRows(new SparseAffinities(n, rowPtr, cols, dist), perplexity, tolerance, maxSteps);
    }

    /// <summary>
    /// Conditional affinities over the <paramref name="neighbours"/> nearest neighbours of each point
    /// (default ⌊3·perplexity⌋, capped at N − 1), found exactly by chunked distance blocks and top-k.
    /// </summary>
    public static ConditionalAffinities NearestNeighbours(Tensor x, double perplexity, int? neighbours = null, double tolerance = 1e-5, int maxSteps = 50, Device? device = null, int chunk = 256)
    {
        var dev = device ?? CPU;
        // Search in the input precision (float32 unless given float64: matrix products several times faster),
        // then recompute the chosen neighbours' squared distances exactly in float64.
        using var xs = PairwiseDistances.AsFloatMatrix(x, nameof(x), 2, dev);
        using var xd = xs.to(ScalarType.Float64);
        int n = (int)xs.shape[0];
        long dim = xs.shape[1];
        int k = Math.Min(n - 1, neighbours ?? (int)Math.Floor(3 * perplexity));
        if (k < 1) throw new ArgumentException($"neighbours must be at least 1 (got {k}).", nameof(neighbours));
        CheckPerplexity(perplexity, k);
        var rowPtr = new int[n + 1];
        for (int i = 0; i <= n; i++) rowPtr[i] = i * k;
        var cols = new int[(long)n * k];
        var dist = new double[(long)n * k];
        foreach (var (s, e) in PairwiseDistances.Chunks(n, chunk))
        {
            using var scope = NewDisposeScope();
            var block = PairwiseDistances.Squared(xs[s..e], xs);
            var self = arange(s, e, dtype: ScalarType.Int64, device: dev).unsqueeze(1);
            block.scatter_(1, self, full(e - s, 1, float.PositiveInfinity, dtype: block.dtype, device: dev));
            var indices = block.topk(k, dim: 1, largest: false, sorted: true).indexes;
            var idx = indices.cpu().contiguous().data<long>().ToArray();
            for (int t = 0; t < idx.Length; t++) cols[(long)s * k + t] = (int)idx[t];
        }
        // Exact float64 squared distances of the chosen pairs (plain loops: cheaper than gathered tensors here).
        var data = xd.cpu().contiguous().data<double>().ToArray();
        Parallel.For(0, n, i =>
        {
            var xi = data.AsSpan(i * (int)dim, (int)dim);
            for (int t = i * k; t < (i + 1) * k; t++)
            {
                var xj = data.AsSpan(cols[t] * (int)dim, (int)dim);
                double sum = 0;
                for (int c = 0; c < xi.Length; c++) { double diff = xi[c] - xj[c]; sum += diff * diff; }
                dist[t] = sum;
            }
        });
        return CalibrateRows(new SparseAffinities(n, rowPtr, cols, dist), perplexity, tolerance, maxSteps);
    }

    /// <summary>Calibrates every row of a CSR matrix of squared distances (self excluded) into conditional affinities.</summary>
    public static ConditionalAffinities CalibrateRows(SparseAffinities squaredDistances, double perplexity, double tolerance = 1e-5, int maxSteps = 50)
    {
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "tolerance must be positive.");
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "maxSteps must be at least 1.");
        var d = squaredDistances;
        int n = d.N;
        var p = new double[d.Values.Length];
        var betas = new double[n];
        var entropies = new double[n];
        int unconverged = 0;
        Parallel.For(0, n, i =>
        {
            int s = d.RowPtr[i], len = d.RowPtr[i + 1] - s;
            var (beta, h, ok) = CalibrateRow(d.Values.AsSpan(s, len), p.AsSpan(s, len), perplexity, tolerance, maxSteps);
            betas[i] = beta; entropies[i] = h;
            if (!ok) Interlocked.Increment(ref unconverged);
        });
        return new ConditionalAffinities(new SparseAffinities(n, d.RowPtr, d.Columns, p), betas, entropies, perplexity, unconverged);
    }

    /// <summary>
    /// Binary search for one point: fills <paramref name="p"/> with p_j ∝ exp(−β d_j) (summing to 1) and returns β,
    /// the entropy H = ln Σ exp(−β d'_j) + β Σ d'_j p_j (nats, d' = d − min d) and whether |H − ln perplexity| &lt; tolerance.
    /// </summary>
    public static (double Beta, double Entropy, bool Converged) CalibrateRow(ReadOnlySpan<double> squaredDistances, Span<double> p, double perplexity, double tolerance, int maxSteps)
    {
        int m = squaredDistances.Length;
        if (p.Length != m) throw new ArgumentException("p must have the length of squaredDistances.", nameof(p));
        if (m == 0) return (double.NaN, 0, false);
        double min = double.PositiveInfinity, mean = 0;
        for (int j = 0; j < m; j++) min = Math.Min(min, squaredDistances[j]);
        for (int j = 0; j < m; j++) mean += squaredDistances[j] - min;
        mean /= m;
        double logU = Math.Log(perplexity);
        double beta = mean > 0 ? 1.0 / mean : 1.0, betaMin = double.NegativeInfinity, betaMax = double.PositiveInfinity;
        double h = 0;
        bool converged = false;
        for (int step = 0; step < maxSteps; step++)
        {
            h = Entropy(squaredDistances, p, min, beta);
            double diff = h - logU;
            if (Math.Abs(diff) < tolerance) { converged = true; break; }
            if (diff > 0)
            {
                betaMin = beta;
                beta = double.IsPositiveInfinity(betaMax) ? beta * 2 : (beta + betaMax) / 2;
            }
            else
            {
                betaMax = beta;
                beta = double.IsNegativeInfinity(betaMin) ? beta / 2 : (beta + betaMin) / 2;
            }
        }
        if (!converged) h = Entropy(squaredDistances, p, min, beta);
        return (beta, h, converged || Math.Abs(h - logU) < tolerance);
    }

    static double Entropy(ReadOnlySpan<double> d, Span<double> p, double min, double beta)
    {
        double sum = 0, weighted = 0;
        for (int j = 0; j < d.Length; j++)
        {
            double shifted = d[j] - min;
            double e = Math.Exp(-beta * shifted);
            p[j] = e; sum += e; weighted += shifted * e;
        }
        for (int j = 0; j < d.Length; j++) p[j] /= sum;
        return Math.Log(sum) + beta * weighted / sum;
    }

    static void CheckPerplexity(double perplexity, int candidates)
    {
        // The entropy over m candidates is at most ln m (uniform), so the target ln(perplexity) needs perplexity < m.
        if (!(perplexity > 0) || perplexity >= candidates)
            throw new ArgumentException($"perplexity = {perplexity} must be positive and smaller than the number of candidate neighbours ({candidates}).", nameof(perplexity));
    }
}
