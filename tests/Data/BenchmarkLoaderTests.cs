using System.Globalization;
using MiDpg.Research.Data;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Tests.Data;

/// <summary>
/// The Scenario-Wise-Rec benchmark's datasets (<see cref="ScenarioWiseRec"/>) on their committed samples (Ali-CCP, Douban:
/// real) and hand-written fixtures (MovieLens-1M, KuaiRand-1K, Amazon 5-core, MIND), each checked against an independent
/// reading of the CSV (the framework's parser) with the benchmark's own rules written out here: layout, scenarios and
/// their names, labels row by row, rows per scenario, field types, split; and the errors for missing files and columns.
/// </summary>
public class BenchmarkLoaderTests
{
    /// <summary>One dataset as its run script in Scenario-Wise-Rec reads it: the oracle this test compares with.</summary>
    sealed record Case(
        BenchmarkDataset Dataset,
        string Header,
        string[] Scenarios,
        Func<Func<string, string>, string?> Scenario,   // row -> scenario name, null = left out by the benchmark
        Func<Func<string, string>, float> Label,
        string[] Agnostic,
        string[] Numeric,
        string ScenarioField);

    static readonly Dictionary<string, string> AgeGroup = new()
    {
        ["1"] = "under-25", ["18"] = "under-25", ["25"] = "25-34", ["35"] = "35-plus", ["45"] = "35-plus", ["50"] = "35-plus", ["56"] = "35-plus",
    };

    static readonly string[] KuaiRandSparse =
    [
        "user_id", "video_id", "user_active_degree", "is_lowactive_period", "is_live_streamer", "is_video_author",
        "follow_user_num_range", "fans_user_num_range", "friend_user_num_range", "register_days_range",
        .. Enumerable.Range(0, 18).Select(i => $"onehot_feat{i}"), "video_type", "visible_status", "server_width", "server_height",
    ];

    static readonly Case[] Cases =
    [
        new(ScenarioWiseRec.MovieLens1M, "user_id,movie_id,rating,timestamp,title,genres,gender,age,occupation,zip",
            ["under-25", "25-34", "35-plus"], r => AgeGroup[r("age")],
            r => int.Parse(r("rating"), CultureInfo.InvariantCulture) > 3 ? 1f : 0f,
            ["user_id", "movie_id", "gender", "occupation", "zip", "cate_id"], ["age"], "age_group"),
        new(ScenarioWiseRec.KuaiRand1K,
            "user_id,video_id,is_click,play_time_ms,duration_ms,profile_stay_time,comment_stay_time,tab,user_active_degree,is_lowactive_period," +
            "is_live_streamer,is_video_author,follow_user_num,follow_user_num_range,fans_user_num,fans_user_num_range,friend_user_num," +
            "friend_user_num_range,register_days,register_days_range," + string.Join(",", Enumerable.Range(0, 18).Select(i => $"onehot_feat{i}")) +
            ",video_type,visible_status,server_width,server_height",
            ["0", "1", "2", "4", "6"], r => r("tab") is "0" or "1" or "2" or "4" or "6" ? r("tab") : null,
            r => float.Parse(r("is_click"), CultureInfo.InvariantCulture),
            KuaiRandSparse, ["follow_user_num", "fans_user_num", "friend_user_num", "register_days"], "tab"),
        new(ScenarioWiseRec.AliCcp,
            "click,purchase,101,121,122,124,125,126,127,128,129,205,206,207,210,216,508,509,702,853,301,109_14,110_14,127_14,150_14," +
            "D109_14,D110_14,D127_14,D150_14,D508,D509,D702,D853",
            ["1", "2", "3"], r => r("301"), r => float.Parse(r("click"), CultureInfo.InvariantCulture),
            ["101", "121", "122", "124", "125", "126", "127", "128", "129", "205", "206", "207", "210", "216", "508", "509", "702", "853",
             "109_14", "110_14", "127_14", "150_14"],
            ["D109_14", "D110_14", "D127_14", "D150_14", "D508", "D509", "D702", "D853"], "301"),
        new(ScenarioWiseRec.Amazon5Core, "user,item,label,domain_indicator",
            ["beauty", "clothing", "health"], r => r("domain_indicator") switch { "0" => "beauty", "1" => "clothing", "2" => "health", var v => throw new InvalidDataException(v) },
            r => float.Parse(r("label"), CultureInfo.InvariantCulture), ["user", "item"], [], "domain"),
        new(ScenarioWiseRec.Douban, "user_id,item_id,rating,domain,living_place,join_time,time_bin",
            ["book", "music", "movie"], r => r("domain"), r => float.Parse(r("rating"), CultureInfo.InvariantCulture),
            ["user_id", "item_id", "living_place", "time_bin"], [], "domain"),
        new(ScenarioWiseRec.Mind, "User_ID,News_ID,label,Category,SubCategory",
            ["news", "lifestyle", "sports", "finance"], r => r("Category"), r => float.Parse(r("label"), CultureInfo.InvariantCulture),
            ["User_ID", "News_ID", "SubCategory"], [], "category"),
    ];

    public static TheoryData<string> Names => new(Cases.Select(c => c.Dataset.CliName));

    static Case Get(string cliName) => Cases.Single(c => c.Dataset.CliName == cliName);

    /// <summary>Every row of the sample's files, in file order, as a column lookup.</summary>
    static List<Func<string, string>> Rows(SchemaFile schema, string header)
    {
        var rows = new List<Func<string, string>>();
        foreach (var file in schema.Files)
        {
            var (h, data) = TestData.ParseWithFramework(file.Path, ",");
            Assert.Equal(header, string.Join(",", h));   // exactly the benchmark's layout
            foreach (var row in data) rows.Add(column => row[Array.IndexOf(h, column)]);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SampleLoadsWithThePublishedScenariosLabelsAndFields(string cliName)
    {
        var c = Get(cliName);
        var schema = ScenarioWiseRec.Sample(c.Dataset);
        var rows = Rows(schema, c.Header);
        var loaded = schema.Load();
        var all = loaded.All;

        // Scenarios as published, ids in the benchmark's domain_indicator order.
        Assert.Equal(c.Scenarios, all.ScenarioNames);
        Assert.Equal(c.ScenarioField, all.Fields[0].Name);
        var kept = rows.Where(r => c.Scenario(r) is not null).ToList();
        Assert.Equal(kept.Count, all.Rows);
        Assert.Equal(rows.Count - kept.Count, loaded.Report.Count(HandlingReason.UndeclaredScenarioSkipped));
        Assert.Equal(rows.Count, loaded.Report.RowsRead);

        // Rows per scenario equal a direct count of the CSV; every row's scenario and label as the benchmark computes them.
        Assert.Equal(c.Scenarios.Select(s => kept.Count(r => c.Scenario(r) == s)), all.ScenarioCounts());
        Assert.Equal(kept.Select(r => c.Scenario(r)!), all.Scenario.Select(s => all.ScenarioNames[s]));
        Assert.Equal(kept.Select(c.Label), all.Labels);

        // Fields typed as declared: the scenario is the only scenario-aware field, the rest sparse ids, the dense ones numeric.
        Assert.Equal([c.ScenarioField], all.FieldIndices(FieldRole.ScenarioAware).Select(i => all.Fields[i].Name));
        Assert.Equal(c.Agnostic, all.FieldIndices(FieldRole.ScenarioAgnostic).Select(i => all.Fields[i].Name));
        Assert.Equal(c.Numeric, all.NumericFields);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SplitIsTheBenchmarksAndFixturesTrainEveryScenarioOnBothClasses(string cliName)
    {
        var c = Get(cliName);
        var loaded = ScenarioWiseRec.Load(c.Dataset);
        var split = loaded.Split;
        Assert.Equal(loaded.All.Rows, split.Rows);
        if (c.Dataset.SplitInFiles)
        {
            // Ali-CCP: the three files are the split.
            Assert.Equal(SplitRule.Predefined(), split.Rule);
            var files = ScenarioWiseRec.Sample(c.Dataset).Files;
            Assert.Equal(files.Select(f => TestData.ParseWithFramework(f.Path, ",").Rows.Count), [split.Train.Length, split.Valid.Length, split.Test.Length]);
            Assert.Equal([100, 50, 50], [split.Train.Length, split.Valid.Length, split.Test.Length]);
        }
        else
        {
            // torch random_split 80/10/10 over all rows, fixed here with seed 0 (not per scenario).
            Assert.Equal(SplitRule.Random(0.8, 0.1, seed: 0, stratifyByScenario: false), split.Rule);
            int n = loaded.All.Rows;
            Assert.Equal((int)Math.Round(n * 0.8), split.Train.Length);
            Assert.Equal((int)Math.Round(n * 0.1), split.Valid.Length);
        }
        Assert.Empty(split.Train.Intersect(split.Valid).Concat(split.Train.Intersect(split.Test)).Concat(split.Valid.Intersect(split.Test)));
        if (!c.Dataset.SampleIsReal)
        {
            var train = loaded.Train;
            for (int s = 0; s < train.ScenarioCount; s++)
            {
                var labels = Enumerable.Range(0, train.Rows).Where(i => train.Scenario[i] == s).Select(i => train.Labels[i]).ToList();
                Assert.True(labels.Contains(0f) && labels.Contains(1f), $"{cliName}: scenario {train.ScenarioNames[s]} lacks a class in train");
            }
        }
    }

    [Fact]
    public void MovieLensLabelIsRatingAboveThreeOnTheOneToFiveScale()
    {
        var schema = ScenarioWiseRec.Sample(ScenarioWiseRec.MovieLens1M);
        Assert.Equal(LabelRule.Above(3).WithRange(1, 5), schema.Schema.Label);
        var rows = Rows(schema, Get("movielens").Header);
        var ratings = rows.Select(r => r("rating")).Distinct().Order().ToArray();
        Assert.Equal(["1", "2", "3", "4", "5"], ratings);   // the fixture uses the whole scale, 3 (negative) and 4 (positive) included
        // A rating outside 1-5 is an error naming the line, not a label.
        var folder = TestData.TempFolder();
        var (header, data) = TestData.ParseWithFramework(schema.Files[0].Path, ",");
        string Changed(int record, string column, string value)
        {
            var path = Path.Combine(folder, "ml-1m.csv");
            WriteCsv(path, header, data.Select((r, i) => i != record ? r : r.Select((v, j) => header[j] == column ? value : v).ToArray()));
            return path;
        }
        var e = Assert.Throws<DataFormatException>(() => ScenarioWiseRec.Load(ScenarioWiseRec.MovieLens1M, Changed(4, "rating", "7")));
        Assert.Equal(6, e.Line);
        Assert.Equal("rating", e.Column);
        // An age code outside the three groups is an error naming the line and the column, as the benchmark's grouping would fail.
        var age = Assert.Throws<DataFormatException>(() => ScenarioWiseRec.Load(ScenarioWiseRec.MovieLens1M, Changed(2, "age", "30")));
        Assert.Equal(4, age.Line);
        Assert.Equal("age", age.Column);
        Assert.Contains("'30'", age.Message);
        Assert.Contains("1, 18 -> under-25; 25 -> 25-34; 35, 45, 50, 56 -> 35-plus", age.Message);
    }

    /// <summary>A CSV with RFC 4180 quoting where a field holds a comma or a quote.</summary>
    static void WriteCsv(string path, IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows)
    {
        static string Line(IEnumerable<string> fields) =>
            string.Join(",", fields.Select(v => v.Contains(',') || v.Contains('"') ? $"\"{v.Replace("\"", "\"\"")}\"" : v));
        File.WriteAllLines(path, new[] { Line(header) }.Concat(rows.Select(Line)));
    }

    [Fact]
    public void FullFileIsFoundAsFileOrFolderAndNamedAsTheBenchmark()
    {
        var folder = TestData.TempFolder();
        var fixture = ScenarioWiseRec.Sample(ScenarioWiseRec.MovieLens1M).Files[0].Path;
        File.Copy(fixture, Path.Combine(folder, "ml-1m.csv"));
        var byFolder = ScenarioWiseRec.Schema(ScenarioWiseRec.MovieLens1M, folder);
        Assert.Equal("movielens-1m", byFolder.Schema.Name);
        Assert.Equal(Path.Combine(folder, "ml-1m.csv"), byFolder.Files.Single().Path);
        var byFile = ScenarioWiseRec.Load(ScenarioWiseRec.MovieLens1M, Path.Combine(folder, "ml-1m.csv"));
        var sample = ScenarioWiseRec.Load(ScenarioWiseRec.MovieLens1M);
        Assert.Equal(sample.All.Labels, byFile.All.Labels);
        Assert.Equal(sample.All.Categorical, byFile.All.Categorical);
        Assert.Equal("movielens-1m", byFile.All.Name);
        Assert.Equal("movielens-1m-fixture", sample.All.Name);

        // A folder holding the name the run script reads (kuairand_sample.csv) is found too.
        File.Copy(ScenarioWiseRec.Sample(ScenarioWiseRec.KuaiRand1K).Files[0].Path, Path.Combine(folder, "kuairand_sample.csv"));
        Assert.Equal(Path.Combine(folder, "kuairand_sample.csv"), ScenarioWiseRec.Files(ScenarioWiseRec.KuaiRand1K, folder).Single().Path);
    }

    [Fact]
    public void AliCcpFindsValAndTestBesideTheTrainFileOrInTheFolder()
    {
        var sample = ScenarioWiseRec.Sample(ScenarioWiseRec.AliCcp).Files;
        var folder = TestData.TempFolder();
        foreach (var (f, name) in sample.Zip(new[] { "ali_ccp_train.csv", "ali_ccp_val.csv", "ali_ccp_test.csv" })) File.Copy(f.Path, Path.Combine(folder, name));
        var byFolder = ScenarioWiseRec.Files(ScenarioWiseRec.AliCcp, folder);
        Assert.Equal(["ali_ccp_train.csv", "ali_ccp_val.csv", "ali_ccp_test.csv"], byFolder.Select(f => Path.GetFileName(f.Path)));
        Assert.Equal([SplitPart.Train, SplitPart.Valid, SplitPart.Test], byFolder.Select(f => f.Part!.Value));
        var byTrain = ScenarioWiseRec.Files(ScenarioWiseRec.AliCcp, sample[0].Path);
        Assert.Equal(sample, byTrain);
        var loaded = ScenarioWiseRec.Load(ScenarioWiseRec.AliCcp, Path.Combine(folder, "ali_ccp_train.csv"));
        Assert.Equal("ali-ccp", loaded.All.Name);
        Assert.Equal([100, 50, 50], [loaded.Split.Train.Length, loaded.Split.Valid.Length, loaded.Split.Test.Length]);

        // The val file missing: the error names the file it looked for.
        File.Delete(Path.Combine(folder, "ali_ccp_val.csv"));
        var missing = Assert.Throws<FileNotFoundException>(() => ScenarioWiseRec.Files(ScenarioWiseRec.AliCcp, folder));
        Assert.Contains(Path.Combine(folder, "ali_ccp_val.csv"), missing.Message);
        // A file that is not a train file: say what to give.
        var notTrain = Assert.Throws<ArgumentException>(() => ScenarioWiseRec.Files(ScenarioWiseRec.AliCcp, Path.Combine(folder, "ali_ccp_test.csv")));
        Assert.Contains("train file", notTrain.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MissingFileGivesAnErrorNamingIt(string cliName)
    {
        var dataset = Get(cliName).Dataset;
        var path = Path.Combine(TestData.TempFolder(), "not-there", dataset.FileNames[0]);
        var e = Assert.Throws<FileNotFoundException>(() => ScenarioWiseRec.Schema(dataset, path));
        Assert.Contains(path, e.Message);
        Assert.Contains(dataset.Title, e.Message);
        Assert.Contains("Benchmark datasets", e.Message);
        var empty = TestData.TempFolder();
        var inFolder = Assert.Throws<FileNotFoundException>(() => ScenarioWiseRec.Schema(dataset, empty));
        Assert.Contains(empty, inFolder.Message);
        Assert.Contains(dataset.FileNames[0], inFolder.Message);
        // On the command line: an argument error (one line `error: --data: ...`), raised before any training.
        var cli = Assert.Throws<ArgumentException>(() => DatasetSource.Parse($"{cliName}:{path}"));
        Assert.Contains(path, cli.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void FileMissingARequiredColumnNamesTheColumnAndTheFile(string cliName)
    {
        var c = Get(cliName);
        var sample = ScenarioWiseRec.Sample(c.Dataset);
        var folder = TestData.TempFolder();
        // Drop the label column from a copy of the sample, keeping the rest of the layout.
        var (header, rows) = TestData.ParseWithFramework(sample.Files[0].Path, ",");
        var label = sample.Schema.LabelColumn;
        int drop = Array.IndexOf(header, label);
        var copies = sample.Files.Select(f => Path.Combine(folder, Path.GetFileName(f.Path).Replace("_sample", ""))).ToList();
        WriteCsv(copies[0], header.Where((_, i) => i != drop), rows.Select(r => r.Where((_, i) => i != drop)));
        for (int i = 1; i < copies.Count; i++) File.Copy(sample.Files[i].Path, copies[i]);
        var e = Assert.Throws<SchemaFileException>(() => ScenarioWiseRec.Load(c.Dataset, copies[0]));
        Assert.Contains($"'{label}'", e.Message);
        Assert.Contains(copies[0], e.Message);
        Assert.Equal("label.column", e.JsonPath);
        Assert.EndsWith(c.Dataset.SchemaFileName, e.File);
    }

    [Fact]
    public void CommandLineNamesWithNoticesForSamples()
    {
        foreach (var c in Cases.Where(c => c.Dataset != ScenarioWiseRec.Douban))
        {
            var source = DatasetSource.Parse(c.Dataset.CliName);
            Assert.Equal(ScenarioWiseRec.Sample(c.Dataset).Schema.Name, source.Name);
            Assert.NotNull(source.Notice);
            Assert.Contains(c.Dataset.SampleIsReal ? "real sample" : "hand-written fixture", source.Notice);
            Assert.Contains($"{c.Dataset.CliName}:PATH", source.Notice);
            var data = source.Load();
            Assert.Equal(c.Scenarios, data.Train.ScenarioNames);
            Assert.Contains(c.Dataset.SampleIsReal ? "shipped sample" : "not real data", data.Description);
        }
        // `douban` stays the shipped sample as before; `douban:PATH` is the benchmark's declaration over that file.
        var douban = DatasetSource.Parse("douban");
        Assert.Equal("douban", douban.Name);
        Assert.Null(douban.Notice);
        var full = DatasetSource.Parse("douban:" + ScenarioWiseRec.Sample(ScenarioWiseRec.Douban).Files[0].Path);
        Assert.Equal("douban-benchmark", full.Name);
        Assert.Null(full.Notice);
        Assert.Equal(["book", "music", "movie"], full.Load().Train.ScenarioNames);
        // `amazon` stays marketBias Electronics; the benchmark's Amazon is amazon5.
        Assert.Equal("amazon", DatasetSource.Parse("amazon:/x/df_electronics.csv").Name);
        var unknown = Assert.Throws<ArgumentException>(() => DatasetSource.Parse("movielens1m"));
        foreach (var name in new[] { "movielens", "kuairand", "ali-ccp", "amazon5", "douban:path", "mind" }) Assert.Contains(name, unknown.Message);
    }

    [Fact]
    public void CatalogueMatchesTheSchemaFiles()
    {
        Assert.Equal(6, ScenarioWiseRec.All.Count);
        Assert.Equal(ScenarioWiseRec.All.Count, ScenarioWiseRec.All.Select(d => d.CliName).Distinct().Count());
        foreach (var d in ScenarioWiseRec.All)
        {
            Assert.Same(d, ScenarioWiseRec.Find(d.CliName.ToUpperInvariant()));
            var schema = ScenarioWiseRec.Sample(d);
            Assert.NotNull(schema.Schema.ScenarioValues);
            Assert.DoesNotContain(schema.Schema.Name, ScenarioWiseRec.All.Select(x => x.Name));   // a sample never takes the full data's name
            Assert.Equal(d.SplitInFiles, schema.Files.All(f => f.Part is not null));
            foreach (var f in schema.Files) Assert.True(File.Exists(f.Path), f.Path);
        }
        Assert.Null(ScenarioWiseRec.Find("amazon"));
    }
}
