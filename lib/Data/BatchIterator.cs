using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Data;

/// <summary>Settings of a <see cref="BatchIterator"/>.</summary>
public sealed record BatchOptions
{
    readonly int _batchSize = 512;

    /// <summary>Rows per batch (paper: 512).</summary>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = value > 0 ? value : throw new ArgumentException($"BatchSize must be positive; got {value}.", nameof(BatchSize));
    }
    /// <summary>Shuffle the rows each epoch (the order of epoch e depends only on Seed and e).</summary>
    public bool Shuffle { get; init; } = true;
    public int Seed { get; init; }
    /// <summary>Drop the last, smaller batch of an epoch.</summary>
    public bool DropLast { get; init; }
    /// <summary>Where the tensors go (default CPU).</summary>
    public Device? Device { get; init; }
}

/// <summary>
/// Cuts an <see cref="EncodedDataset"/> into mini-batches of tensors. The row order of epoch e is a
/// permutation drawn from (Seed, e), so a seed gives identical batches on every run. Rows are
/// gathered into staging arrays allocated once per iterator (no allocation per row or per batch on
/// the managed side); each batch's tensors are created by one copy from those arrays, so a batch stays
/// valid after the next one is produced.
/// </summary>
public sealed class BatchIterator
{
    readonly EncodedDataset _data;
    readonly long[] _cat;
    readonly float[] _num, _label;
    readonly long[] _scenario;

    public BatchOptions Options { get; }
    public EncodedDataset Data => _data;

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => Options.DropLast ? _data.Rows / Options.BatchSize : (_data.Rows + Options.BatchSize - 1) / Options.BatchSize;

    public BatchIterator(EncodedDataset data, BatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        Options = options ?? new BatchOptions();
        int b = Math.Min(Options.BatchSize, Math.Max(1, data.Rows));
        _cat = new long[b * data.FieldCount];
        _num = new float[b * data.NumericCount];
        _label = new float[b];
        _scenario = new long[b];
    }

    /// <summary>The row order of an epoch: a seeded permutation, or 0..Rows-1 without shuffling.</summary>
    public int[] Order(int epoch)
    {
        if (!Options.Shuffle) return Enumerable.Range(0, _data.Rows).ToArray();
        var order = Enumerable.Range(0, _data.Rows).ToArray();
        SeededRandom.For(Options.Seed, epoch).Shuffle<int>(order);
        return order;
    }

    /// <summary>The batches of one epoch. Dispose each batch when done with it.</summary>
    public IEnumerable<Batch> Epoch(int epoch = 0)
    {
        var order = Order(epoch);
        int b = Options.BatchSize;
        for (int start = 0; start < order.Length; start += b)
        {
            int n = Math.Min(b, order.Length - start);
            if (n < b && Options.DropLast) yield break;
            yield return Gather(order.AsSpan(start, n));
        }
    }

    /// <summary>A batch of the given rows, in that order.</summary>
    public Batch Gather(ReadOnlySpan<int> rows)
    {
        int n = rows.Length, F = _data.FieldCount, N = _data.NumericCount;
        if (n > _label.Length) throw new ArgumentException($"At most {_label.Length} rows per batch; got {n}.", nameof(rows));
        for (int i = 0; i < n; i++)
        {
            int r = rows[i];
            Array.Copy(_data.Categorical, (long)r * F, _cat, (long)i * F, F);
            if (N > 0) Array.Copy(_data.Numeric, (long)r * N, _num, (long)i * N, N);
            _label[i] = _data.Labels[r];
            _scenario[i] = _data.Scenario[r];
        }
        var device = Options.Device ?? CPU;
        return new Batch(
            ToTensor(_cat.AsSpan(0, n * F), [n, F], device),
            ToTensor(_num.AsSpan(0, n * N), [n, N], device),
            ToTensor(_label.AsSpan(0, n), [n], device),
            ToTensor(_scenario.AsSpan(0, n), [n], device));
    }

    static Tensor ToTensor<T>(ReadOnlySpan<T> values, long[] shape, Device device) where T : unmanaged
    {
        var type = typeof(T) == typeof(long) ? ScalarType.Int64 : ScalarType.Float32;
        var t = empty(shape, type, CPU);
        if (values.Length > 0) t.data<T>().CopyFrom(values);
        if (device.type == DeviceType.CPU) return t;
        var moved = t.to(device);
        t.Dispose();
        return moved;
    }
}
