namespace MiDpg.Research.Analysis;

/// <summary>
/// A 2-D quadtree over the embedding for the Barnes-Hut approximation of the t-SNE repulsive forces
/// (van der Maaten 2014, "Accelerating t-SNE using tree-based algorithms", §4.2; Barnes &amp; Hut 1986).
/// For point i, a cell of width w whose centre of mass is at distance d is treated as one body of its
/// point count when w / d &lt; θ (and the cell does not contain i); otherwise its children are visited.
/// Plain arrays and a stack walk: faster than tensors for this pointer-chasing work. Rebuilt every iteration.
/// </summary>
public sealed class BarnesHutTree
{
    const int MaxDepth = 48;

    // Node arrays (structure of arrays). Children of a non-leaf node are 4 consecutive nodes from FirstChild.
    double[] _cx = Array.Empty<double>(), _cy = Array.Empty<double>(), _half = Array.Empty<double>();
    double[] _comX = Array.Empty<double>(), _comY = Array.Empty<double>();
    int[] _count = Array.Empty<int>(), _start = Array.Empty<int>(), _firstChild = Array.Empty<int>();
    int _nodes;
    int[] _order = Array.Empty<int>(), _scratch = Array.Empty<int>();
    double[] _y = Array.Empty<double>();
    int _n;

    /// <summary>Number of nodes in the current tree.</summary>
    public int NodeCount => _nodes;

    /// <summary>Builds the tree over <paramref name="y"/>, interleaved [x0, y0, x1, y1, …] of <paramref name="n"/> points.</summary>
    public void Build(double[] y, int n)
    {
        if (y.Length < 2 * n) throw new ArgumentException($"y holds {y.Length / 2} points, fewer than n = {n}.", nameof(y));
        _y = y; _n = n; _nodes = 0;
        if (_order.Length < n) { _order = new int[n]; _scratch = new int[n]; }
        for (int i = 0; i < n; i++) _order[i] = i;
        Ensure(Math.Max(16, 4 * n));
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
        if (_nodes == _cx.Length) Ensure(_cx.Length * 2);
        int id = _nodes++;
        _cx[id] = cx; _cy[id] = cy; _half[id] = half; _start[id] = start; _count[id] = count; _firstChild[id] = -1;
        double sx = 0, sy = 0;
        for (int k = start; k < start + count; k++) { int p = _order[k]; sx += _y[2 * p]; sy += _y[2 * p + 1]; }
        _comX[id] = count > 0 ? sx / count : cx; _comY[id] = count > 0 ? sy / count : cy;
        return id;
    }

    void Subdivide(int node, int depth)
    {
        int count = _count[node];
        if (count <= 1 || depth >= MaxDepth) return;
        int start = _start[node];
        double cx = _cx[node], cy = _cy[node], h = _half[node] / 2;
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
        int first = _nodes;
        for (int q = 0; q < 4; q++)
            NewNode(cx + ((q & 1) == 1 ? h : -h), cy + ((q & 2) == 2 ? h : -h), h, offsets[q], sizes[q]);
        _firstChild[node] = first;
        for (int q = 0; q < 4; q++) Subdivide(first + q, depth + 1);
    }

    int Quadrant(int p, double cx, double cy) => (_y[2 * p] >= cx ? 1 : 0) + (_y[2 * p + 1] >= cy ? 2 : 0);

    void Ensure(int capacity)
    {
        if (_cx.Length >= capacity) return;
        Array.Resize(ref _cx, capacity); Array.Resize(ref _cy, capacity); Array.Resize(ref _half, capacity);
        Array.Resize(ref _comX, capacity); Array.Resize(ref _comY, capacity);
        Array.Resize(ref _count, capacity); Array.Resize(ref _start, capacity); Array.Resize(ref _firstChild, capacity);
    }

    /// <summary>
    /// Repulsive force on point <paramref name="i"/>: returns Σ_{j≠i} q̃_ij² (y_i − y_j) in (fx, fy) and adds
    /// Σ_{j≠i} q̃_ij to <paramref name="sumQ"/>, with q̃_ij = (1 + ‖y_i − y_j‖²)^−1 the unnormalised Student-t kernel.
    /// </summary>
    public void Repulsion(int i, double theta, out double fx, out double fy, out double sumQ)
    {
        double xi = _y[2 * i], yi = _y[2 * i + 1], theta2 = theta * theta;
        fx = 0; fy = 0; sumQ = 0;
        Span<int> stack = stackalloc int[4 * MaxDepth + 8];
        int top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            int node = stack[--top];
            int count = _count[node];
            if (count == 0) continue;
            if (_firstChild[node] < 0)
            {
                for (int k = _start[node]; k < _start[node] + count; k++)
                {
                    int j = _order[k];
                    if (j == i) continue;
                    double dx = xi - _y[2 * j], dy = yi - _y[2 * j + 1];
                    double q = 1.0 / (1.0 + dx * dx + dy * dy);
                    sumQ += q; fx += q * q * dx; fy += q * q * dy;
                }
                continue;
            }
            double h = _half[node];
            double cdx = xi - _comX[node], cdy = yi - _comY[node];
            double d2 = cdx * cdx + cdy * cdy;
            bool contains = Math.Abs(xi - _cx[node]) <= h && Math.Abs(yi - _cy[node]) <= h;
            double width = 2 * h;
            if (!contains && width * width < theta2 * d2)
            {
                double q = 1.0 / (1.0 + d2);
                sumQ += count * q; fx += count * q * q * cdx; fy += count * q * q * cdy;
            }
            else
            {
                int c = _firstChild[node];
                stack[top++] = c; stack[top++] = c + 1; stack[top++] = c + 2; stack[top++] = c + 3;
            }
        }
    }
}
