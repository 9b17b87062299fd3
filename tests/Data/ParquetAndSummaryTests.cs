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
    public async Task ParquetRowGroupsAreReadInOrderWithRowNumbersAsLines()
    {
        var path = Path.Combine(TestData.TempFolder(), "groups.parquet");
        var fields = new DataField[] { new DataField<int>("label"), new DataField<string>("scenario"), new DataField<string>("user"), new DataField<string>("item"), new DataField<float>("price") };
        using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
            for (int g = 0; g < 3; g++)
            {
                using var rg = writer.CreateRowGroup();
                int n = 4 + g;
                await rg.WriteAsync<int>(fields[0], Enumerable.Range(0, n).Select(i => i % 2).ToArray().AsMemory());
                await rg.WriteAsync(fields[1], Enumerable.Range(0, n).Select(i => g == 2 && i == 5 ? "bad" : "s" + (i % 2)).ToArray());
                await rg.WriteAsync(fields[2], Enumerable.Range(0, n).Select(i => $"u{g}_{i}").ToArray());
                await rg.WriteAsync(fields[3], Enumerable.Range(0, n).Select(i => $"i{i}").ToArray());
                await rg.WriteAsync<float>(fields[4], Enumerable.Range(0, n).Select(i => (float)i).ToArray().AsMemory());
            }
        }
        using (var reader = new ParquetRecordReader(path))
        {
            var users = new List<string>();
            while (reader.Read()) users.Add(reader.Field(2).ToString());
            Assert.Equal(Enumerable.Range(0, 3).SelectMany(g => Enumerable.Range(0, 4 + g).Select(i => $"u{g}_{i}")), users);
        }
        // Trained on a CSV without scenario "bad", the Parquet file is the test part; "bad" sits in row group 3
        // at row 6, i.e. data row 4 + 5 + 6 = 15, reported as line 16 (as if a header were line 1).
        var train = TestData.WriteSimpleCsv(TestData.TempFolder(), "train.csv", [(1, "s0", "u", "i", "1"), (0, "s1", "u", "i", "2")]);
        DataFile[] files = [new(train, ',', SplitPart.Train), new(path, ',', SplitPart.Test)];
        var strict = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(TestData.Simple, SplitRule.Predefined(), files));
        Assert.Equal(4 + 5 + 6 + 1, strict.Line);
        Assert.Equal(path, strict.File);
        var lenient = DatasetLoader.Load(TestData.Simple, SplitRule.Predefined(), new EncodingOptions { UnknownScenario = UnknownScenarioPolicy.Skip }, files);
        Assert.Equal(1, lenient.Report.Count(HandlingReason.UnknownScenarioSkipped));
        Assert.Equal(4 + 5 + 6 - 1, lenient.Test.Rows);
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

        var loaded = DatasetLoader.Load(TestData.Simple, SplitRule.Random(1.0, 0.0), new DataFile(TestData.BadInput("crlf.csv")));
        var report = DatasetSummary.ReportFrame(loaded.Report);
        Assert.Equal(loaded.Report.Entries.Count, report.Rows.Count);
    }

    [Fact]
    public void SampleFrameShowsAwareThenAgnosticFieldsScenarioAndLabel()
    {
        var synthetic = SyntheticScenarios.Generate(new SyntheticConfig { Rows = 500, Users = 80, Items = 30, Seed = 3 });
        var data = synthetic.Data;
        var frame = DatasetSummary.SampleFrame(data, 5, synthetic.Encoder);
        Assert.Equal(5, frame.Rows.Count);
        var names = frame.Columns.Select(c => c.Name).ToList();
        Assert.Equal(["row", "aw:scenario", "aw:channel", "ag:user_id", "ag:item_id", "ag:brand", "ag:user_segment",
                      "num:price_score", "num:user_activity", "scenario", "y"], names);
        Assert.Equal(data.ScenarioNames[data.Scenario[2]], (string)frame["scenario"][2]!);
        Assert.Equal(data.Labels[4], (float)frame["y"][4]!);
        long id = data.Id(1, data.FieldIndex("user_id"));
        Assert.Equal($"{id} {synthetic.Encoder.Vocabularies[data.FieldIndex("user_id")].TokenOf(id)}", (string)frame["ag:user_id"][1]!);
        Assert.Equal(id.ToString(), (string)DatasetSummary.SampleFrame(data, 3)["ag:user_id"][1]!);
        Assert.Equal(data.Rows, DatasetSummary.SampleFrame(data, 10_000).Rows.Count);
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
