namespace MiDpg.Research.Data;

/// <summary>Why a value (or a row) was not taken as written: every documented handling has a reason.</summary>
public enum HandlingReason
{
    /// <summary>A categorical value was a missing token (-1, empty, NaN); it was mapped to <see cref="Vocabulary.MissingId"/>.</summary>
    MissingCategorical,
    /// <summary>A numeric value was a missing token; it was imputed with the training mean (0 after standardisation).</summary>
    MissingNumericImputed,
    /// <summary>A categorical value was unseen in training or rarer than the min-count; it was mapped to <see cref="Vocabulary.OutOfVocabularyId"/>.</summary>
    OutOfVocabulary,
    /// <summary>An empty line in the file was skipped (it holds no record).</summary>
    BlankLineSkipped,
    /// <summary>A row whose scenario was not seen in training was skipped (only with <see cref="UnknownScenarioPolicy.Skip"/>).</summary>
    UnknownScenarioSkipped,
    /// <summary>A row whose scenario value was missing was skipped (only with <see cref="UnknownScenarioPolicy.Skip"/>).</summary>
    MissingScenarioSkipped,
    /// <summary>A row whose scenario value is not among the declared ones was skipped (only with <see cref="OtherScenarioValues.Skip"/>).</summary>
    UndeclaredScenarioSkipped,
}

/// <summary>One counted handling: which file and field, why, how often.</summary>
public sealed record ReportEntry(string File, string Field, HandlingReason Reason, long Count);

/// <summary>
/// What happened while reading and encoding: how many records each file held, and every value or row
/// that was not taken as written, counted per file, field and <see cref="HandlingReason"/>. Together
/// with <see cref="RowsKept"/> it accounts for every record: <c>RowsRead == RowsKept + RowsSkipped</c>.
/// </summary>
public sealed class ReadReport
{
    readonly Dictionary<(string File, string Field, HandlingReason Reason), long> _counts = new();
    readonly Dictionary<string, long> _rowsPerFile = new();

    /// <summary>Records read from every file (header and blank lines excluded).</summary>
    public long RowsRead { get; private set; }
    /// <summary>Records that became rows of the encoded dataset.</summary>
    public long RowsKept => RowsRead - RowsSkipped;
    /// <summary>Records that were skipped under a documented policy (each counted in <see cref="Entries"/>).</summary>
    public long RowsSkipped { get; private set; }

    /// <summary>Records read per file, in reading order.</summary>
    public IReadOnlyDictionary<string, long> RowsPerFile => _rowsPerFile;

    /// <summary>All counted handlings, sorted by file, field and reason.</summary>
    public IReadOnlyList<ReportEntry> Entries =>
        _counts.Select(kv => new ReportEntry(kv.Key.File, kv.Key.Field, kv.Key.Reason, kv.Value))
               .OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Field, StringComparer.Ordinal).ThenBy(e => e.Reason)
               .ToList();

    /// <summary>How often <paramref name="reason"/> happened to <paramref name="field"/>, summed over files.</summary>
    public long Count(string field, HandlingReason reason) =>
        _counts.Where(kv => kv.Key.Field == field && kv.Key.Reason == reason).Sum(kv => kv.Value);

    /// <summary>How often <paramref name="reason"/> happened, summed over files and fields.</summary>
    public long Count(HandlingReason reason) => _counts.Where(kv => kv.Key.Reason == reason).Sum(kv => kv.Value);

    internal void Add(string file, string field, HandlingReason reason, long count = 1)
    {
        if (count == 0) return;
        var key = (file, field, reason);
        _counts[key] = _counts.GetValueOrDefault(key) + count;
    }

    internal void AddRowsRead(string file, long rows)
    {
        _rowsPerFile[file] = _rowsPerFile.GetValueOrDefault(file) + rows;
        RowsRead += rows;
    }

    internal void AddSkippedRow(string file, string field, HandlingReason reason)
    {
        Add(file, field, reason);
        RowsSkipped++;
    }

    /// <summary>A few lines for a log or a notebook.</summary>
    public override string ToString()
    {
        var lines = new List<string> { $"rows read {RowsRead}, kept {RowsKept}, skipped {RowsSkipped}" };
        lines.AddRange(Entries.Select(e => $"  {Path.GetFileName(e.File)} / {e.Field}: {e.Reason} x {e.Count}"));
        return string.Join(Environment.NewLine, lines);
    }
}
