// Issue 7, item 6: the generated matrices as a table, and its export to CSV and Parquet (Parquet.Net), so that
// other tools (pandas, R, DuckDB) can analyse them. One row per sample: "row" (the row in the split), "scenario"
// (id), "scenario_name", "label", "prediction", then the core entries: "a_{r}_{c}" for one layer, or
// "l{layer}_a_{r}_{c}" for all layers. Floats are written in round-trip format, so a CSV reads back exactly.
using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;
using Parquet;
using Parquet.Schema;

namespace MiDpg.Research.Analysis;

public static class MatrixExport
{
    /// <summary>The sample as a wide table: one layer, or (null) all layers with "l{layer}_" prefixes.</summary>
    public static DataFrame ToDataFrame(WeightingMatrixSample sample, int? layer = null)
    {
        var n = sample.Count;
        var columns = new List<DataFrameColumn>
        {
            new PrimitiveDataFrameColumn<long>("row", sample.Rows.Select(r => (long)r)),
            new PrimitiveDataFrameColumn<long>("scenario", sample.Scenario.Select(s => (long)s)),
            new StringDataFrameColumn("scenario_name", sample.Scenario.Select(s => sample.ScenarioNames[s])),
            new PrimitiveDataFrameColumn<float>("label", sample.Labels),
            new PrimitiveDataFrameColumn<float>("prediction", sample.Predictions),
        };
        var layers = layer is int l ? [sample.Layer(l)] : sample.Layers;
        foreach (var x in layers)
        {
            var prefix = layer is null ? $"l{x.Layer}_" : "";
            var dc = x.Geometry.Dc;
            for (var k = 0; k < x.Width; k++)
            {
                var column = new float[n];
                for (var i = 0; i < n; i++) column[i] = x.Values[i, k];
                columns.Add(new PrimitiveDataFrameColumn<float>($"{prefix}a_{k / dc}_{k % dc}", column));
            }
        }
        return new DataFrame(columns);
    }

    /// <summary>Writes the sample (one layer or all) as CSV; returns the path.</summary>
    public static string WriteCsv(WeightingMatrixSample sample, string path, int? layer = null) => WriteCsv(ToDataFrame(sample, layer), path);

    /// <summary>Writes the sample (one layer or all) as Parquet; returns the path.</summary>
    public static string WriteParquet(WeightingMatrixSample sample, string path, int? layer = null) => WriteParquet(ToDataFrame(sample, layer), path);

    /// <summary>Writes a frame as CSV (invariant culture, floats in round-trip format, strings quoted where needed).</summary>
    public static string WriteCsv(DataFrame frame, string path)
    {
        CreateFolder(path);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.WriteLine(string.Join(',', frame.Columns.Select(c => Quote(c.Name))));
        var line = new StringBuilder();
        for (long r = 0; r < frame.Rows.Count; r++)
        {
            line.Clear();
            for (var c = 0; c < frame.Columns.Count; c++)
            {
                if (c > 0) line.Append(',');
                line.Append(Format(frame.Columns[c][r]));
            }
            writer.WriteLine(line);
        }
        return path;
    }

    /// <summary>
    /// Reads a CSV written by <see cref="WriteCsv(DataFrame, string)"/> for the export schema: "row" and "scenario" as
    /// long, "scenario_name" as string, every other column as float (empty = null).
    /// </summary>
    public static DataFrame ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        var header = SplitCsv(reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty"));
        var cells = header.Select(_ => new List<string>()).ToArray();
        string? line;
        var lineNumber = 1;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = SplitCsv(line);
            if (fields.Count != header.Count) throw new InvalidDataException($"{path}:{lineNumber}: {fields.Count} fields, header has {header.Count}");
            for (var c = 0; c < fields.Count; c++) cells[c].Add(fields[c]);
        }
        var columns = new List<DataFrameColumn>();
        for (var c = 0; c < header.Count; c++)
        {
            var name = header[c];
            columns.Add(name switch
            {
                "scenario_name" => new StringDataFrameColumn(name, cells[c]),
                "row" or "scenario" => new PrimitiveDataFrameColumn<long>(name, cells[c].Select(v => v.Length == 0 ? (long?)null : long.Parse(v, CultureInfo.InvariantCulture))),
                _ => new PrimitiveDataFrameColumn<float>(name, cells[c].Select(v => v.Length == 0 ? (float?)null : float.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture))),
            });
        }
        return new DataFrame(columns);
    }

    /// <summary>Writes a frame as one Parquet row group (columns of float, double, long, int or string; nulls kept).</summary>
    public static string WriteParquet(DataFrame frame, string path)
    {
        CreateFolder(path);
        var fields = frame.Columns.Select(c => c switch
        {
            PrimitiveDataFrameColumn<float> => (DataField)new DataField<float?>(c.Name),
            PrimitiveDataFrameColumn<double> => new DataField<double?>(c.Name),
            PrimitiveDataFrameColumn<long> => new DataField<long?>(c.Name),
            PrimitiveDataFrameColumn<int> => new DataField<int?>(c.Name),
            StringDataFrameColumn => new DataField<string>(c.Name),
            _ => throw new NotSupportedException($"column '{c.Name}' of type {c.DataType.Name} cannot be written to Parquet here"),
        }).ToArray();
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(fields), stream).GetAwaiter().GetResult();
        try
        {
            using var group = writer.CreateRowGroup();
            for (var c = 0; c < fields.Length; c++)
            {
                var column = frame.Columns[c];
                var task = column switch
                {
                    PrimitiveDataFrameColumn<float> x => group.WriteAsync<float>(fields[c], x.ToArray().AsMemory()),
                    PrimitiveDataFrameColumn<double> x => group.WriteAsync<double>(fields[c], x.ToArray().AsMemory()),
                    PrimitiveDataFrameColumn<long> x => group.WriteAsync<long>(fields[c], x.ToArray().AsMemory()),
                    PrimitiveDataFrameColumn<int> x => group.WriteAsync<int>(fields[c], x.ToArray().AsMemory()),
                    StringDataFrameColumn x => group.WriteAsync(fields[c], x.ToArray()),
                    _ => throw new NotSupportedException(column.Name),
                };
                task.GetAwaiter().GetResult();
            }
        }
        finally { writer.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        return path;
    }

    /// <summary>Reads a flat Parquet file (float, double, long, int, string columns) into a DataFrame.</summary>
    public static DataFrame ReadParquet(string path)
    {
        using var stream = File.OpenRead(path);
        var reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        try { return Read(reader); }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    static DataFrame Read(ParquetReader reader)
    {
        var fields = reader.Schema.GetDataFields();
        var parts = fields.Select(_ => new List<Array>()).ToArray();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = (int)group.RowCount;
            for (var c = 0; c < fields.Length; c++)
                parts[c].Add(ReadColumn(group, fields[c], n));
        }
        var columns = new List<DataFrameColumn>();
        for (var c = 0; c < fields.Length; c++)
        {
            var name = fields[c].Name;
            var values = parts[c].SelectMany(a => a.Cast<object?>()).ToList();
            var t = Nullable.GetUnderlyingType(fields[c].ClrType) ?? fields[c].ClrType;
            columns.Add(t switch
            {
                _ when t == typeof(float) => new PrimitiveDataFrameColumn<float>(name, values.Select(v => (float?)v)),
                _ when t == typeof(double) => new PrimitiveDataFrameColumn<double>(name, values.Select(v => (double?)v)),
                _ when t == typeof(long) => new PrimitiveDataFrameColumn<long>(name, values.Select(v => (long?)v)),
                _ when t == typeof(int) => new PrimitiveDataFrameColumn<int>(name, values.Select(v => (int?)v)),
                _ => new StringDataFrameColumn(name, values.Select(v => v?.ToString())),
            });
        }
        return new DataFrame(columns);
    }

    static Array ReadColumn(ParquetRowGroupReader group, DataField field, int n)
    {
        var t = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            var a = new string?[n];
            group.ReadAsync(field, a.AsMemory(), null).AsTask().GetAwaiter().GetResult();
            return a;
        }
        if (t == typeof(float)) return Read<float>(group, field, n);
        if (t == typeof(double)) return Read<double>(group, field, n);
        if (t == typeof(long)) return Read<long>(group, field, n);
        if (t == typeof(int)) return Read<int>(group, field, n);
        throw new NotSupportedException($"Parquet column '{field.Name}' has type {t.Name}, which MatrixExport does not read");
    }

    static T?[] Read<T>(ParquetRowGroupReader group, DataField field, int n) where T : struct
    {
        var a = new T?[n];
        if (field.IsNullable)
            group.ReadAsync<T>(field, a.AsMemory(), null).AsTask().GetAwaiter().GetResult();
        else
        {
            var plain = new T[n];
            group.ReadAsync<T>(field, plain.AsMemory(), null).AsTask().GetAwaiter().GetResult();
            for (var i = 0; i < n; i++) a[i] = plain[i];
        }
        return a;
    }

    static void CreateFolder(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }

    static string Format(object? value) => value switch
    {
        null => "",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(value.ToString() ?? ""),
    };

    static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else current.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
