using System.Diagnostics;
using MiDpg.Research.Tests.Data;
using Parquet;
using Parquet.Schema;

namespace MiDpg.Research.Tests.Cli;

/// <summary>`data describe` and `--data file:SCHEMA.json` as a user runs them: a child process of the built CLI, on files no code of ours names.</summary>
public class DataCommandTests
{
    static (int Code, string Output) Run(params string[] args) => CliProcess.Run(args);

    static string Flat(string output) => CliProcess.Flat(output);

    static string[] TrainQuick(string schema) =>
        ["train", "--data", "file:" + schema, "--model", "dnn", "--epochs", "1", "--threads", "1", "--hidden", "8", "--embedding-dim", "4"];

    static void CleanError(int code, string output)
    {
        Assert.Equal(2, code);
        Assert.Contains("error: ", output);
        Assert.DoesNotContain("   at ", output);          // no stack trace
        Assert.DoesNotContain("Exception:", output);      // no type names either
    }

    [Fact]
    public void DescribeWritesAStarterSchemaThatTrainUsesOnTheSameCsv()
    {
        var folder = TestData.TempFolder();
        var events = DataInspectorTests.WriteEvents(folder, rows: 600);
        var (code, output) = Run("data", "describe", events.Path);
        Assert.True(code == 0, output);
        Assert.Contains("600 rows; statistics from all rows", Flat(output));
        Assert.Contains("channel (chosen): 4 values", Flat(output));
        var schema = Path.Combine(folder, "events.schema.json");
        Assert.Contains($"wrote the starter schema {schema}", Flat(output));

        var (trained, log) = Run(TrainQuick(schema));
        Assert.True(trained == 0, log);
        Assert.Contains("DNN on events: test", log);
        Assert.Contains("4 scenarios", log);
        Assert.Contains("rows read 600, kept 600, skipped 0", log);                                      // the read report
        Assert.Contains($"events.csv / price: MissingNumericImputed x {events.Price.Count(p => p == "")}", log);
    }

    [Fact]
    public async Task DescribeAndTrainWorkOnAParquetFile()
    {
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "shop_log.parquet");
        int n = 500;
        var random = new Random(11);
        var fields = new DataField[] { new DataField<string>("page"), new DataField<bool>("bought"), new DataField<long>("user"), new DataField<float>("discount") };
        using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(fields[0], Enumerable.Range(0, n).Select(i => new[] { "home", "search", "cart" }[i % 3]).ToArray());
            await rg.WriteAsync<bool>(fields[1], Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.3).ToArray().AsMemory());
            await rg.WriteAsync<long>(fields[2], Enumerable.Range(0, n).Select(_ => (long)random.Next(80)).ToArray().AsMemory());
            await rg.WriteAsync<float>(fields[3], Enumerable.Range(0, n).Select(_ => (float)Math.Round(random.NextDouble(), 2)).ToArray().AsMemory());
        }
        var schema = Path.Combine(folder, "schemas", "shop.json");
        Directory.CreateDirectory(Path.GetDirectoryName(schema)!);
        var (code, output) = Run("data", "describe", path, "--label", "bought", "--schema-out", schema);
        Assert.True(code == 0, output);
        Assert.Contains("Parquet, 4 columns, 500 rows", Flat(output));
        Assert.Contains("\"../shop_log.parquet\"", File.ReadAllText(schema));   // relative to the schema's folder

        var (trained, log) = Run(TrainQuick(schema));
        Assert.True(trained == 0, log);
        Assert.Contains("DNN on shop_log: test", log);
    }

    [Fact]
    public void ExperimentTakesASchemaFileBesideANamedDataset()
    {
        var dir = TestData.TempFolder();
        var schema = Path.Combine(MiDpg.Research.Platform.RepositoryPaths.Data, "schemas", "douban.json");
        var (code, output) = Run("experiment", "--models", "dnn", "--trials", "1", "--epochs", "1", "--threads", "1", "--hidden", "8",
            "--data", $"file:{schema};douban", "--runs", Path.Combine(dir, "runs"), "--out", Path.Combine(dir, "report"));
        Assert.True(code == 0, output);
        Assert.True(Directory.Exists(Path.Combine(dir, "runs", "table1", "douban-sample", "dnn")), output);
        var rows = File.ReadAllLines(Path.Combine(dir, "report", "table1.csv"));
        var fromFile = rows.Single(r => r.StartsWith("douban-sample,"));
        var named = rows.Single(r => r.StartsWith("douban,"));
        Assert.Equal(fromFile["douban-sample".Length..], named["douban".Length..]);   // the same rows train the same model
    }

    [Fact]
    public void DescribeNeverOverwritesASchemaWithoutForce()
    {
        var folder = TestData.TempFolder();
        var events = DataInspectorTests.WriteEvents(folder, rows: 200);
        var schema = Path.Combine(folder, "mine.json");
        File.WriteAllText(schema, "{ \"edited\": true }");
        var (code, output) = Run("data", "describe", events.Path, "--schema-out", schema);
        CleanError(code, output);
        Assert.Contains("exists already; pass --force", output);
        Assert.Equal("{ \"edited\": true }", File.ReadAllText(schema));

        var (forced, log) = Run("data", "describe", events.Path, "--schema-out", schema, "--force");
        Assert.True(forced == 0, log);
        Assert.Contains("\"name\": \"events\"", File.ReadAllText(schema));
    }

    [Fact]
    public void DescribeSamplesLargeFilesAndSaysSo()
    {
        var folder = TestData.TempFolder();
        var events = DataInspectorTests.WriteEvents(folder, rows: 3000);
        var (code, output) = Run("data", "describe", events.Path, "--sample", "1000", "--no-schema");
        Assert.True(code == 0, output);
        Assert.Contains("3,000 rows; statistics from a random sample of 1,000 rows (seed 0)", Flat(output));
        Assert.False(File.Exists(Path.Combine(folder, "events.schema.json")));
    }

    [Theory]
    [InlineData("unknown_column.schema.json", "unknown_column.schema.json, line 6, column 32 (scenarioAgnostic[1].column): column 'shop' is not in the header")]
    [InlineData("misspelled_key.schema.json", "misspelled_key.schema.json, line 6, column 3 (scenarioAgnostc): unknown key")]
    [InlineData("not_json.schema.json", "not_json.schema.json, line 5")]
    [InlineData("contradicts_file.schema.json", "scenario_train.csv, line 2, column 3 'user': 'u1' is not a number")]
    [InlineData("no_positives.schema.json", "no_positives.csv, column 'label': the label has no positives")]
    [InlineData("one_scenario.schema.json", "one_scenario.csv, column 'scenario': the scenario column has one value ('a')")]
    [InlineData("all_filtered.schema.json", "all_filtered.csv: no rows are left after filtering: 3 read, 3 skipped")]
    [InlineData("infinite_label.schema.json", "infinite_label.csv, line 4, column 1 'rating': the label '1e999' is not a finite number")]
    public void BadSchemasAndDataAreCleanErrorsNamingFileLineAndColumn(string schema, string message)
    {
        var (code, output) = Run(TrainQuick(TestData.BadInput(schema)));
        CleanError(code, output);
        Assert.Contains(message, Flat(output));
    }

    [Theory]
    [InlineData("binary.csv", "not a text file: byte 1 is 0x1F")]
    [InlineData("utf16_no_bom.csv", "not a text file: byte 2 is 0x00")]
    [InlineData("", "is a directory, not a data file")]
    public void DescribeRefusesWhatIsNotATextFile(string name, string message)
    {
        var path = name.Length == 0 ? TestData.TempFolder() : TestData.BadInput(name);
        var (code, output) = Run("data", "describe", path, "--no-schema");
        CleanError(code, output);
        Assert.Contains(message, Flat(output));
        Assert.DoesNotContain(output, c => c == '\0' || (char.IsControl(c) && c is not ('\n' or '\r' or '\t')));
    }

    [Fact]
    public void DataFileOptionErrorsListTheKnownDatasets()
    {
        var (code, output) = Run("train", "--data", "file:");
        CleanError(code, output);
        Assert.Contains("'file:' needs the path of a schema file", output);
        var (unknown, text) = Run("train", "--data", "mydata.csv");
        CleanError(unknown, text);
        Assert.Contains("file:SCHEMA.json", text);
    }

    [Fact]
    public void DataDescribeHasHelp()
    {
        var (code, output) = Run("data", "describe", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--schema-out", output);
        Assert.Contains("--sample", output);
    }
}
