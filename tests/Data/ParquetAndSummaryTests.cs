using MiDpg.Research.Data;
using Parquet;
using Parquet.Schema;

namespace MiDpg.Research.Tests.Data;

public class ParquetAndSummaryTests
{
    [Fact]
    public async Task ParquetFileEncodesLikeTheSameCsv()
    {
        var folder = TestData.TempFolder();
        int[] labels = [1, 0, 1, 0, 1, 1];
        string[] scenario = ["a", "b", "a", "b", "c", "a"];
        string?[] user = ["u1", null, "u2", "u1", "u3", "u2"];
        long[] item = [10, 11, 10, 12, 13, 11];
        double?[] price = [1.5, 2.5, null, 4.25, 5.0, 0.5];

        var csv = TestData.WriteSimpleCsv(folder, "simple.csv",
            Enumerable.Range(0, labels.Length).Select(i => (labels[i], scenario[i], user[i] ?? "", item[i].ToString(), price[i]?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "")));

        var parquet = Path.Combine(folder, "simple.parquet");
        var fields = new DataField[] { new DataField<int>("label"), new DataField<string>("scenario"), new DataField<string>("user"), new DataField<long>("item"), new DataField<double?>("price") };
        using (var stream = File.Create(parquet))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync<int>(fields[0], labels.AsMemory());
            await rg.WriteAsync(fields[1], scenario);
            await rg.WriteAsync(fields[2], user!);
            await rg.WriteAsync<long>(fields[3], item.AsMemory());
            await rg.WriteAsync<double>(fields[4], price.AsMemory());
        }

        var rule = SplitRule.Random(1.0, 0.0, seed: 1);
        var fromCsv = DatasetLoader.Load(TestData.Simple, rule, new DataFile(csv));
        var fromParquet = DatasetLoader.Load(TestData.Simple, rule, new DataFile(parquet));
        Assert.Equal(fromCsv.All.Categorical, fromParquet.All.Categorical);
        Assert.Equal(fromCsv.All.Numeric, fromParquet.All.Numeric);
        Assert.Equal(fromCsv.All.Labels, fromParquet.All.Labels);
        Assert.Equal(1, fromParquet.Report.Count("user", HandlingReason.MissingCategorical));
        Assert.Equal(1, fromParquet.Report.Count("price", HandlingReason.MissingNumericImputed));
    }

    [Fact]
    public void SummariesCountPerScenario()
    {
        var data = SyntheticScenarios.Generate(new SyntheticConfig { Rows = 5_000, Users = 800, Items = 300, Seed = 8 }).Data;
        var summary = DatasetSummary.Scenarios(data);
        Assert.Equal(data.ScenarioCount, summary.Count);
        Assert.Equal(data.Rows, summary.Sum(s => s.Rows));
        Assert.Equal((int)data.Labels.Sum(), summary.Sum(s => s.Positives));
        int user = data.FieldIndex("user_id");
        var s0 = Enumerable.Range(0, data.Rows).Where(r => data.Scenario[r] == 0).ToList();
        Assert.Equal(s0.Select(r => data.Id(r, user)).Distinct().Count(), summary[0].DistinctUsers);

        var frame = DatasetSummary.ScenarioFrame(data);
        Assert.Equal(data.ScenarioCount, frame.Rows.Count);
        Assert.Equal(summary[1].PositiveRate, (double)frame["positive_rate"][1]!);
        var fields = DatasetSummary.FieldFrame(data);
        Assert.Equal(data.FieldCount, fields.Rows.Count);
        Assert.Equal(data.Fields[2].VocabularySize, (int)fields["vocabulary_size"][2]!);

        var deedle = DatasetSummary.ScenarioDeedle(data);
        Assert.Equal(data.ScenarioCount, deedle.RowCount);
        Assert.Contains("PositiveRate", deedle.ColumnKeys);
        Assert.Equal(data.FieldCount, DatasetSummary.FieldDeedle(data).RowCount);
    }

    [Fact]
    public void BenchmarkRunsOnASmallFile()
    {
        var result = DataBenchmark.Run(20_000);
        Assert.Equal(20_000, result.Rows);
        Assert.True(result.RowsPerSecond > 0);
        Assert.False(File.Exists(result.File));
    }
}
