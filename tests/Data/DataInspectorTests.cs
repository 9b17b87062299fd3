using System.Globalization;
using MiDpg.Research.Data;
using Parquet;
using Parquet.Schema;

namespace MiDpg.Research.Tests.Data;

/// <summary>The data inspector (lib/Data/DataInspector.cs): statistics checked against the generated rows, and describe -> starter schema -> load of the same file, unchanged.</summary>
public class DataInspectorTests
{
    /// <summary>A file of one's own: conversions on 4 channels (each in a channel group), users, items with quoted commas, prices, a row id, a constant, a date.</summary>
    public sealed record Events(string Path, string[] Label, string[] Channel, string[] User, string[] Price)
    {
        public int Rows => Label.Length;
    }

    public static Events WriteEvents(string folder, int rows = 400, int seed = 7, char separator = ',', string name = "events.csv")
    {
        var random = new Random(seed);
        string[] channels = ["app", "web", "mini", "tv"];
        var label = new string[rows];
        var channel = new string[rows];
        var user = new string[rows];
        var price = new string[rows];
        var lines = new List<string> { string.Join(separator, "event_id", "converted", "channel", "channel_group", "user_id", "item", "price", "source", "day") };
        for (int r = 0; r < rows; r++)
        {
            channel[r] = channels[random.Next(channels.Length)];
            label[r] = random.NextDouble() < (channel[r] == "app" ? 0.4 : 0.2) ? "1" : "0";
            user[r] = random.Next(60).ToString(CultureInfo.InvariantCulture);
            price[r] = r % 25 == 3 ? "" : (random.Next(100, 10000) / 100.0).ToString("0.00", CultureInfo.InvariantCulture);
            string item = $"\"item {random.Next(30)}, size {random.Next(3)}\"";
            string group = channel[r] is "app" or "mini" ? "mobile" : "screen";
            string day = new DateTime(2025, 1, 1).AddDays(random.Next(90)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            lines.Add(string.Join(separator, 1000 + r, label[r], channel[r], group, user[r], item, price[r], "crawl", day));
        }
        var path = System.IO.Path.Combine(folder, name);
        File.WriteAllLines(path, lines);
        return new Events(path, label, channel, user, price);
    }

    [Fact]
    public void ProfilesEveryColumnFromTheRows()
    {
        var events = WriteEvents(TestData.TempFolder());
        var d = DataInspector.Inspect(events.Path);
        Assert.Equal(events.Rows, d.RowsRead);
        Assert.Equal(events.Rows, d.SampleRows);
        Assert.False(d.Sampled);
        Assert.Equal(',', d.Separator);
        ColumnProfile Column(string name) => d.Columns.Single(c => c.Name == name);

        Assert.Equal(ColumnKind.Binary, Column("converted").Kind);
        Assert.Equal(ColumnKind.Text, Column("channel").Kind);
        Assert.Equal(ColumnKind.Integer, Column("user_id").Kind);
        Assert.Equal(ColumnKind.Real, Column("price").Kind);
        Assert.Equal(ColumnKind.Timestamp, Column("day").Kind);
        Assert.Equal(events.User.Distinct().Count(), Column("user_id").Distinct);
        Assert.Equal(events.Price.Count(p => p == "") / (double)events.Rows, Column("price").MissingShare);
        var topChannel = events.Channel.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
        Assert.Equal(new ValueCount(topChannel.Key, topChannel.Count()), Column("channel").Top[0]);
        Assert.Contains(Column("item").Top, t => t.Value.Contains(", size "));   // quoted commas stay in the value

        Assert.Equal("converted", d.LabelColumn);
        Assert.Equal(LabelRule.Binary, d.Label);
        Assert.Equal("channel", d.ScenarioColumn);
        var balance = d.ScenarioCandidates.Single(k => k.Column == "channel");
        foreach (var v in balance.Values)
        {
            Assert.Equal(events.Channel.Count(c => c == v.Value), v.Rows);
            Assert.Equal(Enumerable.Range(0, events.Rows).Count(r => events.Channel[r] == v.Value && events.Label[r] == "1"), v.Positives);
        }

        Assert.Equal(ColumnRole.Label, Column("converted").Role);
        Assert.Equal(ColumnRole.Scenario, Column("channel").Role);
        Assert.Equal(ColumnRole.ScenarioAware, Column("channel_group").Role);      // the channel determines it
        Assert.Equal(ColumnRole.ScenarioAgnostic, Column("user_id").Role);
        Assert.Equal(ColumnRole.ScenarioAgnostic, Column("item").Role);
        Assert.Equal(ColumnRole.Numeric, Column("price").Role);
        Assert.Equal(ColumnRole.Timestamp, Column("day").Role);
        Assert.Equal(ColumnRole.Ignored, Column("event_id").Role);                 // a row id
        Assert.Equal(ColumnRole.Ignored, Column("source").Role);                   // one value

        var text = d.ToString();
        Assert.Contains($"channel: text, 4 distinct, 0.0% missing; top {topChannel.Key} ({topChannel.Count()})", text);
        Assert.Contains("label balance per channel: ", text);
        Assert.Contains("event_id: integer", text);
    }

    [Fact]
    public void TheStarterSchemaLoadsTheSameCsvUnchanged()
    {
        var folder = TestData.TempFolder();
        var events = WriteEvents(folder);
        var schemaPath = Path.Combine(folder, "events.schema.json");
        DataInspector.Inspect(events.Path).StarterSchema().Write(schemaPath);

        var file = SchemaFile.Read(schemaPath);
        Assert.Equal(events.Path, file.Files[0].Path);
        var loaded = file.Load();
        Assert.Equal(events.Rows, loaded.Report.RowsRead);
        Assert.Equal(events.Rows, loaded.All.Rows);
        Assert.Equal(events.Label.Select(l => l == "1" ? 1f : 0f).ToArray(), loaded.All.Labels);
        Assert.Equal(events.Channel.Select(c => loaded.All.ScenarioNames.ToList().IndexOf(c)).ToArray(), loaded.All.Scenario);
        Assert.Equal(["channel", "channel_group", "user_id", "item"], loaded.All.Fields.Select(f => f.Name));
        Assert.Equal(["price"], loaded.All.NumericFields);
        Assert.Equal(events.Price.Count(p => p == ""), loaded.Report.Count("price", HandlingReason.MissingNumericImputed));
        Assert.NotNull(loaded.Timestamps);
    }

    [Fact]
    public async Task TheStarterSchemaLoadsTheSameParquetFileUnchanged()
    {
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "clicks.parquet");
        int n = 300;
        var random = new Random(3);
        var site = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? "north" : i % 3 == 1 ? "south" : "east").ToArray();
        var label = Enumerable.Range(0, n).Select(i => random.NextDouble() < 0.3 ? 1 : 0).ToArray();
        var user = Enumerable.Range(0, n).Select(_ => (long)random.Next(40)).ToArray();
        var spend = Enumerable.Range(0, n).Select(i => i % 17 == 0 ? (double?)null : Math.Round(random.NextDouble() * 50, 3)).ToArray();
        var fields = new DataField[] { new DataField<string>("site"), new DataField<int>("is_conversion"), new DataField<long>("user"), new DataField<double?>("spend") };
        using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(fields[0], site);
            await rg.WriteAsync<int>(fields[1], label.AsMemory());
            await rg.WriteAsync<long>(fields[2], user.AsMemory());
            await rg.WriteAsync<double>(fields[3], spend.AsMemory());
        }

        var d = DataInspector.Inspect(path);
        Assert.True(d.IsParquet);
        Assert.Equal(("is_conversion", "site"), (d.LabelColumn, d.ScenarioColumn));
        Assert.Equal(spend.Count(s => s is null) / (double)n, d.Columns.Single(c => c.Name == "spend").MissingShare);
        var schemaPath = Path.Combine(folder, "clicks.json");
        d.StarterSchema().Write(schemaPath);
        var loaded = SchemaFile.Read(schemaPath).Load();
        Assert.Equal(n, loaded.All.Rows);
        Assert.Equal(label.Select(l => (float)l).ToArray(), loaded.All.Labels);
        Assert.Equal(site.Select(s => loaded.All.ScenarioNames.ToList().IndexOf(s)).ToArray(), loaded.All.Scenario);
        Assert.Equal(["site", "user"], loaded.All.Fields.Select(f => f.Name));
        Assert.Equal(["spend"], loaded.All.NumericFields);
    }

    [Fact]
    public void LargeFilesAreSampledUniformlyAndTheSampleSizeIsStated()
    {
        // Sorted by scenario: the first rows alone would show one scenario.
        var path = Path.Combine(TestData.TempFolder(), "sorted.csv");
        File.WriteAllLines(path, new[] { "label,scenario,user" }.Concat(Enumerable.Range(0, 5000).Select(i => $"{i % 3 % 2},{(i < 2500 ? "a" : "b")},u{i % 97}")));
        var progress = new List<long>();
        var d = DataInspector.Inspect(path, new InspectorOptions { SampleSize = 500, Progress = progress.Add });
        Assert.Equal(5000, d.RowsRead);
        Assert.Equal(500, d.SampleRows);
        Assert.True(d.Sampled);
        Assert.Contains("a uniform random sample of 500 of the 5,000 rows (seed 0)", d.Notes[0]);
        Assert.Equal(5000, progress[^1]);
        var a = d.Columns.Single(c => c.Name == "scenario").Top.Single(t => t.Value == "a").Count;
        Assert.InRange(a, 180, 320);   // binomial(500, 0.5): mean 250, sd 11
        var again = DataInspector.Inspect(path, new InspectorOptions { SampleSize = 500 });
        Assert.Equal(d.Columns.Select(c => c.Top[0]), again.Columns.Select(c => c.Top[0]));   // the seed fixes the sample
    }

    [Theory]
    [InlineData('\t')]
    [InlineData(';')]
    [InlineData(' ')]
    [InlineData('|')]
    public void TheSeparatorIsDetected(char separator)
    {
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "s.txt");
        File.WriteAllLines(path, new[] { $"label{separator}site{separator}tags" }
            .Concat(Enumerable.Range(0, 8).Select(i => $"{i % 2}{separator}{(i % 3 == 0 ? "a" : "b")}{separator}{(i % 2 == 0 ? "x,y" : "z")}")));
        Assert.Equal(separator, DataInspector.DetectSeparator(path));
        var d = DataInspector.Inspect(path);
        Assert.Equal(3, d.Columns.Count);
        Assert.Equal(separator, d.StarterSchema().Files[0].Separator);
    }

    [Fact]
    public void ANumericLabelGetsAThresholdAndATextLabelAPositiveValue()
    {
        var folder = TestData.TempFolder();
        var ratings = Path.Combine(folder, "ratings.csv");
        File.WriteAllLines(ratings, new[] { "rating,cat" }.Concat(Enumerable.Range(0, 40).Select(i => $"{1 + i % 5},{(i % 2 == 0 ? "x" : "y")}")));
        var d = DataInspector.Inspect(ratings, new InspectorOptions { LabelColumn = "rating" });
        Assert.Equal(LabelRule.AtLeast(3), d.Label);
        Assert.Contains(d.Notes, n => n.Contains("values >= 3"));

        var events = Path.Combine(folder, "kinds.csv");
        File.WriteAllLines(events, new[] { "event,cat" }.Concat(Enumerable.Range(0, 40).Select(i => $"{(i % 8 == 0 ? "buy" : "view")},{(i % 2 == 0 ? "x" : "y")}")));
        var e = DataInspector.Inspect(events, new InspectorOptions { LabelColumn = "event" });
        Assert.Equal(LabelRule.OneOf("buy"), e.Label);
        var loaded = e.StarterSchema().Load();
        Assert.Equal(5, loaded.All.Labels.Count(y => y == 1));
    }

    [Fact]
    public void WithoutALabelOrAScenarioThereIsNoStarterSchemaAndTheMessageSaysWhatToName()
    {
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "nolabel.csv");
        File.WriteAllLines(path, new[] { "score,site" }.Concat(Enumerable.Range(0, 20).Select(i => $"{i * 0.5},{(i % 2 == 0 ? "a" : "b")}")));
        var d = DataInspector.Inspect(path);
        Assert.Null(d.LabelColumn);
        Assert.Contains("--label", Assert.Throws<InvalidOperationException>(() => d.StarterSchema()).Message);

        var unknown = Assert.Throws<DataFormatException>(() => DataInspector.Inspect(path, new InspectorOptions { LabelColumn = "y" }));
        Assert.Contains("the label column 'y' is not in the header, which has 2 column(s): score, site", unknown.Message);
    }

    [Fact]
    public void MissingScenarioValuesAreSkippedAndCountedByTheStarterSchema()
    {
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "gaps.csv");
        File.WriteAllLines(path, new[] { "label,scenario,user" }.Concat(Enumerable.Range(0, 60).Select(i => $"{i % 2},{(i % 10 == 0 ? "" : i % 3 == 0 ? "a" : "b")},u{i % 7}")));
        var d = DataInspector.Inspect(path);
        Assert.Equal(6, d.ScenarioMissing);
        var file = d.StarterSchema();
        Assert.Equal(UnknownScenarioPolicy.Skip, file.Encoding.UnknownScenario);
        var loaded = file.Load();
        Assert.Equal(6, loaded.Report.Count(HandlingReason.MissingScenarioSkipped));
        Assert.Equal(54, loaded.All.Rows);
    }
}
