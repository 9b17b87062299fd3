using System.Globalization;

namespace MiDpg.Research.Data;

/// <summary>
/// The first stage of loading: every record read and checked, with each categorical value interned
/// once per distinct value (rows hold small provisional ints, never strings), numeric values parsed,
/// labels binarised. Vocabularies are not decided here: they need the training split, which may
/// itself depend on the data (scenario strata, time). Internal to the data layer.
/// </summary>
internal sealed class RawTable
{
    public readonly DatasetSchema Schema;
    public readonly List<string> Files = new();
    public int Rows;
    public int[][] Cat;              // per field: provisional id, -1 missing; hashed fields: bucket
    public readonly ValueInterner?[] Interners;   // null for hashed fields
    public readonly int?[] Buckets;
    public float[][] Num;            // per numeric field; NaN = missing
    public float[] Labels = new float[1024];
    public long[]? Time;
    public byte[]? Part;             // predefined split part
    public byte[] FileIndex = new byte[1024];
    public int[] Line = new int[1024];

    public RawTable(DatasetSchema schema, EncodingOptions options)
    {
        Schema = schema;
        var cats = schema.CategoricalFields;
        if (options.HashBuckets.ContainsKey(schema.Scenario.Name))
            throw new ArgumentException($"The scenario field '{schema.Scenario.Name}' cannot be hashed: scenarios must stay distinct.", nameof(options));
        var unknown = options.HashBuckets.Keys.FirstOrDefault(k => cats.All(c => c.Field.Name != k));
        if (unknown is not null)
            throw new ArgumentException($"HashBuckets names '{unknown}', which is not a categorical field of schema '{schema.Name}'.", nameof(options));
        Cat = cats.Select(_ => new int[1024]).ToArray();
        Buckets = cats.Select(c => options.HashBuckets.TryGetValue(c.Field.Name, out int b) ? (int?)b : null).ToArray();
        Interners = Buckets.Select(b => b is null ? new ValueInterner() : null).ToArray();
        Num = schema.Numeric.Select(_ => new float[1024]).ToArray();
        if (schema.TimestampColumn is not null) Time = new long[1024];
    }

    public void EnsureCapacity(int rows)
    {
        if (rows <= Labels.Length) return;
        int size = Math.Max(rows, Labels.Length * 2);
        for (int f = 0; f < Cat.Length; f++) Array.Resize(ref Cat[f], size);
        for (int f = 0; f < Num.Length; f++) Array.Resize(ref Num[f], size);
        Array.Resize(ref Labels, size);
        Array.Resize(ref FileIndex, size);
        Array.Resize(ref Line, size);
        if (Time is not null) Array.Resize(ref Time, size);
        if (Part is not null) Array.Resize(ref Part, size);
    }

    public void EnsurePart()
    {
        if (Part is null) Part = new byte[Labels.Length];
    }

    /// <summary>Parses a time as unix seconds: an integer, or an ISO date / date-time (UTC).</summary>
    public static bool TryParseTime(ReadOnlySpan<char> s, out long seconds)
    {
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out seconds)) return true;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) { seconds = (long)d; return true; }
        if (DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
        {
            seconds = new DateTimeOffset(t, TimeSpan.Zero).ToUnixTimeSeconds();
            return true;
        }
        seconds = 0;
        return false;
    }

    /// <summary>Reads a split-column value: 0/train, 1/valid/val/validation/dev, 2/test.</summary>
    public static bool TryParsePart(ReadOnlySpan<char> s, out byte part)
    {
        s = s.Trim();
        part = 0;
        if (s is "0" || s.Equals("train", StringComparison.OrdinalIgnoreCase)) { part = 0; return true; }
        if (s is "1" || s.Equals("valid", StringComparison.OrdinalIgnoreCase) || s.Equals("val", StringComparison.OrdinalIgnoreCase)
            || s.Equals("validation", StringComparison.OrdinalIgnoreCase) || s.Equals("dev", StringComparison.OrdinalIgnoreCase)) { part = 1; return true; }
        if (s is "2" || s.Equals("test", StringComparison.OrdinalIgnoreCase)) { part = 2; return true; }
        return false;
    }
}

/// <summary>Gives each distinct value of a field a provisional id, looking spans up without allocating (a string is made once per new value).</summary>
internal sealed class ValueInterner
{
    readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    public readonly List<string> Values = new();

    public ValueInterner() => _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Intern(ReadOnlySpan<char> value)
    {
        if (_lookup.TryGetValue(value, out int id)) return id;
        var s = value.ToString();
        id = Values.Count;
        _ids.Add(s, id);
        Values.Add(s);
        return id;
    }

    public int Count => Values.Count;
}
