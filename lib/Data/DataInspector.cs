using System.Globalization;

namespace MiDpg.Research.Data;

/// <summary>What the values of a column look like.</summary>
public enum ColumnKind
{
    /// <summary>Every sampled value is missing.</summary>
    Empty,
    /// <summary>Only 0/1 (or true/false).</summary>
    Binary,
    /// <summary>Whole numbers.</summary>
    Integer,
    /// <summary>Numbers with a fraction.</summary>
    Real,
    /// <summary>Dates or date-times (ISO), or unix seconds in a column named like a time.</summary>
    Timestamp,
    /// <summary>Anything else.</summary>
    Text,
}

/// <summary>The part a column plays in the starter schema (<see cref="DataInspection.StarterSchema"/>).</summary>
public enum ColumnRole { Label, Scenario, ScenarioAware, ScenarioAgnostic, Numeric, Timestamp, Split, Ignored }

/// <summary>A value and how often it occurs in the sample.</summary>
public sealed record ValueCount(string Value, long Count);

/// <summary>One column as the sample shows it, with the role the starter schema gives it and why.</summary>
/// <param name="Distinct">Distinct non-missing values in the sample.</param>
/// <param name="Missing">Sampled values that are missing tokens (<see cref="DatasetSchema.DefaultMissingTokens"/>).</param>
public sealed record ColumnProfile(string Name, ColumnKind Kind, int Distinct, long Missing, double MissingShare,
    IReadOnlyList<ValueCount> Top, ColumnRole Role, string RoleReason);

/// <summary>One value of a candidate scenario column: sampled rows, and rows with a positive label.</summary>
public sealed record ScenarioValue(string Value, long Rows, long Positives)
{
    public double PositiveRate => Rows == 0 ? double.NaN : (double)Positives / Rows;
}

/// <summary>A column that could define the scenarios (2 to <see cref="InspectorOptions.MaxScenarioValues"/> values), with the label balance per value (largest first).</summary>
public sealed record ScenarioCandidate(string Column, IReadOnlyList<ScenarioValue> Values, long Missing);

/// <summary>Settings of <see cref="DataInspector.Inspect"/>.</summary>
public sealed record InspectorOptions
{
    readonly int _sampleSize = 100_000;

    /// <summary>Rows kept for the statistics: a uniform random sample (reservoir, seeded) when the file has more. Default 100,000.</summary>
    public int SampleSize
    {
        get => _sampleSize;
        init => _sampleSize = value >= 1 ? value : throw new ArgumentException($"SampleSize must be >= 1; got {value}.", nameof(SampleSize));
    }
    /// <summary>The label column; null = the first binary column, preferring names like label, click, conversion.</summary>
    public string? LabelColumn { get; init; }
    /// <summary>The scenario column; null = chosen among the candidates (names like scenario, domain, category first, then the most balanced).</summary>
    public string? ScenarioColumn { get; init; }
    /// <summary>Separator of a delimited file; null = detected from the first lines (comma, tab, semicolon, pipe, space).</summary>
    public char? Separator { get; init; }
    public int Seed { get; init; }
    /// <summary>Most frequent values listed per column.</summary>
    public int TopValues { get; init; } = 5;
    /// <summary>Most distinct values a scenario candidate may have.</summary>
    public int MaxScenarioValues { get; init; } = 50;
    /// <summary>Called with the rows read so far, every 100,000 rows and at the end.</summary>
    public Action<long>? Progress { get; init; }
}

/// <summary>What <see cref="DataInspector.Inspect"/> found: per column the type guess, distinct values, missing share and top values; the label and its balance per candidate scenario column; the roles of a starter schema.</summary>
public sealed record DataInspection
{
    public required string File { get; init; }
    public required bool IsParquet { get; init; }
    /// <summary>The separator used (detected or given); ',' for Parquet, where it does not apply.</summary>
    public required char Separator { get; init; }
    public required long RowsRead { get; init; }
    /// <summary>Rows the statistics come from; all rows unless <see cref="Sampled"/>.</summary>
    public required int SampleRows { get; init; }
    public bool Sampled => SampleRows < RowsRead;
    public required int Seed { get; init; }
    public required IReadOnlyList<ColumnProfile> Columns { get; init; }
    public string? LabelColumn { get; init; }
    public LabelRule? Label { get; init; }
    /// <summary>Sampled rows whose label the rule rejects (missing or not acceptable): loading would stop at the first.</summary>
    public long LabelRejected { get; init; }
    public required IReadOnlyList<ScenarioCandidate> ScenarioCandidates { get; init; }
    public string? ScenarioColumn { get; init; }
    /// <summary>Sampled rows whose scenario value is missing (the starter schema then skips and counts such rows).</summary>
    public long ScenarioMissing { get; init; }
    /// <summary>What was guessed and what to check, in words.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>
    /// A schema file declaring this file with the roles of <see cref="Columns"/>: label and rule, scenario, scenario-aware
    /// (columns the scenario determines), scenario-agnostic and numeric fields, timestamp and split columns; split predefined
    /// when a split column was found, else random 0.8/0.1/0.1 per scenario. Throws <see cref="InvalidOperationException"/>
    /// saying what to name when no label or no scenario column was found.
    /// </summary>
    public SchemaFile StarterSchema()
    {
        if (LabelColumn is null || Label is null)
            throw new InvalidOperationException($"{File}: no label column was found (no binary column); name it (--label COLUMN).");
        if (ScenarioColumn is null)
            throw new InvalidOperationException($"{File}: no column qualifies as the scenario (2 to a few dozen values); name it (--scenario COLUMN).");
        string? Column(ColumnRole role) => Columns.FirstOrDefault(c => c.Role == role)?.Name;
        var agnostic = Columns.Where(c => c.Role == ColumnRole.ScenarioAgnostic).Select(c => c.Name).ToList();
        var schema = new DatasetSchema
        {
            Name = DatasetName(File),
            LabelColumn = LabelColumn,
            Label = Label,
            Scenario = new CategoricalField(ScenarioColumn),
            ScenarioAware = Columns.Where(c => c.Role == ColumnRole.ScenarioAware).Select(c => new CategoricalField(c.Name)).ToArray(),
            ScenarioAgnostic = agnostic.Select(c => new CategoricalField(c)).ToArray(),
            Numeric = Columns.Where(c => c.Role == ColumnRole.Numeric).Select(c => new NumericField(c.Name)).ToArray(),
            TimestampColumn = Column(ColumnRole.Timestamp),
            SplitColumn = Column(ColumnRole.Split),
            UserField = agnostic.FirstOrDefault(c => c.Contains("user", StringComparison.OrdinalIgnoreCase)),
            ItemField = agnostic.FirstOrDefault(c => c.Contains("item", StringComparison.OrdinalIgnoreCase)),
        };
        var encoding = ScenarioMissing > 0 ? new EncodingOptions { UnknownScenario = UnknownScenarioPolicy.Skip } : EncodingOptions.Default;
        return new SchemaFile(schema, [new DataFile(Path.GetFullPath(File), Separator)], encoding: encoding);
    }

    /// <summary>A plain-text report: one line per column (type, distinct, missing share, top values, starter role), the label balance of the chosen scenario, the notes.</summary>
    public override string ToString()
    {
        var lines = new List<string>
        {
            $"{File}: {(IsParquet ? "Parquet" : $"separator '{(Separator == '\t' ? "\\t" : Separator.ToString())}'")}, {Columns.Count} columns, {RowsRead:N0} rows; "
            + (Sampled ? $"statistics from a random sample of {SampleRows:N0} rows (seed {Seed})" : "statistics from all rows"),
        };
        foreach (var c in Columns)
            lines.Add($"  {c.Name}: {c.Kind.ToString().ToLowerInvariant()}, {c.Distinct:N0} distinct, {c.MissingShare * 100:F1}% missing; top "
                      + string.Join(", ", c.Top.Select(t => $"{t.Value} ({t.Count:N0})")) + $" -> {c.Role}: {c.RoleReason}");
        if (ScenarioCandidates.FirstOrDefault(k => k.Column == ScenarioColumn) is { } chosen && LabelColumn is not null)
            lines.Add($"  label balance per {chosen.Column}: " + string.Join(", ", chosen.Values.Select(v => $"{v.Value} {v.Positives:N0}/{v.Rows:N0} = {v.PositiveRate:F3}")));
        lines.AddRange(Notes.Select(n => "- " + n));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>The file name without extension, lower case, with anything but letters, digits, '.', '-', '_' made '-'.</summary>
    public static string DatasetName(string file)
    {
        var stem = Path.GetFileNameWithoutExtension(file).ToLowerInvariant();
        var name = new string(stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-').ToArray()).Trim('-', '.');
        return name.Length == 0 ? "dataset" : name.Length > 100 ? name[..100] : name;
    }
}

/// <summary>
/// The data inspector behind <c>data describe</c>: reads a delimited or Parquet file once, keeps a uniform random sample
/// of its rows (reservoir sampling, seeded; the sample size is stated), and reports per column the type guess, distinct
/// values, missing share and top values, the label balance per candidate scenario column, and the roles a starter schema
/// gives each column (<see cref="DataInspection.StarterSchema"/>), which the loader accepts unchanged.
/// </summary>
public static class DataInspector
{
    static readonly string[] LabelHints = ["label", "is_trade", "conversion", "converted", "convert", "cvr", "purchase", "purchased", "buy", "bought", "click", "clicked", "clk", "is_click", "target", "y", "rating"];
    static readonly string[] ScenarioHints = ["scenario", "domain", "scene", "category", "channel", "page", "pid", "site", "slot", "position", "platform", "market", "country", "region", "tab"];
    static readonly string[] SplitHints = ["split", "part", "fold", "set", "partition", "dataset"];
    static readonly string[] TimeHints = ["time", "date", "timestamp", "ts"];

    public static DataInspection Inspect(string path, InspectorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new InspectorOptions();
        RecordReaders.RequireFile(path);
        bool parquet = RecordReaders.IsParquet(path);
        char separator = parquet ? ',' : options.Separator ?? DetectSeparator(path);

        using var reader = RecordReaders.Open(path, separator);
        var header = reader.Header;
        for (int i = 0; i < header.Count; i++)
            for (int j = 0; j < i; j++)
                if (header[i] == header[j])
                    throw new DataFormatException(path, 1, header[i], i + 1, $"the header names column '{header[i]}' twice (first at column {j + 1}).");
        int RequireColumn(string? name, string what)
        {
            if (name is null) return -1;
            int i = header.ToList().IndexOf(name);
            return i >= 0 ? i : throw new DataFormatException(path, 1, name, 0, $"the {what} column '{name}' is not in the header, which has {header.Count} column(s): {string.Join(", ", header)}.");
        }
        int labelIndex = RequireColumn(options.LabelColumn, "label");
        int scenarioIndex = RequireColumn(options.ScenarioColumn, "scenario");

        // One pass: every row counted, a reservoir of SampleSize rows kept.
        var sample = new List<string[]>();
        var random = new SeededRandom(options.Seed);
        long rows = 0;
        while (reader.Read())
        {
            if (reader.FieldCount != header.Count)
            {
                int col = Math.Min(reader.FieldCount, header.Count - 1);
                throw new DataFormatException(path, reader.Line, header[col], col + 1,
                    $"the record has {reader.FieldCount} fields but the header has {header.Count} (ragged row{(parquet ? "" : $"; is the separator '{separator}' right?")}).");
            }
            rows++;
            if (sample.Count < options.SampleSize) sample.Add(Row(reader));
            else
            {
                long j = (long)(random.NextDouble() * rows);
                if (j < options.SampleSize) sample[(int)j] = Row(reader);
            }
            if (rows % 100_000 == 0) options.Progress?.Invoke(rows);
        }
        options.Progress?.Invoke(rows);
        if (rows == 0)
            throw new DataFormatException(path, 2, null, 0, $"the file has a header but no data rows{(reader.BlankLines > 0 ? $" (only {reader.BlankLines} blank lines)" : "")}.");

        var notes = new List<string>();
        notes.Add(sample.Count < rows
            ? $"Statistics come from a uniform random sample of {sample.Count:N0} of the {rows:N0} rows (seed {options.Seed}); values outside the sample may differ."
            : $"Statistics come from all {rows:N0} rows.");
        var missingTokens = DatasetSchema.DefaultMissingTokens.ToHashSet(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>[header.Count];
        var missing = new long[header.Count];
        for (int c = 0; c < header.Count; c++)
        {
            counts[c] = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var row in sample)
            {
                if (missingTokens.Contains(row[c])) { missing[c]++; continue; }
                counts[c][row[c]] = counts[c].GetValueOrDefault(row[c]) + 1;
            }
        }
        var kinds = Enumerable.Range(0, header.Count).Select(c => Kind(header[c], counts[c].Keys)).ToArray();
        var named = header.Select(h => !string.IsNullOrWhiteSpace(h)).ToArray();   // an unnamed column (a saved index) plays no role

        // Label: named, or the first binary column (names like label/click first).
        if (labelIndex < 0)
        {
            var binary = Enumerable.Range(0, header.Count).Where(c => named[c] && kinds[c] == ColumnKind.Binary && counts[c].Count == 2).ToList();
            labelIndex = binary.OrderBy(c => Hint(header[c], LabelHints)).ThenBy(c => c).DefaultIfEmpty(-1).First();
            if (labelIndex >= 0) notes.Add($"Label: '{header[labelIndex]}', a binary column{(Hinted(header[labelIndex], LabelHints) ? " named like a label" : " (the first one; check it)")}.");
            else notes.Add("Label: no binary column found; name the label column.");
        }
        LabelRule? rule = labelIndex < 0 ? null : Rule(header[labelIndex], kinds[labelIndex], counts[labelIndex], notes);
        var y = new float?[sample.Count];
        long rejected = 0;
        if (rule is not null)
            for (int r = 0; r < sample.Count; r++)
                if ((y[r] = rule.Apply(sample[r][labelIndex], out _)) is null) rejected++;
        if (rejected > 0)
            notes.Add($"{rejected:N0} sampled rows have a label the rule rejects (missing or not acceptable); loading stops at the first with its line. Fix the data or the rule.");

        // Split and timestamp columns, by name and values.
        int splitIndex = Enumerable.Range(0, header.Count).FirstOrDefault(c => named[c] && c != labelIndex && c != scenarioIndex
            && Hinted(header[c], SplitHints) && missing[c] == 0 && counts[c].Count is >= 2 and <= 3
            && counts[c].Keys.All(v => RawTable.TryParsePart(v, out _)), -1);
        int timeIndex = Enumerable.Range(0, header.Count).FirstOrDefault(c => named[c] && c != labelIndex && c != scenarioIndex && c != splitIndex
            && kinds[c] == ColumnKind.Timestamp && missing[c] == 0, -1);

        // Scenario candidates: few values, enough rows per value.
        var candidates = new List<ScenarioCandidate>();
        for (int c = 0; c < header.Count; c++)
        {
            bool eligible = named[c] && c != labelIndex && c != splitIndex && c != timeIndex && kinds[c] is ColumnKind.Binary or ColumnKind.Integer or ColumnKind.Text
                            && counts[c].Count >= 2 && counts[c].Count <= options.MaxScenarioValues && counts[c].Count * 2 <= sample.Count;
            if (eligible || c == scenarioIndex) candidates.Add(Balance(header[c], c, sample, y, missingTokens, missing[c]));
        }
        if (scenarioIndex < 0 && candidates.Count > 0)
        {
            var chosen = candidates
                .OrderBy(k => Hint(k.Column, ScenarioHints))
                .ThenByDescending(k => k.Values.Min(v => v.Rows) / (double)k.Values.Sum(v => v.Rows))
                .ThenBy(k => k.Values.Count).First();
            scenarioIndex = header.ToList().IndexOf(chosen.Column);
            notes.Add($"Scenario: '{chosen.Column}' ({chosen.Values.Count} values){(Hinted(chosen.Column, ScenarioHints) ? ", named like a scenario" : ", the most balanced candidate")}; {candidates.Count} candidate(s) in all.");
        }
        else if (scenarioIndex < 0) notes.Add("Scenario: no column has 2 to a few dozen values with enough rows each; name the scenario column.");
        long scenarioMissing = scenarioIndex < 0 ? 0 : missing[scenarioIndex];
        if (scenarioMissing > 0)
            notes.Add($"{scenarioMissing:N0} sampled rows have no scenario value; the starter schema skips such rows and counts them (encoding.unknownScenario = skip).");

        // Roles of the other columns.
        var columns = new List<ColumnProfile>();
        for (int c = 0; c < header.Count; c++)
        {
            var (role, reason) = c == labelIndex ? (ColumnRole.Label, $"rule {rule?.ToString() ?? "none"}")
                : c == scenarioIndex ? (ColumnRole.Scenario, $"{counts[c].Count} values")
                : c == splitIndex ? (ColumnRole.Split, "split column: the split is predefined")
                : c == timeIndex ? (ColumnRole.Timestamp, "timestamp (for a split by time)")
                : Role(header[c], kinds[c], counts[c], missing[c], sample, c, scenarioIndex, missingTokens);
            var top = counts[c].OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(options.TopValues)
                .Select(kv => new ValueCount(kv.Key, kv.Value)).ToArray();
            columns.Add(new ColumnProfile(header[c], kinds[c], counts[c].Count, missing[c], missing[c] / (double)sample.Count, top, role, reason));
        }

        return new DataInspection
        {
            File = path,
            IsParquet = parquet,
            Separator = separator,
            RowsRead = rows,
            SampleRows = sample.Count,
            Seed = options.Seed,
            Columns = columns,
            LabelColumn = labelIndex < 0 ? null : header[labelIndex],
            Label = rule,
            LabelRejected = rejected,
            ScenarioCandidates = candidates,
            ScenarioColumn = scenarioIndex < 0 ? null : header[scenarioIndex],
            ScenarioMissing = scenarioMissing,
            Notes = notes,
        };
    }

    static string[] Row(IRecordReader reader)
    {
        var row = new string[reader.FieldCount];
        for (int i = 0; i < row.Length; i++) row[i] = reader.Field(i).Trim().ToString();
        return row;
    }

    /// <summary>
    /// How well a name matches a list of hints, lower is better: the hint's position when the (lower-case) name equals it,
    /// hints.Length + position when the name holds it as a word part ("channel_group"), 2 hints.Length when neither.
    /// </summary>
    static int Hint(string name, string[] hints)
    {
        var lower = name.ToLowerInvariant();
        int exact = Array.IndexOf(hints, lower);
        if (exact >= 0) return exact;
        var parts = lower.Split('_', '-', ' ', '.');
        for (int i = 0; i < hints.Length; i++)
            if (parts.Contains(hints[i])) return hints.Length + i;
        return 2 * hints.Length;
    }

    static bool Hinted(string name, string[] hints) => Hint(name, hints) < 2 * hints.Length;

    static ColumnKind Kind(string name, IEnumerable<string> values)
    {
        bool any = false, binary = true, integer = true, real = true, time = true;
        foreach (var v in values)
        {
            any = true;
            if (binary && !(v is "0" or "1" or "0.0" or "1.0" || v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("false", StringComparison.OrdinalIgnoreCase))) binary = false;
            if (integer && !long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)) integer = false;
            if (real && !(double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))) real = false;
            if (time && !RawTable.TryParseTime(v, out _)) time = false;
        }
        if (!any) return ColumnKind.Empty;
        if (binary) return ColumnKind.Binary;
        if (integer)
        {
            bool unixSeconds = Hinted(name, TimeHints)
                               && values.All(v => long.Parse(v, CultureInfo.InvariantCulture) is >= 100_000_000 and <= 10_000_000_000);
            return unixSeconds ? ColumnKind.Timestamp : ColumnKind.Integer;
        }
        if (real) return ColumnKind.Real;
        return time ? ColumnKind.Timestamp : ColumnKind.Text;
    }

    /// <summary>The label rule a starter schema uses for the label column, with a note when it is a guess.</summary>
    static LabelRule? Rule(string column, ColumnKind kind, Dictionary<string, int> counts, List<string> notes)
    {
        switch (kind)
        {
            case ColumnKind.Binary:
                return LabelRule.Binary;
            case ColumnKind.Integer:
            case ColumnKind.Real:
            {
                var values = counts.SelectMany(kv => Enumerable.Repeat(double.Parse(kv.Key, CultureInfo.InvariantCulture), kv.Value)).Order().ToArray();
                double median = values[values.Length / 2];
                if (median <= values[0]) median = values.First(v => v > values[0]);   // some negatives, always
                notes.Add($"Label '{column}' is not binary: the starter schema makes y = 1 for values >= {median.ToString(CultureInfo.InvariantCulture)} (the sample's median; edit label.threshold).");
                return LabelRule.AtLeast(median);
            }
            case ColumnKind.Text:
            case ColumnKind.Timestamp:
            {
                var rare = counts.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
                notes.Add($"Label '{column}' holds text: the starter schema makes y = 1 for the rarest value '{rare}' (edit label.positiveValues).");
                return LabelRule.OneOf(rare);
            }
            default:
                notes.Add($"Label '{column}' has no values in the sample.");
                return null;
        }
    }

    static ScenarioCandidate Balance(string column, int c, List<string[]> sample, float?[] y, HashSet<string> missingTokens, long missing)
    {
        var rows = new Dictionary<string, (long Rows, long Positives)>(StringComparer.Ordinal);
        for (int r = 0; r < sample.Count; r++)
        {
            var v = sample[r][c];
            if (missingTokens.Contains(v)) continue;
            var (n, p) = rows.GetValueOrDefault(v);
            rows[v] = (n + 1, p + (y[r] is > 0.5f ? 1 : 0));
        }
        return new ScenarioCandidate(column,
            rows.OrderByDescending(kv => kv.Value.Rows).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new ScenarioValue(kv.Key, kv.Value.Rows, kv.Value.Positives)).ToArray(),
            missing);
    }

    static (ColumnRole, string) Role(string name, ColumnKind kind, Dictionary<string, int> counts, long missing, List<string[]> sample, int c, int scenario, HashSet<string> missingTokens)
    {
        if (string.IsNullOrWhiteSpace(name)) return (ColumnRole.Ignored, "the column has no name");
        if (kind == ColumnKind.Empty) return (ColumnRole.Ignored, "every sampled value is missing");
        if (counts.Count == 1) return (ColumnRole.Ignored, "one value only");
        long present = sample.Count - missing;
        if (kind is ColumnKind.Integer or ColumnKind.Text && counts.Count == present && present >= 100)
            return (ColumnRole.Ignored, "a different value in every row (a row id?)");
        if (kind == ColumnKind.Real) return (ColumnRole.Numeric, "numbers with fractions");
        if (scenario >= 0)
        {
            // Scenario-aware when the scenario determines the value (an attribute of the scenario).
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            bool determined = true;
            foreach (var row in sample)
            {
                if (missingTokens.Contains(row[c]) || missingTokens.Contains(row[scenario])) continue;
                if (seen.TryGetValue(row[scenario], out var v) ? v != row[c] : !seen.TryAdd(row[scenario], row[c])) { determined = false; break; }
            }
            if (determined && sample.Count >= 5 * seen.Count) return (ColumnRole.ScenarioAware, "the scenario determines it");
        }
        return (ColumnRole.ScenarioAgnostic, kind == ColumnKind.Integer ? "whole numbers: read as ids" : "categorical");
    }

    /// <summary>The separator of a delimited file: the first of comma, tab, semicolon, pipe, space that splits the first lines into two or more equal-width records.</summary>
    public static char DetectSeparator(string path)
    {
        string chunk;
        using (var text = DelimitedReader.OpenText(path))
        {
            var buffer = new char[1 << 16];
            int n = text.ReadBlock(buffer, 0, buffer.Length);
            chunk = new string(buffer, 0, n);
            if (n == buffer.Length && chunk.LastIndexOf('\n') is > 0 and var last) chunk = chunk[..(last + 1)];
        }
        foreach (var candidate in new[] { ',', '\t', ';', '|', ' ' })
        {
            try
            {
                using var reader = new DelimitedReader(new StringReader(chunk), path, candidate);
                if (reader.Header.Count < 2) continue;
                bool consistent = true;
                for (int rows = 0; rows < 50 && reader.Read(); rows++)
                    if (reader.FieldCount != reader.Header.Count) { consistent = false; break; }
                if (consistent) return candidate;
            }
            catch (DataFormatException) { }
        }
        return ',';
    }
}
