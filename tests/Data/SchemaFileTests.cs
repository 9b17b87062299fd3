using MiDpg.Research.Data;
using MiDpg.Research.Platform;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Tests.Data;

/// <summary>Schema files (lib/Data/SchemaFile.cs): the JSON maps one-to-one onto DatasetSchema, SplitRule and EncodingOptions; errors name file, line, column and key.</summary>
public class SchemaFileTests
{
    static string DoubanSchemaPath => Path.Combine(RepositoryPaths.Data, "schemas", "douban.json");

    static SchemaFileException Fails(string json, string name = "test.schema.json") =>
        Assert.Throws<SchemaFileException>(() => SchemaFile.Parse(json, name, TestData.TempFolder()));

    static void SameEncoding(LoadedDataset expected, LoadedDataset actual)
    {
        Assert.Equal(expected.All.Rows, actual.All.Rows);
        Assert.Equal(expected.All.Fields, actual.All.Fields);
        Assert.Equal(expected.All.NumericFields, actual.All.NumericFields);
        Assert.Equal(expected.All.ScenarioNames, actual.All.ScenarioNames);
        Assert.Equal(expected.All.Scenario, actual.All.Scenario);
        Assert.Equal(expected.All.Labels, actual.All.Labels);
        Assert.Equal(expected.All.Categorical, actual.All.Categorical);
        Assert.Equal(expected.All.Numeric, actual.All.Numeric);
        Assert.Equal(expected.Split.Train, actual.Split.Train);
        Assert.Equal(expected.Split.Valid, actual.Split.Valid);
        Assert.Equal(expected.Split.Test, actual.Split.Test);
    }

    [Fact]
    public void TheDoubanSchemaFileLoadsExactlyTheBuiltInDoubanSample()
    {
        var file = SchemaFile.Read(DoubanSchemaPath);
        Assert.Equal(RealSamples.DoubanSchema.LabelColumn, file.Schema.LabelColumn);
        Assert.Equal(RealSamples.DoubanSchema.Scenario, file.Schema.Scenario);
        Assert.Equal(RealSamples.DoubanSchema.ScenarioAgnostic, file.Schema.ScenarioAgnostic);
        Assert.Equal(RealSamples.DoubanSchema.MissingTokens, file.Schema.MissingTokens);
        var fromFile = file.Load();
        var builtIn = RealSamples.Douban(SplitRule.Random(0.8, 0.1, seed: 0, stratifyByScenario: true));
        SameEncoding(builtIn, fromFile);
        Assert.Equal(3000, fromFile.Report.RowsRead);
    }

    [Fact]
    public void FileColonOnTheCommandLineGivesTheSameTrainValidTestAsTheNamedDataset()
    {
        var source = DatasetSource.Parse("file:" + DoubanSchemaPath);
        Assert.Equal("douban-sample", source.Name);
        var fromFile = source.Load();
        var named = DatasetSource.Parse("douban").Load();
        foreach (var (a, b) in new[] { (named.Train, fromFile.Train), (named.Valid, fromFile.Valid), (named.Test, fromFile.Test) })
        {
            Assert.Equal(a.Rows, b.Rows);
            Assert.Equal(a.Categorical, b.Categorical);
            Assert.Equal(a.Labels, b.Labels);
            Assert.Equal(a.Scenario, b.Scenario);
        }
    }

    [Fact]
    public void FileColonErrorsAreArgumentErrorsNamingTheSchema()
    {
        var missing = Assert.Throws<ArgumentException>(() => DatasetSource.Parse("file:/nonexistent/x.json"));
        Assert.Contains("/nonexistent/x.json", missing.Message);
        var broken = Assert.Throws<ArgumentException>(() => DatasetSource.Parse("file:" + TestData.BadInput("misspelled_key.schema.json")));
        Assert.Contains("misspelled_key.schema.json, line 6", broken.Message);
        var unknown = Assert.Throws<ArgumentException>(() => DatasetSource.Parse("nope"));
        Assert.Contains("file:SCHEMA.json", unknown.Message);
    }

    [Fact]
    public void EveryKeyRoundTripsThroughJson()
    {
        var folder = TestData.TempFolder();
        var schema = new DatasetSchema
        {
            Name = "every-key",
            LabelColumn = "event",
            Label = LabelRule.OneOf("buy", "order"),
            Scenario = new CategoricalField("category", "category_list", new ListPart(';', 1)),
            ScenarioAware = [new CategoricalField("page"), new CategoricalField("gender", missingIsValue: true)],
            ScenarioAgnostic = ["user", new CategoricalField("shop", "shop_id")],
            Numeric = ["price", new NumericField("n_props", "props", countSeparator: ';')],
            TimestampColumn = "time",
            SplitColumn = null,
            UserField = "user",
            ItemField = "shop",
            MissingTokens = ["", "NULL"],
        };
        var original = new SchemaFile(schema,
            [new DataFile(Path.Combine(folder, "a.tsv"), '\t', SplitPart.Train), new DataFile(Path.Combine(folder, "sub", "b.tsv"), '\t', SplitPart.Test)],
            SplitRule.Predefined(),
            new EncodingOptions { MinCount = 3, HashBuckets = new Dictionary<string, int> { ["user"] = 1000 }, UnknownScenario = UnknownScenarioPolicy.Skip, StandardiseNumeric = false });
        var json = original.ToJson(folder);
        Assert.Contains("\"sub/b.tsv\"", json);   // written relative to the schema's folder
        var read = SchemaFile.Parse(json, "every-key.json", folder);
        Assert.Equal(json, read.ToJson(folder));
        Assert.Equal(original.Files, read.Files);
        Assert.Equal(schema.Label, read.Schema.Label);
        Assert.Equal(schema.Scenario, read.Schema.Scenario);
        Assert.Equal(schema.ScenarioAware, read.Schema.ScenarioAware);
        Assert.Equal(schema.ScenarioAgnostic, read.Schema.ScenarioAgnostic);
        Assert.Equal(schema.Numeric, read.Schema.Numeric);
        Assert.Equal(schema.MissingTokens, read.Schema.MissingTokens);
        Assert.Equal((schema.TimestampColumn, schema.UserField, schema.ItemField), (read.Schema.TimestampColumn, read.Schema.UserField, read.Schema.ItemField));
        Assert.Equal(original.Split, read.Split);
        Assert.Equal((3, UnknownScenarioPolicy.Skip, false), (read.Encoding.MinCount, read.Encoding.UnknownScenario, read.Encoding.StandardiseNumeric));
        Assert.Equal(original.Encoding.HashBuckets, read.Encoding.HashBuckets);

        var random = new SchemaFile(schema with { Label = LabelRule.Above(3.5).WithRange(1, 5) }, [new DataFile(Path.Combine(folder, "a.csv"))], SplitRule.ByTime(0.7, 0.2, stratifyByScenario: false));
        var again = SchemaFile.Parse(random.ToJson(), "x.json", folder);
        Assert.Equal(random.Split, again.Split);
        Assert.Equal(LabelRule.Above(3.5).WithRange(1, 5), again.Schema.Label);
        Assert.NotEqual(LabelRule.Above(3.5), again.Schema.Label);
    }

    [Fact]
    public void ShorthandsAndDefaults()
    {
        var folder = TestData.TempFolder();
        var file = SchemaFile.Parse("""{ "name": "s", "files": ["x.csv"], "label": "y", "scenario": "domain", "scenarioAgnostic": ["user"] }""", "s.json", folder);
        Assert.Equal(Path.Combine(folder, "x.csv"), file.Files[0].Path);
        Assert.Equal(',', file.Files[0].Separator);
        Assert.Equal(LabelRule.Binary, file.Schema.Label);
        Assert.Equal(SplitRule.Random(0.8, 0.1, seed: 0, stratifyByScenario: true), file.Split);
        Assert.Equal(DatasetSchema.DefaultMissingTokens, file.Schema.MissingTokens);
        Assert.Equal(1, file.Encoding.MinCount);

        var withSplitColumn = SchemaFile.Parse("""{ "name": "s", "files": ["x.csv"], "label": "y", "scenario": "d", "splitColumn": "part", "separator": "tab" }""", "s.json", folder);
        Assert.Equal(SplitKind.Predefined, withSplitColumn.Split.Kind);
        Assert.Equal('\t', withSplitColumn.Files[0].Separator);
    }

    [Theory]
    [InlineData("""{ "name": "s", "files": ["x.csv"], "label": "y", "scenario": "d", "scenarioAgnostc": ["u"] }""", 1, "scenarioAgnostc", "did you mean 'scenarioAgnostic'?")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [\"x.csv\"],\n  \"label\": { \"column\": \"y\", \"rule\": \"binary\", \"threshold\": 4 },\n  \"scenario\": \"d\"\n}", 4, "label.threshold", "belongs to the rules atLeast and above")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [\"x.csv\"],\n  \"label\": { \"column\": \"y\", \"rule\": \"atLeast\", \"threshold\": 4, \"range\": [5, 1] },\n  \"scenario\": \"d\"\n}", 4, "label.range", "minimum <= maximum")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [\"x.csv\"],\n  \"label\": { \"column\": \"y\", \"rule\": \"atleast\" },\n  \"scenario\": \"d\"\n}", 4, "label.rule", "unknown label rule 'atleast'")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [\"x.csv\"],\n  \"label\": \"y\"\n}", 1, "", "the key \"scenario\" is required")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [\"x.csv\"],\n  \"label\": \"y\",\n  \"scenario\": \"d\",\n  \"numeric\": [\"p\", 3]\n}", 6, "numeric[1]", "got the number 3")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [\"x.csv\"],\n  \"label\": \"y\",\n  \"scenario\": \"d\",\n  \"split\": { \"rule\": \"random\", \"train\": 0.95, \"valid\": 0.1 }\n}", 6, "split.valid", "must be <= 1")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [\"x.csv\"],\n  \"label\": \"y\",\n  \"scenario\": \"d\",\n  \"split\": { \"rule\": \"predefined\" }\n}", 6, "split", "needs a split column")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [\"x.csv\"],\n  \"label\": \"y\",\n  \"scenario\": \"d\",\n  \"encoding\": { \"hashBuckets\": { \"d\": 10 } }\n}", 6, "encoding.hashBuckets", "cannot be hashed")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [\"x.csv\"],\n  \"label\": \"y\",\n  \"scenario\": \"d\",\n  \"scenarioAgnostic\": [\"u\", \"d\"]\n}", 6, "scenarioAgnostic", "declared more than once")]
    [InlineData("{\n  \"name\": \"my data\",\n  \"files\": [\"x.csv\"],\n  \"label\": \"y\",\n  \"scenario\": \"d\"\n}", 2, "name", "may hold only letters")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [{ \"path\": \"x.csv\", \"separator\": \"\\\"\" }],\n  \"label\": \"y\",\n  \"scenario\": \"d\"\n}", 3, "files[0].separator", "a separator is one character")]
    [InlineData("{\n  \"name\": \"s\",\n  \"files\": [],\n  \"label\": \"y\",\n  \"scenario\": \"d\"\n}", 3, "files", "the list of data files is empty")]
    public void DeclarationErrorsNameLineColumnAndKey(string json, int line, string path, string message)
    {
        var e = Fails(json);
        Assert.Equal("test.schema.json", e.File);
        Assert.Equal(line, e.Line);
        Assert.True(e.Column > 0);
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(message, e.Message);
        Assert.StartsWith($"schema test.schema.json, line {line}, column {e.Column}", e.Message);
    }

    [Fact]
    public void ColumnsAreCountedInCharactersOnTheLineOfTheKey()
    {
        var e = Fails("{\n  \"name\": \"s\", \"files\": [\"x.csv\"], \"label\": \"y\", \"scenario\": \"d\",\n  \"scénario\": 1\n}");
        Assert.Equal((3L, 3L), (e.Line, e.Column));
        Assert.Contains("unknown key 'scénario' (did you mean 'scenario'?)", e.Message);
    }

    [Fact]
    public void TheExampleInDataReadmeIsAValidSchemaFile()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Data, "README.md"));
        int start = readme.IndexOf("```json\n", StringComparison.Ordinal) + "```json\n".Length;
        var json = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        var file = SchemaFile.Parse(json, "data/README.md", Path.Combine(RepositoryPaths.Data, "schemas"));
        Assert.Equal(new ListPart(';', 1), file.Schema.Scenario.Part);
        Assert.Equal(' ', file.Files[0].Separator);
        Assert.Equal(SplitRule.ByTime(0.8, 0.1), file.Split);
        Assert.Equal(200000, file.Encoding.HashBuckets["user_id"]);
        var ijcai = IjcaiAdConversion.Schema();
        Assert.Equal(ijcai.Scenario, file.Schema.Scenario);
        Assert.All(file.Schema.ScenarioAgnostic, f => Assert.Contains(f, ijcai.ScenarioAgnostic));
    }

    [Fact]
    public void WritingNeverReplacesAnExistingSchema()
    {
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "s.json");
        var file = SchemaFile.Read(DoubanSchemaPath);
        file.Write(path);
        Assert.Throws<IOException>(() => file.Write(path));
        file.Write(path, overwrite: true);
        Assert.Equal(file.Files[0].Path, SchemaFile.Read(path).Files[0].Path);   // relative paths survive the move
    }

    [Fact]
    public void PositiveValuesRuleReadsATextLabel()
    {
        var folder = TestData.TempFolder();
        File.WriteAllLines(Path.Combine(folder, "events.csv"),
            ["event,site,user", "view,a,u1", "buy,a,u2", "view,b,u1", "order,b,u3", "view,a,u3", "view,b,u2"]);
        File.WriteAllText(Path.Combine(folder, "events.json"),
            """{ "name": "events", "files": ["events.csv"], "label": { "column": "event", "rule": "positiveValues", "positiveValues": ["buy", "order"] }, "scenario": "site", "scenarioAgnostic": ["user"], "split": { "rule": "random", "train": 1, "valid": 0 } }""");
        var loaded = SchemaFile.Read(Path.Combine(folder, "events.json")).Load();
        Assert.Equal([0f, 1f, 0f, 1f, 0f, 0f], loaded.All.Labels);
    }
}
