namespace MiDpg.Research.Data;

/// <summary>
/// A data file that cannot be read as declared. The message always names the file, the 1-based line
/// and, where one is at fault, the column (by name and 1-based index), so the user can open the file
/// at the right place. Readers throw this rather than guess: a row never disappears silently.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>The file being read (as given to the reader).</summary>
    public string File { get; }
    /// <summary>1-based line where the offending record starts; 0 when the problem concerns the whole file.</summary>
    public long Line { get; }
    /// <summary>Name of the offending column, when one is at fault.</summary>
    public string? Column { get; }
    /// <summary>1-based index of the offending column, when one is at fault (0 otherwise).</summary>
    public int ColumnIndex { get; }
    /// <summary>What is wrong, without the location prefix.</summary>
    public string Problem { get; }

    public DataFormatException(string file, long line, string? column, int columnIndex, string problem, Exception? inner = null)
        : base(Format(file, line, column, columnIndex, problem), inner)
    {
        File = file;
        Line = line;
        Column = column;
        ColumnIndex = columnIndex;
        Problem = problem;
    }

    static string Format(string file, long line, string? column, int columnIndex, string problem)
    {
        var where = line > 0 ? $"{file}, line {line}" : file;
        if (column is not null || columnIndex > 0)
            where += columnIndex > 0 ? $", column {columnIndex} '{column}'" : $", column '{column}'";
        return $"{where}: {problem}";
    }
}
