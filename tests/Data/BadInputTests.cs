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

    static SchemaFile Schema(string name) => SchemaFile.Read(TestData.BadInput(name));

    [Fact]
    public void SchemaNamingAColumnTheFileLacksPointsAtTheDeclarationAndListsTheHeader()
    {
        var e = Assert.Throws<SchemaFileException>(() => Schema("unknown_column.schema.json").Load());
        Assert.EndsWith("unknown_column.schema.json", e.File);
        Assert.Equal((6L, 32L, "scenarioAgnostic[1].column"), (e.Line, e.Column, e.JsonPath));   // the "shop" in ["user", "shop", "item"]
        Assert.Contains("column 'shop' is not in the header of", e.Message);
        Assert.Contains("scenario_train.csv, which has 5 column(s): label, scenario, user, item, price", e.Message);
    }

    [Fact]
    public void SchemaWithTheWrongSeparatorSaysSo()
    {
        var e = Assert.Throws<SchemaFileException>(() => Schema("wrong_separator.schema.json").Load());
        Assert.Equal("label.column", e.JsonPath);
        Assert.Equal(5, e.Line);
        Assert.Contains("is the separator right? The schema says ';', the header contains ','", e.Message);
    }

    [Fact]
    public void SchemaThatContradictsTheFileNamesFileLineAndColumn()
    {
        // "user" declared numeric, but the file holds ids there.
        var e = Assert.Throws<DataFormatException>(() => Schema("contradicts_file.schema.json").Load());
        Assert.EndsWith("scenario_train.csv", e.File);
        Assert.Equal((2L, "user", 3), (e.Line, e.Column, e.ColumnIndex));
        Assert.Contains("'u1' is not a number (numeric field 'user'", e.Message);
    }

    [Fact]
    public void LabelWithNoPositivesIsAnError()
    {
        var e = Assert.Throws<DataFormatException>(() => Schema("no_positives.schema.json").Load());
        Assert.EndsWith("no_positives.csv", e.File);
        Assert.Equal("label", e.Column);
        Assert.Contains("the label has no positives: all 4 rows kept are 0 under the rule binary 0/1", e.Message);
        Assert.Contains("no_positives.schema.json, line 4, column 3", e.Message);   // where the label is declared
    }

    [Fact]
    public void ScenarioColumnWithOneValueIsAnError()
    {
        var e = Assert.Throws<DataFormatException>(() => Schema("one_scenario.schema.json").Load());
        Assert.EndsWith("one_scenario.csv", e.File);
        Assert.Equal("scenario", e.Column);
        Assert.Contains("the scenario column has one value ('a') in all 4 rows kept", e.Message);
        Assert.Contains("one_scenario.schema.json, line 5, column 3", e.Message);
    }

    [Fact]
    public void FileEmptyAfterFilteringIsAnErrorThatCountsTheSkippedRows()
    {
        var e = Assert.Throws<DataFormatException>(() => Schema("all_filtered.schema.json").Load());
        Assert.EndsWith("all_filtered.csv", e.File);
        Assert.Contains("no rows are left after filtering: 3 read, 3 skipped (all_filtered.csv / scenario: MissingScenarioSkipped x 3)", e.Message);
    }

    [Fact]
    public void NonFiniteLabelUnderAThresholdRuleIsAnErrorNamingTheColumn()
    {
        var e = Assert.Throws<DataFormatException>(() => Schema("infinite_label.schema.json").Load());
        Assert.EndsWith("infinite_label.csv", e.File);
        Assert.Equal((4L, "rating", 1), (e.Line, e.Column, e.ColumnIndex));
        Assert.Contains("the label '1e999' is not a finite number", e.Message);

        var schema = TestData.Simple with { LabelColumn = "rating", Label = LabelRule.AtLeast(4) };
        var infinity = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(schema, SplitRule.Random(1.0, 0.0), new DataFile(TestData.BadInput("infinity_label.csv"))));
        Assert.Equal((4L, "rating"), (infinity.Line, infinity.Column));
        Assert.Contains("'Infinity' is not a finite number", infinity.Message);
    }

    [Fact]
    public void LabelOutsideTheDeclaredRangeIsAnErrorNamingTheColumn()
    {
        var e = Assert.Throws<DataFormatException>(() => Schema("negative_rating.schema.json").Load());
        Assert.EndsWith("negative_rating.csv", e.File);
        Assert.Equal((3L, "rating", 1), (e.Line, e.Column, e.ColumnIndex));
        Assert.Contains("the label '-7' is outside the declared range [1, 5]", e.Message);

        // Amazon's ratings are on the 1-5 scale: its default rule says so.
        var fixture = File.ReadAllLines(TestData.Fixture("amazon_electronics_fixture.csv"));
        var (header, rows) = TestData.ParseWithFramework(TestData.Fixture("amazon_electronics_fixture.csv"), ",");
        int rating = Array.IndexOf(header, "rating");
        var path = Path.Combine(TestData.TempFolder(), "df_electronics.csv");
        File.WriteAllLines(path, fixture.Select((line, i) => i == 2 ? string.Join(",", line.Split(',').Select((v, k) => k == rating ? "-7" : v)) : line));
        var amazon = Assert.Throws<DataFormatException>(() => AmazonElectronics.Load(path));
        Assert.Equal((3L, "rating"), (amazon.Line, amazon.Column));
        Assert.Contains("outside the declared range [1, 5]", amazon.Message);
        Assert.Equal(rows.Count, AmazonElectronics.Load(TestData.Fixture("amazon_electronics_fixture.csv")).All.Rows);
    }

    [Fact]
    public void MisspelledKeyInASchemaIsAnErrorWithASuggestion()
    {
        var e = Assert.Throws<SchemaFileException>(() => Schema("misspelled_key.schema.json"));
        Assert.Equal((6L, 3L, "scenarioAgnostc"), (e.Line, e.Column, e.JsonPath));
        Assert.Contains("unknown key 'scenarioAgnostc' (did you mean 'scenarioAgnostic'?)", e.Message);
    }

    [Fact]
    public void SchemaThatIsNotJsonNamesLineAndColumn()
    {
        var e = Assert.Throws<SchemaFileException>(() => Schema("not_json.schema.json"));
        Assert.EndsWith("not_json.schema.json", e.File);
        Assert.Equal(5, e.Line);   // the comma missing after "label": "label" shows on the next key
        Assert.True(e.Column > 0);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void SchemaNamingAMissingDataFileResolvesItNextToTheSchema()
    {
        var e = Assert.Throws<SchemaFileException>(() => Schema("missing_file.schema.json").Load());
        Assert.Equal((3L, "files[0]"), (e.Line, e.JsonPath));
        Assert.Contains(Path.Combine(Path.GetDirectoryName(TestData.BadInput("x"))!, "no_such_file.csv"), e.Message);
        Assert.Contains("does not exist (relative paths resolve against the schema file's folder)", e.Message);
    }

    [Theory]
    [InlineData("utf16_no_bom.csv", "byte 2 is 0x00")]
    [InlineData("binary.csv", "byte 1 is 0x1F")]
    public void BinaryOrUtf16WithoutBomIsNotATextFile(string name, string where)
    {
        var e = Fails(name);
        Assert.EndsWith(name, e.File);
        Assert.Contains("not a text file", e.Message);
        Assert.Contains(where, e.Message);
        Assert.DoesNotContain('\0', e.Message);
    }

    [Fact]
    public void DirectoryGivenAsADataFileSaysItIsADirectory()
    {
        var folder = TestData.TempFolder();
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(TestData.Simple, SplitRule.Random(), new DataFile(folder)));
        Assert.Contains("is a directory, not a data file", e.Message);
        var open = Assert.Throws<DataFormatException>(() => RecordReaders.Open(folder));
        Assert.Contains("is a directory", open.Message);
    }

    [Fact]
    public void MissingFileSaysWhereToGetData()
    {
        var e = Assert.Throws<FileNotFoundException>(() => AmazonElectronics.Load("/nonexistent/df_electronics.csv"));
        Assert.Contains("data/README.md", e.Message);
    }
}
