using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace MiDpg.Research.Data;

/// <summary>
/// Reads a Parquet file row by row through the same <see cref="IRecordReader"/> cursor as delimited
/// text, so one encoder serves both. We use Parquet.Net (fully managed, no native library to load
/// next to libtorch; see data/README.md). The file is read one row group at a time, each column into a
/// typed array; a value is formatted into a small reusable char buffer only when its field is asked
/// for. Nulls read as empty fields, i.e. missing values. Only flat columns of primitive types are supported.
/// </summary>
public sealed class ParquetRecordReader : IRecordReader
{
    readonly ParquetReader _reader;
    readonly Stream _stream;
    readonly DataField[] _fields;
    readonly Array?[] _columns;
    int _group = -1;
    long _groupRows, _rowInGroup = -1, _rowsBefore;
    readonly char[] _scratch = new char[64];

    public string File { get; }
    public IReadOnlyList<string> Header { get; }
    public long Line => _rowsBefore + _rowInGroup + 2;
    public int FieldCount => _fields.Length;
    public long BlankLines => 0;

    public ParquetRecordReader(string path)
    {
        File = path;
        _stream = System.IO.File.OpenRead(path);
        try
        {
            _reader = ParquetReader.CreateAsync(_stream).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not DataFormatException)
        {
            _stream.Dispose();
            throw new DataFormatException(path, 0, null, 0, $"not a readable Parquet file ({ex.Message}).", ex);
        }
        _fields = _reader.Schema.GetDataFields();
        var nested = _fields.FirstOrDefault(f => f.IsArray || f.Path.ToList().Count > 1);
        if (nested is not null)
            throw new DataFormatException(path, 0, nested.Name, 0, "nested or repeated Parquet columns are not supported; flatten the file first.");
        Header = _fields.Select(f => f.Name).ToArray();
        _columns = new Array?[_fields.Length];
    }

    public bool Read()
    {
        while (++_rowInGroup >= _groupRows)
        {
            if (_group >= 0) _rowsBefore += _groupRows;
            if (++_group >= _reader.RowGroupCount) { _rowInGroup = _groupRows; return false; }
            LoadGroup(_group);
            _rowInGroup = -1;
        }
        return true;
    }

    void LoadGroup(int g)
    {
        using var rg = _reader.OpenRowGroupReader(g);
        _groupRows = rg.RowCount;
        int n = checked((int)rg.RowCount);
        for (int c = 0; c < _fields.Length; c++)
            _columns[c] = ReadColumn(rg, _fields[c], n);
    }

    static Array ReadColumn(ParquetRowGroupReader rg, DataField f, int n)
    {
        var t = Nullable.GetUnderlyingType(f.ClrType) ?? f.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))   // Parquet.Net 6 reports UTF-8 columns as ReadOnlyMemory<char>
        {
            var a = new string?[n];
            rg.ReadAsync(f, a.AsMemory(), null).AsTask().GetAwaiter().GetResult();
            return a;
        }
        if (t == typeof(int)) return Read<int>(rg, f, n);
        if (t == typeof(long)) return Read<long>(rg, f, n);
        if (t == typeof(short)) return Read<short>(rg, f, n);
        if (t == typeof(byte)) return Read<byte>(rg, f, n);
        if (t == typeof(sbyte)) return Read<sbyte>(rg, f, n);
        if (t == typeof(float)) return Read<float>(rg, f, n);
        if (t == typeof(double)) return Read<double>(rg, f, n);
        if (t == typeof(decimal)) return Read<decimal>(rg, f, n);
        if (t == typeof(bool)) return Read<bool>(rg, f, n);
        if (t == typeof(DateTime)) return Read<DateTime>(rg, f, n);
        throw new NotSupportedException($"Parquet column '{f.Name}' has type {t.Name}, which the reader does not support.");
    }

    static T?[] Read<T>(ParquetRowGroupReader rg, DataField f, int n) where T : struct
    {
        var a = new T?[n];
        if (f.IsNullable)
            rg.ReadAsync<T>(f, a.AsMemory(), null).AsTask().GetAwaiter().GetResult();
        else
        {
            var plain = new T[n];
            rg.ReadAsync<T>(f, plain.AsMemory(), null).AsTask().GetAwaiter().GetResult();
            for (int i = 0; i < n; i++) a[i] = plain[i];
        }
        return a;
    }

    public ReadOnlySpan<char> Field(int i)
    {
        int r = (int)_rowInGroup;
        switch (_columns[i])
        {
            case string?[] s: return s[r];
            case int?[] a: return Format(a[r]);
            case long?[] a: return Format(a[r]);
            case short?[] a: return Format(a[r]);
            case byte?[] a: return Format(a[r]);
            case sbyte?[] a: return Format(a[r]);
            case float?[] a: return Format(a[r]);
            case double?[] a: return Format(a[r]);
            case decimal?[] a: return Format(a[r]);
            case bool?[] a: return a[r] is null ? ReadOnlySpan<char>.Empty : a[r]!.Value ? "1" : "0";
            case DateTime?[] a: return a[r] is null ? ReadOnlySpan<char>.Empty : Format<long>(a[r]!.Value.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond - 62135596800L);
            default: throw new InvalidOperationException("Read() must be called before Field().");
        }
    }

    ReadOnlySpan<char> Format<T>(T? value) where T : struct, ISpanFormattable
    {
        if (value is null) return ReadOnlySpan<char>.Empty;
        var format = typeof(T) == typeof(float) || typeof(T) == typeof(double) ? "R" : null;
        value.Value.TryFormat(_scratch, out int written, format, CultureInfo.InvariantCulture);
        return new ReadOnlySpan<char>(_scratch, 0, written);
    }

    public void Dispose()
    {
        _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _stream.Dispose();
    }
}
