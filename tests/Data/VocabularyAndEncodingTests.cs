using MiDpg.Research.Data;

namespace MiDpg.Research.Tests.Data;

public class VocabularyAndEncodingTests
{
    [Fact]
    public void BuildKeepsFrequentValuesMostFrequentFirstAndReservesTwoIds()
    {
        var counts = new Dictionary<string, long> { ["a"] = 5, ["b"] = 1, ["c"] = 3, ["d"] = 3 };
        var v = Vocabulary.Build("f", counts, minCount: 2);
        Assert.Equal(["a", "c", "d"], v.Tokens);
        Assert.Equal(Vocabulary.Reserved + 3, v.Size);
        Assert.Equal(Vocabulary.Reserved, v.IdOf("a"));
        Assert.Equal(Vocabulary.OutOfVocabularyId, v.IdOf("b"));   // rarer than min-count
        Assert.Equal(Vocabulary.OutOfVocabularyId, v.IdOf("zzz"));  // unseen
        Assert.Equal("<missing>", v.TokenOf(Vocabulary.MissingId));
        Assert.Equal("d", v.TokenOf(v.IdOf("d")));
    }

    [Fact]
    public void HashedVocabularyIsStableAndInRange()
    {
        var v = Vocabulary.Hashed("user", 97);
        var ids = Enumerable.Range(0, 1000).Select(i => v.IdOf($"user{i}")).ToArray();
        Assert.All(ids, id => Assert.InRange(id, Vocabulary.Reserved, v.Size - 1));
        Assert.Equal(ids, Enumerable.Range(0, 1000).Select(i => Vocabulary.Hashed("user", 97).IdOf($"user{i}")));
        Assert.True(ids.Distinct().Count() > 90);   // spreads over the buckets
        Assert.Throws<ArgumentException>(() => Vocabulary.Hashed("user", 0));
    }

    [Fact]
    public void VocabularyJsonRoundTrip()
    {
        foreach (var v in new[] { Vocabulary.FromTokens("f", ["x", "y, z", "\"q\"", "北京"]), Vocabulary.Hashed("h", 13) })
        {
            var back = Vocabulary.FromJson(v.ToJson());
            Assert.Equal(v.Field, back.Field);
            Assert.Equal(v.Tokens, back.Tokens);
            Assert.Equal(v.Size, back.Size);
            Assert.Equal(v.IdOf("y, z"), back.IdOf("y, z"));
        }
    }

    static string TrainTestFiles(string folder)
    {
        // Train: u1 x3, u2 x1; test: u3 unseen. Prices 1..4 in train, 100 in test.
        TestData.WriteSimpleCsv(folder, "train.csv", [(1, "a", "u1", "i1", "1"), (0, "a", "u1", "i2", "2"), (1, "b", "u1", "i1", "3"), (0, "b", "u2", "i2", "4")]);
        TestData.WriteSimpleCsv(folder, "test.csv", [(1, "a", "u3", "i1", "100"), (0, "b", "u2", "i9", "")]);
        return folder;
    }

    static LoadedDataset LoadTrainTest(string folder, EncodingOptions? options = null) =>
        DatasetLoader.Load(TestData.Simple, SplitRule.Predefined(), options,
            new DataFile(Path.Combine(folder, "train.csv"), ',', SplitPart.Train), new DataFile(Path.Combine(folder, "test.csv"), ',', SplitPart.Test));

    [Fact]
    public void VocabulariesAndStatisticsComeFromTrainingRowsOnly()
    {
        var loaded = LoadTrainTest(TrainTestFiles(TestData.TempFolder()));
        var userVocab = loaded.Encoder.Vocabularies[1];
        Assert.Equal(["u1", "u2"], userVocab.Tokens);            // u3 only in test
        Assert.Equal(1, loaded.Report.Count("user", HandlingReason.OutOfVocabulary));
        Assert.Equal(1, loaded.Report.Count("item", HandlingReason.OutOfVocabulary));   // i9

        double[] trainPrices = [1, 2, 3, 4];
        double mean = trainPrices.Average();
        double std = Math.Sqrt(trainPrices.Sum(p => (p - mean) * (p - mean)) / (trainPrices.Length - 1));
        Assert.Equal(mean, loaded.Encoder.NumericMean[0], 9);
        Assert.Equal(std, loaded.Encoder.NumericStd[0], 9);
        Assert.Equal((float)((100 - mean) / std), loaded.Test.Numeric[0], 4);
        Assert.Equal(0f, loaded.Test.Numeric[1]);    // missing -> training mean -> 0
        Assert.Equal(1, loaded.Report.Count("price", HandlingReason.MissingNumericImputed));
        var train = loaded.Train.Numeric;
        Assert.Equal(0.0, train.Average(x => (double)x), 6);
    }

    [Fact]
    public void MinCountSendsRareTrainingValuesToOutOfVocabulary()
    {
        var loaded = LoadTrainTest(TrainTestFiles(TestData.TempFolder()), new EncodingOptions { MinCount = 2 });
        Assert.Equal(["u1"], loaded.Encoder.Vocabularies[1].Tokens);
        int user = loaded.All.FieldIndex("user");
        Assert.Equal(Vocabulary.OutOfVocabularyId, loaded.Train.Id(3, user));    // u2 seen once
        Assert.Throws<ArgumentException>(() => new EncodingOptions { MinCount = 0 });
    }

    [Fact]
    public void HashingOptionReplacesTheTable()
    {
        var loaded = LoadTrainTest(TrainTestFiles(TestData.TempFolder()), new EncodingOptions { HashBuckets = new Dictionary<string, int> { ["user"] = 16 } });
        var v = loaded.Encoder.Vocabularies[1];
        Assert.Equal(16 + Vocabulary.Reserved, v.Size);
        int user = loaded.All.FieldIndex("user");
        Assert.Equal(v.IdOf("u3"), loaded.Test.Id(0, user));
        Assert.Equal(0, loaded.Report.Count("user", HandlingReason.OutOfVocabulary));
        var folder = TrainTestFiles(TestData.TempFolder());
        var e = Assert.Throws<ArgumentException>(() => LoadTrainTest(folder, new EncodingOptions { HashBuckets = new Dictionary<string, int> { ["scenario"] = 4 } }));
        Assert.Contains("scenario", e.Message);
    }

    [Fact]
    public void SavedEncoderReproducesTheEncodingOfNewFiles()
    {
        var folder = TrainTestFiles(TestData.TempFolder());
        var loaded = LoadTrainTest(folder);
        var encoder = FieldEncoder.FromJson(loaded.Encoder.ToJson());
        var (test, report) = DatasetLoader.Encode(TestData.Simple, encoder, null, new DataFile(Path.Combine(folder, "test.csv")));
        Assert.Equal(loaded.Test.Categorical, test.Categorical);
        Assert.Equal(loaded.Test.Numeric, test.Numeric);
        Assert.Equal(loaded.Test.Scenario, test.Scenario);
        Assert.Equal(1, report.Count("user", HandlingReason.OutOfVocabulary));
    }

    [Fact]
    public void ScenarioIsTheFirstScenarioAwareField()
    {
        var loaded = LoadTrainTest(TrainTestFiles(TestData.TempFolder()));
        var all = loaded.All;
        Assert.Equal("scenario", all.Fields[all.ScenarioField].Name);
        Assert.Equal(FieldRole.ScenarioAware, all.Fields[0].Role);
        Assert.Equal([0], all.FieldIndices(FieldRole.ScenarioAware));
        for (int r = 0; r < all.Rows; r++) Assert.Equal(Vocabulary.Reserved + all.Scenario[r], all.Id(r, 0));
        Assert.Equal(Vocabulary.Reserved + all.ScenarioCount, all.Fields[0].VocabularySize);
    }

    [Fact]
    public void SchemaValidationGivesClearErrors()
    {
        var repeated = TestData.Simple with { ScenarioAware = ["scenario"] };
        Assert.Contains("scenario field", Assert.Throws<ArgumentException>(repeated.Validate).Message);
        var duplicate = TestData.Simple with { ScenarioAgnostic = ["user", "user"] };
        Assert.Contains("'user'", Assert.Throws<ArgumentException>(duplicate.Validate).Message);
        Assert.Throws<ArgumentException>(() => new ListPart(';', -2));
        Assert.Throws<ArgumentException>(() => new SyntheticConfig { Groups = 11, Scenarios = 10 }.Validated());
        Assert.Equal("b", new ListPart(';', 1).Pick("a;b;c").ToString());
        Assert.Equal("c", new ListPart(';', -1).Pick("a;b;c").ToString());
        Assert.Equal("", new ListPart(';', 1).Pick("a").ToString());
    }

    [Theory]
    [InlineData("4", 1f, 1f)]
    [InlineData("3.5", 0f, 1f)]
    [InlineData("3", 0f, 0f)]
    [InlineData("5.0", 1f, 1f)]
    public void RatingRules(string rating, float atLeast4, float above3)
    {
        Assert.Equal(atLeast4, LabelRule.AtLeast(4).Apply(rating, out _));
        Assert.Equal(above3, LabelRule.Above(3).Apply(rating, out _));
    }
}
