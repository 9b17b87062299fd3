namespace MiDpg.Research.Analysis;

/// <summary>
/// A sparse row-major (CSR) matrix of t-SNE affinities: row i holds columns <c>Columns[RowPtr[i]..RowPtr[i+1])</c>
/// with values <c>Values[...]</c>. Used for the conditional p_{j|i} (each row sums to 1) and for the symmetric joint
/// P = (P_cond + P_condᵀ)/(2N) (all entries sum to 1).
/// </summary>
public sealed record SparseAffinities(int N, int[] RowPtr, int[] Columns, double[] Values)
{
    /// <summary>Number of stored entries.</summary>
    public int Count => RowPtr[N];

    /// <summary>Dense row-major copy, N × N.</summary>
    public double[] ToDense()
    {
        var dense = new double[(long)N * N];
        for (int i = 0; i < N; i++)
            for (int e = RowPtr[i]; e < RowPtr[i + 1]; e++)
                dense[(long)i * N + Columns[e]] += Values[e];
        return dense;
    }

    /// <summary>
    /// Joint affinities P_ij = (p_{j|i} + p_{i|j}) / (2N) (van der Maaten &amp; Hinton 2008, eq. 3.1), with each row's
    /// columns sorted; an entry present in only one direction keeps half of it.
    /// </summary>
    public SparseAffinities Symmetrise()
    {
        var counts = new int[N + 1];
        for (int i = 0; i < N; i++)
            for (int e = RowPtr[i]; e < RowPtr[i + 1]; e++) { counts[i]++; counts[Columns[e]]++; }
        var start = new int[N + 1];
        for (int i = 0; i < N; i++) start[i + 1] = start[i] + counts[i];
        var fill = (int[])start.Clone();
        var cols = new int[start[N]];
        var vals = new double[start[N]];
        double scale = 1.0 / (2.0 * N);
        for (int i = 0; i < N; i++)
            for (int e = RowPtr[i]; e < RowPtr[i + 1]; e++)
            {
                int j = Columns[e];
                double v = Values[e] * scale;
                cols[fill[i]] = j; vals[fill[i]++] = v;
                cols[fill[j]] = i; vals[fill[j]++] = v;
            }
        // Sort each row by column and merge duplicates (i→j and j→i both present).
        var outCount = new int[N];
        Parallel.For(0, N, i =>
        {
            int s = start[i], len = start[i + 1] - s;
            Array.Sort(cols, vals, s, len);
            int w = s;
            for (int r = s; r < s + len; r++)
            {
                if (w > s && cols[w - 1] == cols[r]) vals[w - 1] += vals[r];
                else { cols[w] = cols[r]; vals[w] = vals[r]; w++; }
            }
            outCount[i] = w - s;
        });
        var rowPtr = new int[N + 1];
        for (int i = 0; i < N; i++) rowPtr[i + 1] = rowPtr[i] + outCount[i];
        var c2 = new int[rowPtr[N]];
        var v2 = new double[rowPtr[N]];
        for (int i = 0; i < N; i++)
        {
            Array.Copy(cols, start[i], c2, rowPtr[i], outCount[i]);
            Array.Copy(vals, start[i], v2, rowPtr[i], outCount[i]);
        }
        return new SparseAffinities(N, rowPtr, c2, v2);
    }
}
