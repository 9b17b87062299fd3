namespace MiDpg.Research.Data;

/// <summary>Options for <see cref="AmazonElectronics"/>.</summary>
public sealed record AmazonOptions
{
    /// <summary>Label rule: rating &gt;= 4 on the 1-5 scale (default; a rating outside [1, 5] is an error); <c>LabelRule.Above(3)</c> is the "&gt; 3" variant.</summary>
    public LabelRule Label { get; init; } = DefaultLabel;

    /// <summary>rating &gt;= 4, ratings in [1, 5].</summary>
    public static LabelRule DefaultLabel { get; } = LabelRule.AtLeast(4).WithRange(1, 5);
    /// <summary>Split: the file's own <c>split</c> column (0 train, 1 valid, 2 test) by default.</summary>
    public SplitRule Split { get; init; } = SplitRule.Predefined();
    public EncodingOptions Encoding { get; init; } = EncodingOptions.Default;
}

/// <summary>
/// Amazon Electronics, the MI-DPG paper's dataset, as released with marketBias (Wan et al., WSDM'20,
/// https://github.com/MengtingWan/marketBias): <c>df_electronics.csv</c>, comma-separated with header
/// <c>item_id,user_id,rating,timestamp,model_attr,category,brand,year,user_attr,split</c>, 1,292,954
/// rows. The 10 product categories are the scenarios. Label: rating &gt;= 4. Scenario-aware: category;
/// scenario-agnostic: user, item, brand, model_attr, user_attr, year. Empty values (frequent for brand and
/// user_attr) are missing values, mapped to the missing id and counted.
/// </summary>
public static class AmazonElectronics
{
    /// <summary>The published file name.</summary>
    public const string FileName = "df_electronics.csv";
    /// <summary>Rows in the published file.</summary>
    public const int PublishedRows = 1_292_954;

    public static DatasetSchema Schema(LabelRule? label = null) => new()
    {
        Name = "amazon-electronics",
        LabelColumn = "rating",
        Label = label ?? AmazonOptions.DefaultLabel,
        Scenario = "category",
        ScenarioAgnostic = ["user_id", "item_id", "brand", "model_attr", "user_attr", "year"],
        TimestampColumn = "timestamp",
        SplitColumn = "split",
        UserField = "user_id",
        ItemField = "item_id",
    };

    /// <summary>Loads <c>df_electronics.csv</c> (or a file in the same format) from <paramref name="path"/>.</summary>
    public static LoadedDataset Load(string path, AmazonOptions? options = null)
    {
        options ??= new AmazonOptions();
        return DatasetLoader.Load(Schema(options.Label), options.Split, options.Encoding, new DataFile(path, ','));
    }

    /// <summary>The default location, <c>data/downloads/df_electronics.csv</c> (see data/README.md).</summary>
    public static string DefaultPath => Path.Combine(Platform.RepositoryPaths.Data, "downloads", FileName);
}
