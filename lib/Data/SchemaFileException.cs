namespace MiDpg.Research.Data;

/// <summary>
/// A dataset schema file (<see cref="SchemaFile"/>) that cannot be used as written: bad JSON, an unknown or
/// misspelled key, a value of the wrong type, a declaration that contradicts itself or the data file it names.
/// The message names the schema file, the 1-based line and column in it, and the JSON path of the value at
/// fault (e.g. <c>label.rule</c>), so the user can open the file at the right place.
/// </summary>
public sealed class SchemaFileException : Exception
{
    /// <summary>The schema file, as given.</summary>
    public string File { get; }
    /// <summary>1-based line in the schema file; 0 when the problem concerns the whole file.</summary>
    public long Line { get; }
    /// <summary>1-based column (characters) in that line; 0 when unknown.</summary>
    public long Column { get; }
    /// <summary>JSON path of the value at fault, e.g. <c>scenarioAgnostic[2]</c>; empty for the whole document.</summary>
    public string JsonPath { get; }
    /// <summary>What is wrong, without the location prefix.</summary>
    public string Problem { get; }

    public SchemaFileException(string file, long line, long column, string jsonPath, string problem, Exception? inner = null)
        : base(Format(file, line, column, jsonPath, problem), inner)
    {
        File = file;
        Line = line;
        Column = column;
        JsonPath = jsonPath;
        Problem = problem;
    }

    static string Format(string file, long line, long column, string jsonPath, string problem)
    {
        var where = file;
        if (line > 0) where += column > 0 ? $", line {line}, column {column}" : $", line {line}";
        if (jsonPath.Length > 0) where += $" ({jsonPath})";
        return $"schema {where}: {problem}";
    }
}
