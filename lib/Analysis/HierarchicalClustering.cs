// Agglomerative clustering with average linkage (UPGMA; Sokal & Michener 1958), used to order the
// rows and columns of a similarity heatmap so that similar scenarios sit next to each other.
// The naive O(S³) algorithm: start from singletons; repeatedly merge the closest pair of clusters
// (ties broken by the lowest cluster ids); the distance of the merged cluster u = i ∪ j to any k is
//   d(u, k) = (|i| d(i, k) + |j| d(j, k)) / (|i| + |j|)   (the mean of the pairwise distances).
// The leaf order is the left-to-right order of the leaves of the dendrogram.
namespace MiDpg.Research.Analysis;

/// <summary>One merge, with SciPy's id convention: leaves are 0..S−1, the cluster made by merge m is S + m.</summary>
public sealed record ClusterMerge(int Left, int Right, double Distance, int Size);

/// <summary>The dendrogram: merges in order, and the leaves in dendrogram order.</summary>
public sealed record Dendrogram(IReadOnlyList<ClusterMerge> Merges, int[] LeafOrder);

public static class HierarchicalClustering
{
    /// <summary>Average-linkage clustering of a symmetric distance matrix (the diagonal is ignored).</summary>
    public static Dendrogram AverageLinkage(double[,] distance)
    {
        ArgumentNullException.ThrowIfNull(distance);
        var n = distance.GetLength(0);
        if (distance.GetLength(1) != n) throw new ArgumentException($"distance must be square; got {n} x {distance.GetLength(1)}");
        if (n == 0) return new Dendrogram([], []);
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                if (double.IsNaN(distance[i, j])) throw new ArgumentException($"distance[{i}, {j}] is NaN");

        // Working copy over cluster slots; slot i holds cluster id ids[i] while active[i].
        var d = (double[,])distance.Clone();
        var ids = Enumerable.Range(0, n).ToArray();
        var sizes = Enumerable.Repeat(1, n).ToArray();
        var active = Enumerable.Repeat(true, n).ToArray();
        var children = new List<(int Left, int Right)>();
        var merges = new List<ClusterMerge>(n - 1);
        for (var m = 0; m < n - 1; m++)
        {
            int bi = -1, bj = -1;
            var best = double.PositiveInfinity;
            for (var i = 0; i < n; i++)
            {
                if (!active[i]) continue;
                for (var j = i + 1; j < n; j++)
                {
                    if (!active[j]) continue;
                    var dij = 0.5 * (d[i, j] + d[j, i]);
                    if (dij < best || (bi < 0)) { best = dij; bi = i; bj = j; }
                }
            }
            var (left, right) = ids[bi] < ids[bj] ? (ids[bi], ids[bj]) : (ids[bj], ids[bi]);
            var size = sizes[bi] + sizes[bj];
            merges.Add(new ClusterMerge(left, right, best, size));
            children.Add((left, right));
            for (var k = 0; k < n; k++)
            {
                if (!active[k] || k == bi || k == bj) continue;
                var dk = (sizes[bi] * 0.5 * (d[bi, k] + d[k, bi]) + sizes[bj] * 0.5 * (d[bj, k] + d[k, bj])) / size;
                d[bi, k] = d[k, bi] = dk;
            }
            active[bj] = false;
            sizes[bi] = size;
            ids[bi] = n + m;
        }

        var order = new List<int>(n);
        var stack = new Stack<int>();
        stack.Push(n == 1 ? 0 : 2 * n - 2);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (id < n) { order.Add(id); continue; }
            var (l, r) = children[id - n];
            stack.Push(r);
            stack.Push(l);
        }
        return new Dendrogram(merges, order.ToArray());
    }

    /// <summary>Average-linkage clustering on the distance 1 − similarity.</summary>
    public static Dendrogram FromSimilarity(double[,] similarity)
    {
        var n = similarity.GetLength(0);
        var d = new double[n, similarity.GetLength(1)];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < d.GetLength(1); j++) d[i, j] = i == j ? 0 : 1 - similarity[i, j];
        return AverageLinkage(d);
    }
}
