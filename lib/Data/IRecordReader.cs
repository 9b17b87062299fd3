namespace MiDpg.Research.Data;

/// <summary>
/// A forward-only cursor over the records of a tabular file. Field values are exposed as spans into
/// the reader's own buffer, valid until the next <see cref="Read"/>: nothing is turned into a string
/// unless the caller chooses to, which is how 1.3 M rows are encoded without living as strings.
/// </summary>
public interface IRecordReader : IDisposable
{
    /// <summary>The file being read, as given.</summary>
    string File { get; }
    /// <summary>Column names from the header.</summary>
    IReadOnlyList<string> Header { get; }
    /// <summary>1-based line where the current record starts (for Parquet: data row number + 1, as if a header were line 1).</summary>
    long Line { get; }
    /// <summary>Number of fields in the current record (may differ from the header: the caller checks).</summary>
    int FieldCount { get; }
    /// <summary>The i-th field of the current record, unquoted.</summary>
    ReadOnlySpan<char> Field(int i);
    /// <summary>Advances to the next record; false at the end of the file.</summary>
    bool Read();
    /// <summary>Empty lines skipped so far (counted, see <see cref="HandlingReason.BlankLineSkipped"/>).</summary>
    long BlankLines { get; }
}

/// <summary>Opens the right reader for a path: Parquet by extension (.parquet), otherwise delimited text.</summary>
public static class RecordReaders
{
    /// <summary>Delimited text with a header, or Parquet when the path ends in .parquet.</summary>
    public static IRecordReader Open(string path, char separator = ',')
    {
        RequireFile(path);
        return IsParquet(path) ? new ParquetRecordReader(path) : new DelimitedReader(path, separator);
    }

    /// <summary>True when <paramref name="path"/> is read as Parquet (extension .parquet).</summary>
    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Throws unless <paramref name="path"/> is an existing file: a folder is a <see cref="DataFormatException"/>
    /// saying so, a missing path a <see cref="FileNotFoundException"/> (<paramref name="context"/> is added to its message).
    /// </summary>
    public static void RequireFile(string path, string? context = null)
    {
        if (Directory.Exists(path))
            throw new DataFormatException(path, 0, null, 0, $"is a directory, not a data file{(context is null ? "" : $" ({context})")}; name a file inside it.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"Data file '{path}' does not exist{(context is null ? "" : $" ({context})")}.", path);
    }
}
