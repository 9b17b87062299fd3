using MiDpg.Research.Data;

namespace MiDpg.Research.Tests.Data;

/// <summary>Declared scenario values (<see cref="ScenarioValues"/>; schema keys <c>scenario.values</c>, <c>scenario.otherValues</c>).</summary>
public class ScenarioValuesTests
{
    static string Csv(string folder, params string[] rows)
    {
        var path = Path.Combine(folder, "data.csv");
        File.WriteAllLines(path, new[] { "label,age,user" }.Concat(rows));
        return path;
    }

    static readonly string[] Rows = ["1,18,u1", "0,1,u2", "1,25,u3", "0,25,u1", "1,56,u2", "0,35,u3", "0,18,u4", "1,45,u4", "0,50,u1", "1,1,u5"];

    [Fact]
    public void ValuesGroupIntoNamedScenariosInDeclaredOrder()
    {
        var folder = TestData.TempFolder();
        Csv(folder, Rows);
        var file = SchemaFile.Parse("""
            { "name": "ages", "files": ["data.csv"], "label": "label", "scenarioAgnostic": ["user"],
              "scenario": { "column": "age", "name": "group", "values": { "56": "old", "35": "old", "45": "old", "50": "old", "1": "young", "18": "young", "25": "mid" } },
              "split": { "rule": "random", "train": 1.0, "valid": 0.0 } }
            """, "ages.json", folder);
        var loaded = file.Load();
        Assert.Equal(["old", "young", "mid"], loaded.All.ScenarioNames);   // first declaration order, not alphabetical
        Assert.Equal(["young", "young", "mid", "mid", "old", "old", "young", "old", "old", "young"], loaded.All.Scenario.Select(s => loaded.All.ScenarioNames[s]));
        Assert.Equal("group", loaded.All.Fields[0].Name);
    }

    [Fact]
    public void UndeclaredValueIsAnErrorNamingLineAndColumnOrACountedSkip()
    {
        var folder = TestData.TempFolder();
        Csv(folder, Rows);
        string Json(string other) => $$"""
            { "name": "ages", "files": ["data.csv"], "label": "label", "scenarioAgnostic": ["user"],
              "scenario": { "column": "age", "values": [1, "18", "25"]{{other}} }, "split": { "rule": "random", "train": 1.0, "valid": 0.0 } }
            """;
        var e = Assert.Throws<DataFormatException>(() => SchemaFile.Parse(Json(""), "a.json", folder).Load());
        Assert.Equal(6, e.Line);          // "1,56,u2" is the 5th record, line 6
        Assert.Equal("age", e.Column);
        Assert.Equal(2, e.ColumnIndex);
        Assert.Contains("'56'", e.Message);
        Assert.Contains("1, 18, 25", e.Message);

        var skipped = SchemaFile.Parse(Json(""", "otherValues": "skip" """), "a.json", folder).Load();
        Assert.Equal(["1", "18", "25"], skipped.All.ScenarioNames);
        Assert.Equal(6, skipped.All.Rows);
        Assert.Equal(4, skipped.Report.Count("age", HandlingReason.UndeclaredScenarioSkipped));
        Assert.Equal(10, skipped.Report.RowsRead);
        Assert.Equal(skipped.Report.RowsRead, skipped.Report.RowsKept + skipped.Report.RowsSkipped);
    }

    [Theory]
    [InlineData("""{ "column": "age", "otherValues": "skip" }""", "scenario.otherValues", "add \"values\"")]
    [InlineData("""{ "column": "age", "values": [] }""", "scenario.values", "empty")]
    [InlineData("""{ "column": "age", "values": {} }""", "scenario.values", "empty")]
    [InlineData("""{ "column": "age", "values": "18" }""", "scenario.values", "a list of the values")]
    [InlineData("""{ "column": "age", "values": ["18", "25", "18"] }""", "scenario.values[2]", "declared twice")]
    [InlineData("""{ "column": "age", "values": ["18", true] }""", "scenario.values[1]", "a scenario value is a string")]
    [InlineData("""{ "column": "age", "values": { "18": "young", "25": "" } }""", "scenario.values.25", "non-empty")]
    [InlineData("""{ "column": "age", "values": { "18": 1 } }""", "scenario.values.18", "expected a string")]
    [InlineData("""{ "column": "age", "values": ["18"], "otherValues": "drop" }""", "scenario.otherValues", "use error or skip")]
    [InlineData("""{ "column": "age", "valeus": ["18"] }""", "scenario.valeus", "did you mean 'values'")]
    public void BadDeclarationsNameTheirPlace(string scenario, string path, string text)
    {
        var folder = TestData.TempFolder();
        var e = Assert.Throws<SchemaFileException>(() => SchemaFile.Parse(
            $$"""{ "name": "x", "files": ["data.csv"], "label": "label",{{"\n"}}  "scenario": {{scenario}} }""", "x.json", folder));
        Assert.Equal(path, e.JsonPath);
        Assert.Equal(2, e.Line);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void ValuesOnlyOnTheScenario()
    {
        var e = Assert.Throws<SchemaFileException>(() => SchemaFile.Parse(
            """{ "name": "x", "files": ["d.csv"], "label": "label", "scenario": "age", "scenarioAgnostic": [{ "column": "user", "values": ["u1"] }] }""", "x.json", TestData.TempFolder()));
        Assert.Equal("scenarioAgnostic[0].values", e.JsonPath);
    }

    [Fact]
    public void DeclarationsRoundTripThroughJson()
    {
        var folder = TestData.TempFolder();
        foreach (var values in new[]
                 {
                     ScenarioValues.Of(["0", "1", "2", "4", "6"], OtherScenarioValues.Skip),
                     new ScenarioValues([KeyValuePair.Create("1", "young"), KeyValuePair.Create("18", "young"), KeyValuePair.Create("25", "mid")]),
                 })
        {
            var schema = new DatasetSchema { Name = "rt", LabelColumn = "label", Scenario = new CategoricalField("group", "age"), ScenarioValues = values };
            var original = new SchemaFile(schema, [new DataFile(Path.Combine(folder, "d.csv"))]);
            var json = original.ToJson(folder);
            var read = SchemaFile.Parse(json, "rt.json", folder);
            Assert.Equal(values, read.Schema.ScenarioValues);
            Assert.Equal(json, read.ToJson(folder));
        }
        var plain = new SchemaFile(new DatasetSchema { Name = "p", LabelColumn = "label", Scenario = "age" }, [new DataFile(Path.Combine(folder, "d.csv"))]);
        Assert.Contains("\"scenario\": \"age\"", plain.ToJson(folder));
        Assert.Null(SchemaFile.Parse(plain.ToJson(folder), "p.json", folder).Schema.ScenarioValues);
    }

    [Fact]
    public void RecordValidatesAndDescribes()
    {
        Assert.Throws<ArgumentException>(() => ScenarioValues.Of([]));
        Assert.Throws<ArgumentException>(() => ScenarioValues.Of(["a", " a "]));
        Assert.Throws<ArgumentException>(() => ScenarioValues.Of(["a", ""]));
        var groups = new ScenarioValues([KeyValuePair.Create("1", "young"), KeyValuePair.Create("18", "young"), KeyValuePair.Create("25", "mid")]);
        Assert.Equal(["young", "mid"], groups.Names);
        Assert.Equal("1, 18 -> young; 25 -> mid", groups.Describe());
        Assert.True(groups.TryMap(" 18 ", out var name));
        Assert.Equal("young", name);
        Assert.False(groups.TryMap("19", out _));
        Assert.Equal(groups, new ScenarioValues(groups.Map));
        Assert.NotEqual(groups, new ScenarioValues(groups.Map, OtherScenarioValues.Skip));
    }
}
