using MiDpg.Research.Data;
using MiDpg.Research.Platform;
using Microsoft.VisualBasic.FileIO;

namespace MiDpg.Research.Tests.Data;

/// <summary>Paths and small helpers shared by the data tests.</summary>
static class TestData
{
    public static string BadInput(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "BadInput", name);
    public static string Fixture(string name) => Path.Combine(RepositoryPaths.Data, "fixtures", name);

    /// <summary>The schema of the bad-input corpus: label, scenario, user, item, price.</summary>
    public static DatasetSchema Simple { get; } = new()
    {
        Name = "simple",
        LabelColumn = "label",
        Scenario = "scenario",
        ScenarioAgnostic = ["user", "item"],
        Numeric = ["price"],
        UserField = "user",
        ItemField = "item",
    };

    public static string TempFolder() => Directory.CreateTempSubdirectory("midpg-data-test-").FullName;

    /// <summary>An independent oracle: the file parsed by the framework's TextFieldParser (RFC 4180 quoting).</summary>
    public static (string[] Header, List<string[]> Rows) ParseWithFramework(string path, string separator)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(separator);
        var header = parser.ReadFields()!;
        var rows = new List<string[]>();
        while (!parser.EndOfData) rows.Add(parser.ReadFields()!);
        return (header, rows);
    }

    /// <summary>Label, scenario, user, item, price rows written as CSV.</summary>
    public static string WriteSimpleCsv(string folder, string name, IEnumerable<(int Label, string Scenario, string User, string Item, string Price)> rows)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllLines(path, new[] { "label,scenario,user,item,price" }.Concat(rows.Select(r => $"{r.Label},{r.Scenario},{r.User},{r.Item},{r.Price}")));
        return path;
    }
}
