using System.Globalization;
using MiDpg.Research.Data;

namespace MiDpg.Research.Tests.Data;

/// <summary>Amazon Electronics and IJCAI-18 loaders on fixture files in their published formats, and the shipped real samples.</summary>
public class BuiltInDatasetTests
{
    static readonly string AmazonFixture = TestData.Fixture("amazon_electronics_fixture.csv");
    static readonly string IjcaiFixture = TestData.Fixture("ijcai18_fixture.txt");

    [Fact]
    public void AmazonFixtureFollowsThePublishedHeader()
    {
        var (header, _) = TestData.ParseWithFramework(AmazonFixture, ",");
        Assert.Equal("item_id,user_id,rating,timestamp,model_attr,category,brand,year,user_attr,split", string.Join(",", header));
    }

    [Fact]
    public void AmazonLoadsWithCategoriesAsScenariosAndTheFilesOwnSplit()
    {
        var (header, rows) = TestData.ParseWithFramework(AmazonFixture, ",");
        int Col(string name) => Array.IndexOf(header, name);
        var loaded = AmazonElectronics.Load(AmazonFixture);
        var all = loaded.All;
        Assert.Equal(rows.Count, all.Rows);
        Assert.Equal(rows.Select(r => r[Col("category")]).Distinct().Order(StringComparer.Ordinal), all.ScenarioNames);
        Assert.Equal(rows.Select(r => double.Parse(r[Col("rating")], CultureInfo.InvariantCulture) >= 4 ? 1f : 0f), all.Labels);
        Assert.Equal(rows.Count(r => r[Col("split")] == "0"), loaded.Split.Train.Length);
        Assert.Equal(rows.Count(r => r[Col("split")] == "2"), loaded.Split.Test.Length);
        // Quoted brands with a comma or doubled quotes are single values.
        var brands = loaded.Encoder.Vocabularies[all.FieldIndex("brand")].Tokens;
        Assert.Contains("Belkin, Inc.", brands);
        Assert.Contains("Nikon \"Pro\" Line", brands);
        // Empty brand / user_attr / year are missing values, counted.
        foreach (var field in new[] { "brand", "user_attr", "year" })
            Assert.Equal(rows.Count(r => r[Col(field)] == ""), loaded.Report.Count(field, HandlingReason.MissingCategorical));
        Assert.Equal(["category"], all.FieldIndices(FieldRole.ScenarioAware).Select(i => all.Fields[i].Name));
        Assert.Equal(["user_id", "item_id", "brand", "model_attr", "user_attr", "year"], all.FieldIndices(FieldRole.ScenarioAgnostic).Select(i => all.Fields[i].Name));
        Assert.Equal(rows.Select(r => RawSeconds(r[Col("timestamp")])), loaded.Timestamps!);
    }

    static long RawSeconds(string date) => new DateTimeOffset(DateTime.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture), TimeSpan.Zero).ToUnixTimeSeconds();

    [Fact]
    public void AmazonLabelOptionAboveThreeDiffersOnlyOnHalfStars()
    {
        var (header, rows) = TestData.ParseWithFramework(AmazonFixture, ",");
        var ratings = rows.Select(r => double.Parse(r[Array.IndexOf(header, "rating")], CultureInfo.InvariantCulture)).ToArray();
        var atLeast4 = AmazonElectronics.Load(AmazonFixture).All.Labels;
        var above3 = AmazonElectronics.Load(AmazonFixture, new AmazonOptions { Label = LabelRule.Above(3) }).All.Labels;
        int differ = atLeast4.Zip(above3).Count(p => p.First != p.Second);
        Assert.Equal(ratings.Count(x => x > 3 && x < 4), differ);
        Assert.True(differ > 0, "the fixture must hold a rating strictly between 3 and 4");
    }

    [Fact]
    public void AmazonRandomSplitOptionAndUnknownCategory()
    {
        var loaded = AmazonElectronics.Load(AmazonFixture, new AmazonOptions { Split = SplitRule.Random(0.6, 0.2, seed: 1, stratifyByScenario: true) });
        Assert.Equal(loaded.All.Rows, loaded.Split.Rows);
        // A category that only occurs in the test split is an error naming the line.
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "df_electronics.csv");
        File.WriteAllLines(path, File.ReadAllLines(AmazonFixture).Append("10,13,5.0,2016-01-01,Female,Wearable Technology,Fitbit,2016,,2"));
        var e = Assert.Throws<DataFormatException>(() => AmazonElectronics.Load(path));
        Assert.Equal(File.ReadAllLines(path).Length, e.Line);
        Assert.Contains("Wearable Technology", e.Message);
    }

    static (string[] Header, List<string[]> Rows) IjcaiRows() => TestData.ParseWithFramework(IjcaiFixture, " ");

    [Fact]
    public void IjcaiSecondLevelCategoryScenarios()
    {
        var (header, rows) = IjcaiRows();
        Assert.Equal(27, header.Length);
        Assert.Equal("is_trade", header[^1]);
        int cat = Array.IndexOf(header, "item_category_list");
        var secondLevel = rows.Select(r => r[cat].Split(';')).Select(p => p.Length > 1 ? p[1] : null).ToList();

        // One item in the fixture lists only the first level: its scenario is missing, an error by default ...
        var e = Assert.Throws<DataFormatException>(() => IjcaiAdConversion.Load(IjcaiFixture));
        Assert.Equal(secondLevel.IndexOf(null) + 2, e.Line);
        Assert.Equal(("item_category_list", cat + 1), (e.Column, e.ColumnIndex));

        // ... and a counted skip on request.
        var options = new IjcaiOptions
        {
            Split = SplitRule.Random(0.6, 0.2, seed: 0, stratifyByScenario: true),
            Encoding = new EncodingOptions { UnknownScenario = UnknownScenarioPolicy.Skip },
        };
        var loaded = IjcaiAdConversion.Load(IjcaiFixture, options);
        Assert.Equal(secondLevel.Count(s => s is null), loaded.Report.Count(HandlingReason.MissingScenarioSkipped));
        Assert.Equal(secondLevel.Where(s => s is not null).Distinct().Order(StringComparer.Ordinal), loaded.All.ScenarioNames);
        Assert.Equal(rows.Where((_, i) => secondLevel[i] is not null).Select(r => float.Parse(r[^1], CultureInfo.InvariantCulture)), loaded.All.Labels);

        // -1 values are missing and counted; list lengths become numbers.
        var kept = rows.Where((_, i) => secondLevel[i] is not null).ToList();
        int brand = Array.IndexOf(header, "item_brand_id"), rate = Array.IndexOf(header, "shop_review_positive_rate");
        Assert.Equal(kept.Count(r => r[brand] == "-1"), loaded.Report.Count("item_brand_id", HandlingReason.MissingCategorical));
        Assert.Equal(kept.Count(r => r[rate] == "-1"), loaded.Report.Count("shop_review_positive_rate", HandlingReason.MissingNumericImputed));
        int props = Array.IndexOf(header, "item_property_list");
        // Statistics come from the training rows (All keeps the file order of the kept rows).
        var counts = kept.Select(r => (double)r[props].Split(';').Length).ToArray();
        Assert.Equal(loaded.Split.Train.Select(i => counts[i]).Average(), loaded.Encoder.NumericMean[loaded.Encoder.NumericFields.ToList().IndexOf("item_property_count")], 9);
        Assert.Equal(["item_category", "context_page_id"], loaded.All.FieldIndices(FieldRole.ScenarioAware).Select(i => loaded.All.Fields[i].Name));
    }

    [Fact]
    public void IjcaiGenderScenarioKeepsUnknownGenderAsADomain()
    {
        var (header, rows) = IjcaiRows();
        int gender = Array.IndexOf(header, "user_gender_id");
        var loaded = IjcaiAdConversion.Load(IjcaiFixture, new IjcaiOptions { Scenario = IjcaiScenario.UserGender, Split = SplitRule.Random(1.0, 0.0) });
        Assert.Equal(rows.Select(r => r[gender]).Distinct().Order(), loaded.All.ScenarioNames.Order());
        Assert.Contains("-1", loaded.All.ScenarioNames);
        Assert.Equal(rows.Count, loaded.All.Rows);
        // The category is now an ordinary scenario-aware attribute: a missing second level is a counted missing value.
        Assert.Equal(1, loaded.Report.Count("item_category", HandlingReason.MissingCategorical));
    }

    [Fact]
    public void IjcaiPageScenario()
    {
        var (header, rows) = IjcaiRows();
        int page = Array.IndexOf(header, "context_page_id");
        var loaded = IjcaiAdConversion.Load(IjcaiFixture, new IjcaiOptions { Scenario = IjcaiScenario.ContextPage, Split = SplitRule.ByTime(1.0, 0.0) });
        Assert.Equal(rows.Select(r => r[page]).Distinct().Count(), loaded.All.ScenarioCount);
    }

    [Fact]
    public void DoubanSampleHasThreeDomains()
    {
        var loaded = RealSamples.Douban();
        var (header, rows) = TestData.ParseWithFramework(Path.Combine(RealSamples.Folder, "scenario-wise-rec", "douban_sample.csv"), ",");
        Assert.Equal(rows.Count, loaded.All.Rows);
        Assert.Equal(["book", "movie", "music"], loaded.All.ScenarioNames);
        Assert.Equal(rows.Count(r => r[Array.IndexOf(header, "rating")] == "1") / (double)rows.Count, loaded.All.PositiveRate, 9);
        Assert.Contains("北京", loaded.Encoder.Vocabularies[loaded.All.FieldIndex("living_place")].Tokens);
    }

    [Fact]
    public void AliCcpSampleComesInThreeFiles()
    {
        var loaded = RealSamples.AliCcp();
        var dir = Path.Combine(RealSamples.Folder, "scenario-wise-rec");
        int Count(string f) => TestData.ParseWithFramework(Path.Combine(dir, f), ",").Rows.Count;
        Assert.Equal((Count("ali_ccp_train_sample.csv"), Count("ali_ccp_val_sample.csv"), Count("ali_ccp_test_sample.csv")),
            (loaded.Split.Train.Length, loaded.Split.Valid.Length, loaded.Split.Test.Length));
        Assert.Equal(["1", "2", "3"], loaded.All.ScenarioNames);
        Assert.Equal(8, loaded.All.NumericCount);
        var frame = DatasetSummary.ScenarioFrame(loaded);      // user/item fields named by the schema ("101", "205")
        Assert.Equal(loaded.All.ScenarioCount, frame.Rows.Count);
        Assert.True((int)frame["distinct_users"][0]! > 0);
    }

    [Fact]
    public void FuxiCtrSampleUsesPid()
    {
        var loaded = RealSamples.FuxiCtr();
        var (header, rows) = TestData.ParseWithFramework(Path.Combine(RealSamples.Folder, "fuxictr", "train_sample.csv"), ",");
        Assert.Equal(rows.Select(r => r[Array.IndexOf(header, "pid")]).Distinct().Count(), loaded.All.ScenarioCount);
        Assert.Equal(rows.Count(r => r[Array.IndexOf(header, "brand")] == ""), loaded.Report.Entries
            .Where(e => e.Field == "brand" && e.Reason == HandlingReason.MissingCategorical && e.File.EndsWith("train_sample.csv")).Sum(e => e.Count));
    }
}
