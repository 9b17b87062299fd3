using MiDpg.Research.Data;

namespace MiDpg.Research.Tests.Data;

/// <summary>The bad-input corpus (tests/Data/BadInput, described in its README): every broken file gives an error naming file, line and column; every awkward one is read with its handlings counted.</summary>
public class BadInputTests
{
    static LoadedDataset Load(string name, EncodingOptions? encoding = null) =>
        DatasetLoader.Load(TestData.Simple, SplitRule.Random(1.0, 0.0), encoding, new DataFile(TestData.BadInput(name)));

    static DataFormatException Fails(string name, EncodingOptions? encoding = null) =>
        Assert.Throws<DataFormatException>(() => Load(name, encoding));

    [Fact]
    public void RaggedRowNamesFileLineAndFirstMissingColumn()
    {
        var e = Fails("ragged_row.csv");
        Assert.EndsWith("ragged_row.csv", e.File);
        Assert.Equal(4, e.Line);
        Assert.Equal("price", e.Column);
        Assert.Equal(5, e.ColumnIndex);
        Assert.Contains("ragged_row.csv, line 4, column 5 'price'", e.Message);
        Assert.Contains("4 fields but the header has 5", e.Message);
    }

    [Fact]
    public void MissingColumnIsNamedWithTheHeader()
    {
        var e = Fails("missing_column.csv");
        Assert.Equal(1, e.Line);
        Assert.Equal("item", e.Column);
        Assert.Contains("label, scenario, user, price", e.Message);
    }

    [Fact]
    public void NonBinaryLabel()
    {
        var e = Fails("non_binary_label.csv");
        Assert.Equal((3L, "label", 1), (e.Line, e.Column, e.ColumnIndex));
        Assert.Contains("not binary", e.Message);
    }

    [Fact]
    public void EmptyFile()
    {
        var e = Fails("empty.csv");
        Assert.EndsWith("empty.csv", e.File);
        Assert.Contains("empty", e.Problem);
    }

    [Fact]
    public void HeaderOnly()
    {
        var e = Fails("header_only.csv");
        Assert.Contains("no data rows", e.Problem);
    }

    [Fact]
    public void UnparseableNumber()
    {
        var e = Fails("unparseable_number.csv");
        Assert.Equal((5L, "price", 5), (e.Line, e.Column, e.ColumnIndex));
        Assert.Contains("'cheap' is not a number", e.Message);
    }

    [Fact]
    public void UnclosedQuote()
    {
        var e = Fails("unclosed_quote.csv");
        Assert.Equal(3, e.Line);
        Assert.Contains("not closed", e.Problem);
    }

    [Fact]
    public void JunkAfterClosingQuote()
    {
        var e = Fails("junk_after_quote.csv");
        Assert.Equal((4L, "item", 4), (e.Line, e.Column, e.ColumnIndex));
    }

    [Fact]
    public void UnknownScenarioAtTestTimeIsAnErrorByDefaultAndACountedSkipOnRequest()
    {
        DataFile[] files = [new(TestData.BadInput("scenario_train.csv"), ',', SplitPart.Train), new(TestData.BadInput("scenario_test_unknown.csv"), ',', SplitPart.Test)];
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(TestData.Simple, SplitRule.Predefined(), files));
        Assert.EndsWith("scenario_test_unknown.csv", e.File);
        Assert.Equal(3, e.Line);
        Assert.Equal("scenario", e.Column);
        Assert.Contains("'c'", e.Message);

        var loaded = DatasetLoader.Load(TestData.Simple, SplitRule.Predefined(), new EncodingOptions { UnknownScenario = UnknownScenarioPolicy.Skip }, files);
        Assert.Equal(1, loaded.Report.Count(HandlingReason.UnknownScenarioSkipped));
        Assert.Equal(loaded.Report.RowsRead - 1, loaded.All.Rows);
        Assert.Equal(loaded.Report.RowsKept, loaded.All.Rows);
        Assert.Equal(2, loaded.Test.Rows);
        // u9 is unseen in training: out of vocabulary, counted.
        Assert.Equal(1, loaded.Report.Count("user", HandlingReason.OutOfVocabulary));
    }

    [Fact]
    public void Utf8BomIsIgnored()
    {
        var loaded = Load("utf8_bom.csv");
        Assert.Equal(2, loaded.All.Rows);
        Assert.Equal(["a", "b"], loaded.All.ScenarioNames);
    }

    [Fact]
    public void CrLfLineEnds()
    {
        var loaded = Load("crlf.csv");
        Assert.Equal(3, loaded.All.Rows);
        Assert.DoesNotContain(loaded.Encoder.Vocabularies.SelectMany(v => v.Tokens), t => t.Contains('\r'));
        Assert.Equal(1, loaded.Report.Count("price", HandlingReason.MissingNumericImputed));
    }

    [Fact]
    public void QuotedFieldsWithSeparators()
    {
        var loaded = Load("quoted_separator.csv");
        Assert.Equal(3, loaded.All.Rows);
        Assert.Contains("Smith, John", loaded.Encoder.Vocabularies[1].Tokens);
        Assert.Contains("say \"hi\", then go", loaded.Encoder.Vocabularies[2].Tokens);
        Assert.Contains("two\nlines", loaded.Encoder.Vocabularies[2].Tokens);
        Assert.Equal(1, loaded.Report.Count("item", HandlingReason.MissingCategorical));   // the quoted empty string
    }

    [Fact]
    public void BlankLinesAreCounted()
    {
        var loaded = Load("blank_lines.csv");
        Assert.Equal(3, loaded.All.Rows);
        Assert.Equal(3, loaded.Report.Count(HandlingReason.BlankLineSkipped));
    }

    [Fact]
    public void MissingValuesAreCountedPerFieldAndMissingScenarioIsExplicit()
    {
        var e = Fails("missing_values.csv");
        Assert.Equal((5L, "scenario", 2), (e.Line, e.Column, e.ColumnIndex));

        var loaded = Load("missing_values.csv", new EncodingOptions { UnknownScenario = UnknownScenarioPolicy.Skip });
        var (_, rows) = TestData.ParseWithFramework(TestData.BadInput("missing_values.csv"), ",");
        var tokens = DatasetSchema.DefaultMissingTokens;
        var kept = rows.Where(r => !tokens.Contains(r[1])).ToList();
        Assert.Equal(kept.Count, loaded.All.Rows);
        Assert.Equal(rows.Count - kept.Count, loaded.Report.Count(HandlingReason.MissingScenarioSkipped));
        Assert.Equal(kept.Count(r => tokens.Contains(r[2])), loaded.Report.Count("user", HandlingReason.MissingCategorical));
        Assert.Equal(kept.Count(r => tokens.Contains(r[3])), loaded.Report.Count("item", HandlingReason.MissingCategorical));
        Assert.Equal(kept.Count(r => tokens.Contains(r[4])), loaded.Report.Count("price", HandlingReason.MissingNumericImputed));
        // Missing ids are the reserved missing id; imputed numbers are the training mean, 0 after standardisation.
        int user = loaded.All.FieldIndex("user");
        for (int r = 0; r < kept.Count; r++)
        {
            Assert.Equal(tokens.Contains(kept[r][2]), loaded.All.Id(r, user) == Vocabulary.MissingId);
            if (tokens.Contains(kept[r][4])) Assert.Equal(0f, loaded.All.Numeric[r]);
        }
        Assert.Equal(loaded.Report.RowsRead, loaded.Report.RowsKept + loaded.Report.RowsSkipped);
    }

    [Fact]
    public void MissingFileSaysWhereToGetData()
    {
        var e = Assert.Throws<FileNotFoundException>(() => AmazonElectronics.Load("/nonexistent/df_electronics.csv"));
        Assert.Contains("data/README.md", e.Message);
    }
}
