using System.Globalization;

namespace MiDpg.Research.Data;

/// <summary>One input file: its path, its separator, and (when the data comes as one file per part) which split part it is.</summary>
public sealed record DataFile
{
    public string Path { get; }
    public char Separator { get; }
    public SplitPart? Part { get; }

    public DataFile(string path, char separator = ',', SplitPart? part = null)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("A data file needs a path.", nameof(path));
        if (separator is '"' or '\r' or '\n') throw new ArgumentException($"The separator cannot be a quote or a line break.", nameof(separator));
        Path = path;
        Separator = separator;
        Part = part;
    }
}

/// <summary>Wall-clock seconds of the loading steps.</summary>
public sealed record LoadTimings(double Read, double Split, double Fit, double Encode)
{
    public double Total => Read + Split + Fit + Encode;
    public override string ToString() => $"read {Read:F2} s, split {Split:F2} s, fit {Fit:F2} s, encode {Encode:F2} s";
}

/// <summary>A dataset read, split and encoded: everything an experiment needs, plus how it was made.</summary>
public sealed class LoadedDataset
{
    public required DatasetSchema Schema { get; init; }
    /// <summary>The fitted encoder (vocabularies, numeric statistics); save it with a model.</summary>
    public required FieldEncoder Encoder { get; init; }
    /// <summary>Every kept row, in file order.</summary>
    public required EncodedDataset All { get; init; }
    /// <summary>Row indices into <see cref="All"/> and the rule that made them.</summary>
    public required DataSplit Split { get; init; }
    public required ReadReport Report { get; init; }
    /// <summary>Timestamps (unix seconds) of the rows of <see cref="All"/>, when the schema has a timestamp column.</summary>
    public long[]? Timestamps { get; init; }
    /// <summary>Seconds spent reading, splitting, fitting and encoding.</summary>
    public LoadTimings? Timings { get; init; }

    public EncodedDataset Train => _train ??= All.Select(Split.Train, All.Name + "/train");
    public EncodedDataset Valid => _valid ??= All.Select(Split.Valid, All.Name + "/valid");
    public EncodedDataset Test => _test ??= All.Select(Split.Test, All.Name + "/test");
    EncodedDataset? _train, _valid, _test;

    public override string ToString() => $"{All}; split {Split}";
}

/// <summary>
/// From raw files to an <see cref="EncodedDataset"/>, in three steps:
/// (1) stream every record, checking it against the schema and interning categorical values on the fly;
/// (2) split the rows by the <see cref="SplitRule"/>;
/// (3) fit the <see cref="FieldEncoder"/> on the training rows and encode all rows with it.
/// Every record is either kept or skipped under a documented policy and counted in the <see cref="ReadReport"/>.
/// </summary>
public static class DatasetLoader
{
    /// <summary>Reads, splits and encodes the files. For <see cref="SplitKind.Predefined"/> the parts come from the schema's split column or from <see cref="DataFile.Part"/>.</summary>
    public static LoadedDataset Load(DatasetSchema schema, SplitRule split, EncodingOptions? encoding, params DataFile[] files)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(split);
        encoding ??= EncodingOptions.Default;
        var report = new ReadReport();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var raw = Read(schema, encoding, report, files);
        double read = clock.Elapsed.TotalSeconds;
        if (raw.Rows == 0)
            throw new DataFormatException(string.Join(", ", raw.Files), 0, null, 0,
                $"no rows are left after filtering: {report.RowsRead} read, {report.RowsSkipped} skipped ({string.Join("; ", report.Entries.Where(e => e.Reason is HandlingReason.MissingScenarioSkipped or HandlingReason.UnknownScenarioSkipped or HandlingReason.UndeclaredScenarioSkipped).Select(e => $"{Path.GetFileName(e.File)} / {e.Field}: {e.Reason} x {e.Count}"))}).");

        // Scenario of every raw row (provisional ids: dense, in order of first appearance) for stratification.
        var rawScenario = raw.Cat[0].AsSpan(0, raw.Rows);
        var rawSplit = DataSplit.Make(split, raw.Rows, rawScenario,
            raw.Time is null ? default : raw.Time.AsSpan(0, raw.Rows),
            raw.Part is null ? default : raw.Part.AsSpan(0, raw.Rows));
        if (rawSplit.Train.Length == 0)
            throw new DataFormatException(string.Join(", ", raw.Files), 0, null, 0, $"the split '{split}' leaves no training rows.");

        double splitting = clock.Elapsed.TotalSeconds - read;
        var encoder = FieldEncoder.Fit(raw, rawSplit.Train, encoding);
        double fit = clock.Elapsed.TotalSeconds - read - splitting;
        var (all, kept) = encoder.Encode(raw, encoding, report);

        // Raw row -> row of All (rows skipped under the policy map to -1).
        var toAll = new int[raw.Rows];
        Array.Fill(toAll, -1);
        for (int i = 0; i < kept.Length; i++) toAll[kept[i]] = i;
        int[] Map(int[] rows) => rows.Select(r => toAll[r]).Where(r => r >= 0).ToArray();
        var finalSplit = new DataSplit(split, Map(rawSplit.Train), Map(rawSplit.Valid), Map(rawSplit.Test));

        return new LoadedDataset
        {
            Schema = schema,
            Encoder = encoder,
            All = all,
            Split = finalSplit,
            Report = report,
            Timestamps = raw.Time is null ? null : kept.Select(r => raw.Time[r]).ToArray(),
            Timings = new LoadTimings(read, splitting, fit, clock.Elapsed.TotalSeconds - read - splitting - fit),
        };
    }

    /// <summary>Loads with default encoding options.</summary>
    public static LoadedDataset Load(DatasetSchema schema, SplitRule split, params DataFile[] files) => Load(schema, split, null, files);

    /// <summary>
    /// Encodes new files with an already fitted encoder (e.g. a saved model's): no vocabulary changes,
    /// unseen values become out-of-vocabulary, unseen scenarios follow <see cref="EncodingOptions.UnknownScenario"/>.
    /// </summary>
    public static (EncodedDataset Data, ReadReport Report) Encode(DatasetSchema schema, FieldEncoder encoder, EncodingOptions? encoding, params DataFile[] files)
    {
        encoding ??= EncodingOptions.Default;
        encoding = encoding with { HashBuckets = encoder.Vocabularies.Where(v => v.HashBuckets is not null).ToDictionary(v => v.Field, v => v.HashBuckets!.Value) };
        var report = new ReadReport();
        var raw = Read(schema, encoding, report, files);
        var (data, _) = encoder.Encode(raw, encoding, report);
        return (data, report);
    }

    internal static RawTable Read(DatasetSchema schema, EncodingOptions encoding, ReadReport report, DataFile[] files)
    {
        schema.Validate();
        if (files is null || files.Length == 0) throw new ArgumentException("At least one data file is needed.", nameof(files));
        if (files.Length > 255) throw new ArgumentException("At most 255 files can be loaded together.", nameof(files));
        var raw = new RawTable(schema, encoding);
        bool perFileParts = files.Any(f => f.Part is not null);
        if (perFileParts && files.Any(f => f.Part is null))
            throw new ArgumentException("Either every file names its split part or none does.", nameof(files));
        if (perFileParts || schema.SplitColumn is not null) raw.EnsurePart();
        for (int i = 0; i < files.Length; i++)
        {
            if (Directory.Exists(files[i].Path))
                throw new DataFormatException(files[i].Path, 0, null, 0, $"is a directory, not a data file (schema '{schema.Name}'); name a file inside it.");
            if (!File.Exists(files[i].Path))
                throw new FileNotFoundException($"Data file '{files[i].Path}' does not exist (schema '{schema.Name}'). See data/README.md for where to get it.", files[i].Path);
            raw.Files.Add(files[i].Path);
            using var reader = RecordReaders.Open(files[i].Path, files[i].Separator);
            ReadFile(reader, raw, (byte)i, files[i].Part, encoding, report);
        }
        return raw;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    static void ReadFile(IRecordReader reader, RawTable raw, byte fileIndex, SplitPart? part, EncodingOptions encoding, ReadReport report)
    {
        var schema = raw.Schema;
        var bound = schema.Bind(reader.Header, reader.File);
        var cats = schema.CategoricalFields;
        var missingTokens = schema.MissingTokens.ToArray();
        int longestMissing = missingTokens.Length == 0 ? -1 : missingTokens.Max(t => t.Length);
        int columns = reader.Header.Count;
        var missingCat = new long[cats.Count];
        // Per-field settings as plain arrays: the loop below runs once per value of a 1.3 M-row file.
        int catCount = cats.Count, numCount = schema.Numeric.Count;
        var catColumn = bound.CategoricalIndex;
        var catPart = cats.Select(c => c.Field.Part).ToArray();
        var catMissingIsValue = cats.Select(c => c.Field.MissingIsValue).ToArray();
        var catInterner = raw.Interners;
        var scenarioValues = schema.ScenarioValues;
        var catBuckets = raw.Buckets;
        var numColumn = bound.NumericIndex;
        var numCountSeparator = schema.Numeric.Select(n => n.CountSeparator).ToArray();
        var missingNum = new long[schema.Numeric.Count];
        long rowsInFile = 0;

        bool IsMissing(ReadOnlySpan<char> v)
        {
            if (v.Length > longestMissing) return false;
            foreach (var t in missingTokens) if (v.SequenceEqual(t)) return true;
            return false;
        }
        DataFormatException Error(int column, string problem) =>
            new(reader.File, reader.Line, reader.Header[column], column + 1, problem);

        while (reader.Read())
        {
            if (reader.FieldCount != columns)
            {
                string detail = reader.FieldCount < columns
                    ? $"the record has {reader.FieldCount} fields but the header has {columns}; column {reader.FieldCount + 1} '{reader.Header[reader.FieldCount]}' onwards is missing (ragged row)."
                    : $"the record has {reader.FieldCount} fields but the header has {columns} (ragged row; an unquoted field containing the separator?).";
                int col = Math.Min(reader.FieldCount, columns - 1);
                throw new DataFormatException(reader.File, reader.Line, reader.Header[col], col + 1, detail);
            }
            rowsInFile++;
            int r = raw.Rows;

            // Scenario first: a missing scenario is an error or a counted skip.
            var scenarioText = Value(reader, bound.CategoricalIndex[0], schema.Scenario.Part);
            if (!schema.Scenario.MissingIsValue && IsMissing(scenarioText))
            {
                if (encoding.UnknownScenario == UnknownScenarioPolicy.Skip)
                {
                    report.AddSkippedRow(reader.File, schema.Scenario.Name, HandlingReason.MissingScenarioSkipped);
                    continue;
                }
                throw Error(bound.CategoricalIndex[0], $"the scenario value is missing ('{scenarioText}'); every row needs a scenario (or set UnknownScenario = Skip to skip and count such rows).");
            }

            // Declared scenarios: the raw value becomes its scenario's name; an undeclared value is an error or a counted skip.
            int declaredScenario = -1;
            if (scenarioValues is not null)
            {
                if (!scenarioValues.TryMap(scenarioText, out var scenarioName))
                {
                    if (scenarioValues.Other == OtherScenarioValues.Skip)
                    {
                        report.AddSkippedRow(reader.File, schema.Scenario.Name, HandlingReason.UndeclaredScenarioSkipped);
                        continue;
                    }
                    throw Error(bound.CategoricalIndex[0], $"the scenario value '{scenarioText}' is not one of the declared scenario values ({scenarioValues.Describe()}); " +
                        "declare it, or let other values be skipped and counted (otherValues: skip).");
                }
                declaredScenario = catInterner[0]!.Intern(scenarioName);
            }

            raw.EnsureCapacity(r + 1);
            var label = schema.Label.Apply(reader.Field(bound.LabelIndex), out var problem);
            if (label is null) throw Error(bound.LabelIndex, problem! + $" Label rule: {schema.Label}.");
            raw.Labels[r] = label.Value;

            for (int f = 0; f < catCount; f++)
            {
                if (f == 0 && declaredScenario >= 0) { raw.Cat[0][r] = declaredScenario; continue; }
                var v = Value(reader, catColumn[f], catPart[f]);
                if (!catMissingIsValue[f] && IsMissing(v)) { raw.Cat[f][r] = -1; missingCat[f]++; continue; }
                raw.Cat[f][r] = catBuckets[f] is int b
                    ? (int)(Vocabulary.StableHash(v) % (ulong)b)
                    : catInterner[f]!.Intern(v);
            }

            for (int n = 0; n < numCount; n++)
            {
                var v = reader.Field(numColumn[n]).Trim();
                float x;
                if (IsMissing(v)) { x = float.NaN; missingNum[n]++; }
                else if (numCountSeparator[n] is char sep) x = v.Count(sep) + 1;
                else if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) x = (float)d;
                else throw Error(numColumn[n], $"'{v}' is not a number (numeric field '{schema.Numeric[n].Name}'; missing values must be one of: {string.Join(", ", missingTokens.Select(t => $"'{t}'"))}).");
                raw.Num[n][r] = x;
            }

            if (raw.Time is not null)
            {
                var v = reader.Field(bound.TimestampIndex).Trim();
                if (!RawTable.TryParseTime(v, out long t))
                    throw Error(bound.TimestampIndex, $"'{v}' is not a time (expected unix seconds or an ISO date such as 2014-03-01).");
                raw.Time[r] = t;
            }

            if (raw.Part is not null)
            {
                if (part is SplitPart p) raw.Part[r] = (byte)p;
                else if (!RawTable.TryParsePart(reader.Field(bound.SplitIndex), out raw.Part[r]))
                    throw Error(bound.SplitIndex, $"'{reader.Field(bound.SplitIndex)}' is not a split part (expected 0/1/2 or train/valid/test).");
            }

            raw.FileIndex[r] = fileIndex;
            raw.Line[r] = (int)Math.Min(int.MaxValue, reader.Line);
            raw.Rows = r + 1;
        }

        if (rowsInFile == 0 && report.RowsPerFile.GetValueOrDefault(reader.File) == 0)
            throw new DataFormatException(reader.File, 2, null, 0, $"the file has a header but no data rows{(reader.BlankLines > 0 ? $" (only {reader.BlankLines} blank lines)" : "")}.");
        report.AddRowsRead(reader.File, rowsInFile);
        report.Add(reader.File, "(line)", HandlingReason.BlankLineSkipped, reader.BlankLines);
        for (int f = 0; f < cats.Count; f++) report.Add(reader.File, cats[f].Field.Name, HandlingReason.MissingCategorical, missingCat[f]);
        for (int n = 0; n < missingNum.Length; n++) report.Add(reader.File, schema.Numeric[n].Name, HandlingReason.MissingNumericImputed, missingNum[n]);
    }

    static ReadOnlySpan<char> Value(IRecordReader reader, int column, ListPart? part)
    {
        var v = reader.Field(column).Trim();
        return part is null ? v : part.Pick(v).Trim();
    }
}
