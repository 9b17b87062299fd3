// NumPy's .npy file format (NEP 1, "A simple file format for NumPy arrays"), the exchange format of the golden
// checks against the PyTorch peer (shared/bench/midpg_ref.py reads and writes one array per file).
// A file is: the magic "\x93NUMPY", a version (1.0 or 2.0; 3.0 only changes the header's encoding), the header length
// (uint16 for 1.0, uint32 for 2.0+), an ASCII Python dict {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// padded with spaces to a multiple of 64 bytes and ended by '\n', then the raw little-endian values in C order.
// Only what the exchange needs is supported: little-endian float32, float64, int32, int64 and bool, C order.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MiDpg.Research.Data;

/// <summary>One array read from a .npy file: its values (float[], double[], int[], long[] or bool[]) and shape.</summary>
public sealed record NpyArray(Array Values, long[] Shape)
{
    public long Count => Values.LongLength;

    /// <summary>The values as doubles, whatever the stored type.</summary>
    public double[] AsDoubles() => Values switch
    {
        double[] d => d,
        float[] f => Array.ConvertAll(f, x => (double)x),
        long[] l => Array.ConvertAll(l, x => (double)x),
        int[] i => Array.ConvertAll(i, x => (double)x),
        bool[] b => Array.ConvertAll(b, x => x ? 1.0 : 0.0),
        _ => throw new InvalidOperationException($"unsupported element type {Values.GetType().Name}"),
    };

    /// <summary>The values as int64 (integer types only).</summary>
    public long[] AsInt64(string source) => Values switch
    {
        long[] l => l,
        int[] i => Array.ConvertAll(i, x => (long)x),
        _ => throw new DataFormatException(source, 0, null, 0, $"expected an integer array, found {Values.GetType().GetElementType()!.Name}"),
    };
}

/// <summary>Reads and writes .npy files (NumPy format versions 1.0-3.0, little-endian, C order).</summary>
public static class Npy
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static void Write(string path, float[] values, params long[] shape) => Write(path, "<f4", values, shape, 4, (s, i) => BinaryPrimitives.WriteSingleLittleEndian(s, values[i]));
    public static void Write(string path, double[] values, params long[] shape) => Write(path, "<f8", values, shape, 8, (s, i) => BinaryPrimitives.WriteDoubleLittleEndian(s, values[i]));
    public static void Write(string path, long[] values, params long[] shape) => Write(path, "<i8", values, shape, 8, (s, i) => BinaryPrimitives.WriteInt64LittleEndian(s, values[i]));

    private static void Write(string path, string descr, Array values, long[] shape, int size, SpanWriter write)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != values.LongLength)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {count} values; got {values.LongLength}", nameof(shape));
        var shapeText = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape) + ")",
        };
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Pad so that magic (6) + version (2) + length (2) + header is a multiple of 64, the header ending in '\n'.
        var total = 10 + dict.Length + 1;
        var header = dict + new string(' ', (64 - total % 64) % 64) + "\n";
        using var stream = File.Create(path);
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var buffer = new byte[size * Math.Min(values.LongLength, 4096)];
        for (long start = 0; start < values.LongLength; start += 4096)
        {
            var n = (int)Math.Min(4096, values.LongLength - start);
            for (var i = 0; i < n; i++) write(buffer.AsSpan(i * size, size), (int)(start + i));
            stream.Write(buffer, 0, n * size);
        }
    }

    private delegate void SpanWriter(Span<byte> target, int index);

    private static readonly Regex DescrPattern = new(@"'descr'\s*:\s*'([^']*)'", RegexOptions.Compiled);
    private static readonly Regex OrderPattern = new(@"'fortran_order'\s*:\s*(True|False)", RegexOptions.Compiled);
    private static readonly Regex ShapePattern = new(@"'shape'\s*:\s*\(([^)]*)\)", RegexOptions.Compiled);

    /// <summary>Reads a .npy file; a malformed or unsupported file fails with a <see cref="DataFormatException"/> naming it.</summary>
    public static NpyArray Read(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, 0, null, 0, $"file not found");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new DataFormatException(path, 0, null, 0, $"not a .npy file (the magic string \\x93NUMPY is missing)");
        int major = bytes[6], headerStart, headerLength;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8, 2)); headerStart = 10; }
        else if (major is 2 or 3) { headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8, 4))); headerStart = 12; }
        else throw new DataFormatException(path, 0, null, 0, $".npy format version {major}.{bytes[7]} is not supported (1.0-3.0 are)");
        if (headerStart + headerLength > bytes.Length) throw new DataFormatException(path, 0, null, 0, $"the header runs past the end of the file");
        var header = Encoding.UTF8.GetString(bytes, headerStart, headerLength);
        var descr = DescrPattern.Match(header);
        var order = OrderPattern.Match(header);
        var shapeMatch = ShapePattern.Match(header);
        if (!descr.Success || !order.Success || !shapeMatch.Success)
            throw new DataFormatException(path, 0, null, 0, $"the header '{header.Trim()}' lacks descr, fortran_order or shape");
        if (order.Groups[1].Value == "True") throw new DataFormatException(path, 0, null, 0, $"Fortran-ordered arrays are not supported (save with C order)");
        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => long.Parse(s.TrimEnd('L'), CultureInfo.InvariantCulture)).ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var data = bytes.AsSpan(headerStart + headerLength);
        var (size, values) = descr.Groups[1].Value switch
        {
            "<f4" => (4, (Array)new float[count]),
            "<f8" => (8, new double[count]),
            "<i4" => (4, new int[count]),
            "<i8" => (8, new long[count]),
            "|b1" => (1, new bool[count]),
            var d => throw new DataFormatException(path, 0, null, 0, $"element type '{d}' is not supported (little-endian float32/64, int32/64 or bool)"),
        };
        if (data.Length != count * size)
            throw new DataFormatException(path, 0, null, 0, $"shape ({string.Join(", ", shape)}) needs {count * size} bytes of data; the file holds {data.Length}");
        switch (values)
        {
            case float[] f: for (var i = 0; i < f.Length; i++) f[i] = BinaryPrimitives.ReadSingleLittleEndian(data.Slice(i * 4)); break;
            case double[] d: for (var i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadDoubleLittleEndian(data.Slice(i * 8)); break;
            case int[] n: for (var i = 0; i < n.Length; i++) n[i] = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(i * 4)); break;
            case long[] l: for (var i = 0; i < l.Length; i++) l[i] = BinaryPrimitives.ReadInt64LittleEndian(data.Slice(i * 8)); break;
            case bool[] b: for (var i = 0; i < b.Length; i++) b[i] = data[i] != 0; break;
        }
        return new NpyArray(values, shape);
    }
}
