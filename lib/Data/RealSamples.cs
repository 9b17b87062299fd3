namespace MiDpg.Research.Data;

/// <summary>
/// Loaders for the small real samples shipped in <c>data/samples/</c> (sources and licences in
/// data/README.md and each folder's SOURCE.md). They are smoke-test sized (100 to 3000 rows): good for
/// checking that a pipeline runs on real formats, not for conclusions.
/// </summary>
public static class RealSamples
{
    /// <summary>The shipped samples folder, <c>data/samples</c>.</summary>
    public static string Folder => Path.Combine(Platform.RepositoryPaths.Data, "samples");

    /// <summary>
    /// Douban (Scenario-Wise-Rec sample): 3000 rows, scenarios = <c>domain</c> (book, movie, music),
    /// label = <c>rating</c> (already 0/1), fields user, item, living place, time bin. No split in the file:
    /// random by default.
    /// </summary>
    public static DatasetSchema DoubanSchema { get; } = new()
    {
        Name = "douban-sample",
        LabelColumn = "rating",
        Scenario = "domain",
        ScenarioAgnostic = ["user_id", "item_id", "living_place", "time_bin"],
        UserField = "user_id",
        ItemField = "item_id",
    };

    public static LoadedDataset Douban(SplitRule? split = null, EncodingOptions? encoding = null, string? folder = null) =>
        DatasetLoader.Load(DoubanSchema, split ?? SplitRule.Random(0.8, 0.1, seed: 0), encoding,
            new DataFile(Path.Combine(folder ?? Folder, "scenario-wise-rec", "douban_sample.csv")));

    static readonly string[] AliCcpSparse =
        ["101", "121", "122", "124", "125", "126", "127", "128", "129", "205", "206", "207", "210", "216", "508", "509", "702", "853",
         "109_14", "110_14", "127_14", "150_14"];

    /// <summary>
    /// Ali-CCP (Scenario-Wise-Rec sample): train 100 / val 50 / test 50 rows in three files, scenarios =
    /// column <c>301</c> (3 domains; the sample's split looks edited, see SOURCE.md), label <c>click</c>,
    /// 22 sparse id columns, 8 dense <c>D*</c> columns. <c>purchase</c> is not used.
    /// </summary>
    public static DatasetSchema AliCcpSchema { get; } = new()
    {
        Name = "ali-ccp-sample",
        LabelColumn = "click",
        Scenario = "301",
        ScenarioAgnostic = AliCcpSparse.Select(c => new CategoricalField(c)).ToArray(),
        Numeric = ["D109_14", "D110_14", "D127_14", "D150_14", "D508", "D509", "D702", "D853"],
        UserField = "101",
        ItemField = "205",
    };

    public static LoadedDataset AliCcp(EncodingOptions? encoding = null, string? folder = null)
    {
        string dir = Path.Combine(folder ?? Folder, "scenario-wise-rec");
        return DatasetLoader.Load(AliCcpSchema, SplitRule.Predefined(), encoding,
            new DataFile(Path.Combine(dir, "ali_ccp_train_sample.csv"), ',', SplitPart.Train),
            new DataFile(Path.Combine(dir, "ali_ccp_val_sample.csv"), ',', SplitPart.Valid),
            new DataFile(Path.Combine(dir, "ali_ccp_test_sample.csv"), ',', SplitPart.Test));
    }

    /// <summary>
    /// FuxiCTR tiny_csv: 100 rows per file (train/valid/test; valid and test identical), label <c>clk</c>,
    /// scenarios = <c>pid</c> (2 ad positions; our choice, FuxiCTR names no scenario), numeric <c>price</c>.
    /// <c>click_sequence</c> (a ^-separated history) is not used.
    /// </summary>
    public static DatasetSchema FuxiCtrSchema { get; } = new()
    {
        Name = "fuxictr-tiny",
        LabelColumn = "clk",
        Scenario = "pid",
        ScenarioAgnostic = ["userid", "adgroup_id", "cate_id", "campaign_id", "customer", "brand", "cms_segid", "cms_group_id",
                            "final_gender_code", "age_level", "pvalue_level", "shopping_level", "occupation", "new_user_class_level"],
        Numeric = ["price"],
        TimestampColumn = "time_stamp",
        UserField = "userid",
        ItemField = "adgroup_id",
    };

    public static LoadedDataset FuxiCtr(EncodingOptions? encoding = null, string? folder = null)
    {
        string dir = Path.Combine(folder ?? Folder, "fuxictr");
        return DatasetLoader.Load(FuxiCtrSchema, SplitRule.Predefined(), encoding,
            new DataFile(Path.Combine(dir, "train_sample.csv"), ',', SplitPart.Train),
            new DataFile(Path.Combine(dir, "valid_sample.csv"), ',', SplitPart.Valid),
            new DataFile(Path.Combine(dir, "test_sample.csv"), ',', SplitPart.Test));
    }
}
