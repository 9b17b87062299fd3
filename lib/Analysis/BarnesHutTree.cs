using System.Runtime.InteropServices;

namespace MiDpg.Research.Analysis;

/// <summary>
/// A 2-D quadtree over the embedding for the Barnes-Hut approximation of the t-SNE repulsive forces
/// (van der Maaten 2014, "Accelerating t-SNE using tree-based algorithms", §4.2; Barnes &amp; Hut 1986).
/// For point i, a cell of width w whose centre of mass is at distance d is treated as one body of its
/// point count when w / d &lt; θ (and the cell does not contain i); otherwise its children are visited.
/// Plain arrays of one-cache-line nodes and a stack walk: faster than tensors for this pointer-chasing work.
/// Rebuilt every iteration; <see cref="Order"/> lists the points in tree (Z-curve) order for cache-friendly loops.
/// </summary>
public sealed class BarnesHutTree
{
    const int MaxDepth = 48;

    [StructLayout(LayoutKind.Sequential)]
    struct Node
    {
        public double CenterX, CenterY, Half, ComX, ComY;
        public int Count, Start, FirstChild; // children of a non-leaf node are 4 consecutive nodes from FirstChild
    }

    Node[] _nodes = Array.Empty<Node>();
    int _nodeCount;
    int[] _order = Array.Empty<int>(), _scratch = Array.Empty<int>();
    double[] _y = Array.Empty<double>();

    /// <summary>Number of nodes in the current tree.</summary>
    public int NodeCount => _nodeCount;

    /// <summary>The points in the order the tree stores them (spatially coherent).</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>Builds the tree over <paramref name="y"/>, interleaved [x0, y0, x1, y1, …] of <paramref name="n"/> points.</summary>
    public void Build(double[] y, int n)
    {
        if (y.Length < 2 * n) throw new ArgumentException($"y holds {y.Length / 2} points, fewer than n = {n}.", nameof(y));
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be at least 1.");
        _y = y; _nodeCount = 0;
        if (_order.Length != n) { _order = new int[n]; _scratch = new int[n]; }
        for (int i = 0; i < n; i++) _order[i] = i;
        if (_nodes.Length < 4 * n + 16) _nodes = new Node[4 * n + 16];
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity, maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            minX = Math.Min(minX, y[2 * i]); maxX = Math.Max(maxX, y[2 * i]);
            minY = Math.Min(minY, y[2 * i + 1]); maxY = Math.Max(maxY, y[2 * i + 1]);
        }
        double half = Math.Max(maxX - minX, maxY - minY) / 2 * (1 + 1e-9) + 1e-12;
        int root = NewNode((minX + maxX) / 2, (minY + maxY) / 2, half, 0, n);
        Subdivide(root, 0);
    }

    int NewNode(double cx, double cy, double half, int start, int count)
    {
        if (_nodeCount == _nodes.Length) Array.Resize(ref _nodes, _nodes.Length * 2);
        int id = _nodeCount++;
        double sx = 0, sy = 0;
        for (int k = start; k < start + count; k++) { int p = _order[k]; sx += _y[2 * p]; sy += _y[2 * p + 1]; }
        _nodes[id] = new Node
        {
            CenterX = cx, CenterY = cy, Half = half, Start = start, Count = count, FirstChild = -1,
            ComX = count > 0 ? sx / count : cx, ComY = count > 0 ? sy / count : cy,
        };
        return id;
    }

    void Subdivide(int node, int depth)
    {
        int count = _nodes[node].Count;
        if (count <= 1 || depth >= MaxDepth) return;
        int start = _nodes[node].Start;
        double cx = _nodes[node].CenterX, cy = _nodes[node].CenterY, h = _nodes[node].Half / 2;
        // Counting sort of the node's points into quadrants: q = (x ≥ cx) + 2 (y ≥ cy).
        Span<int> sizes = stackalloc int[4];
        for (int k = start; k < start + count; k++) sizes[Quadrant(_order[k], cx, cy)]++;
        Span<int> offsets = stackalloc int[4];
        offsets[0] = start;
        for (int q = 1; q < 4; q++) offsets[q] = offsets[q - 1] + sizes[q - 1];
        Span<int> fill = stackalloc int[4];
        offsets.CopyTo(fill);
        for (int k = start; k < start + count; k++) { int p = _order[k]; _scratch[fill[Quadrant(p, cx, cy)]++] = p; }
        Array.Copy(_scratch, start, _order, start, count);
        int first = _nodeCount;
        for (int q = 0; q < 4; q++)
            NewNode(cx + ((q & 1) == 1 ? h : -h), cy + ((q & 2) == 2 ? h : -h), h, offsets[q], sizes[q]);
        _nodes[node].FirstChild = first;
        for (int q = 0; q < 4; q++) Subdivide(first + q, depth + 1);
    }

    int Quadrant(int p, double cx, double cy) => (_y[2 * p] >= cx ? 1 : 0) + (_y[2 * p + 1] >= cy ? 2 : 0);

    /// <summary>
    /// Repulsive force on point <paramref name="i"/>: returns Σ_{j≠i} q̃_ij² (y_i − y_j) in (fx, fy) and
    /// Σ_{j≠i} q̃_ij in <paramref name="sumQ"/>, with q̃_ij = (1 + ‖y_i − y_j‖²)^−1 the unnormalised Student-t kernel.
    /// θ = 0 visits every point (exact).
    /// </summary>
    public void Repulsion(int i, double theta, out double fx, out double fy, out double sumQ)
    {
        var nodes = _nodes;
        var y = _y;
        var order = _order;
        double xi = y[2 * i], yi = y[2 * i + 1], theta2 = theta * theta;
        double ax = 0, ay = 0, z = 0;
        Span<int> stack = stackalloc int[4 * MaxDepth + 8];
        int top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            ref readonly Node node = ref nodes[stack[--top]];
            int count = node.Count;
            if (count == 0) continue;
            if (node.FirstChild < 0)
            {
                for (int k = node.Start; k < node.Start + count; k++)
                {
                    int j = order[k];
                    if (j == i) continue;
                    double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                    double q = 1.0 / (1.0 + dx * dx + dy * dy);
                    z += q; ax += q * q * dx; ay += q * q * dy;
                }
                continue;
            }
            double h = node.Half;
            double cdx = xi - node.ComX, cdy = yi - node.ComY;
            double d2 = cdx * cdx + cdy * cdy;
            double width2 = 4 * h * h;
            if (width2 < theta2 * d2 && (Math.Abs(xi - node.CenterX) > h || Math.Abs(yi - node.CenterY) > h))
            {
                double q = 1.0 / (1.0 + d2);
                double cq = count * q;
                z += cq; ax += cq * q * cdx; ay += cq * q * cdy;
            }
            else
            {
                int c = node.FirstChild;
                stack[top++] = c; stack[top++] = c + 1; stack[top++] = c + 2; stack[top++] = c + 3;
            }
        }
        fx = ax; fy = ay; sumQ = z;
    }
}
