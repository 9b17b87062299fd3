namespace MiDpg.Research.Data;

/// <summary>Which column of IJCAI-18 defines the scenarios.</summary>
public enum IjcaiScenario
{
    /// <summary>Second-level item category (element 2 of <c>item_category_list</c>; the first level is the same for all items). Default.</summary>
    SecondLevelCategory,
    /// <summary><c>user_gender_id</c>: 4 domains (-1 unknown is its own domain "-1" here, not a missing value).</summary>
    UserGender,
    /// <summary><c>context_page_id</c>: the search result page.</summary>
    ContextPage,
}

/// <summary>Options for <see cref="IjcaiAdConversion"/>.</summary>
public sealed record IjcaiOptions
{
    public IjcaiScenario Scenario { get; init; } = IjcaiScenario.SecondLevelCategory;
    public SplitRule Split { get; init; } = SplitRule.Random(0.8, 0.1, seed: 0);
    public EncodingOptions Encoding { get; init; } = EncodingOptions.Default;
}

/// <summary>
/// IAAC, the IJCAI-18 Alimama ad-conversion data (Tianchi): <c>round1_ijcai_18_train_20180301.txt</c>,
/// space-separated with a header, 478,138 rows, label <c>is_trade</c> (last column), -1 = missing.
/// List columns: <c>item_category_list</c> "a;b;c", <c>item_property_list</c> "p1;p2;...",
/// <c>predict_category_property</c> "cat:p1,p2;cat:-1".
/// </summary>
/// <remarks>
/// Fields. Scenario (configurable, <see cref="IjcaiScenario"/>) plus scenario-aware attributes: the
/// second-level category and the page (those that are not the scenario already). Scenario-agnostic:
/// item, brand, city, the item levels, user, the user attributes, shop and shop levels (gender too when
/// not the scenario). Numeric: the four shop scores and two list lengths (item properties, predicted
/// categories). <c>instance_id</c> and <c>context_id</c> are row ids and are not used.
/// With the gender scenario, -1 in <c>user_gender_id</c> stays a value (the "unknown gender" domain, see <see cref="CategoricalField.MissingIsValue"/>).
/// </remarks>
public static class IjcaiAdConversion
{
    public const string FileName = "round1_ijcai_18_train_20180301.txt";
    public const int PublishedRows = 478_138;

    public static DatasetSchema Schema(IjcaiScenario scenario = IjcaiScenario.SecondLevelCategory)
    {
        var category = new CategoricalField("item_category", "item_category_list", new ListPart(';', 1));
        var page = new CategoricalField("context_page_id");
        var gender = new CategoricalField("user_gender_id", missingIsValue: scenario == IjcaiScenario.UserGender);
        var (scen, aware) = scenario switch
        {
            IjcaiScenario.SecondLevelCategory => (category, new[] { page }),
            IjcaiScenario.UserGender => (gender, new[] { category, page }),
            IjcaiScenario.ContextPage => (page, new[] { category }),
            _ => throw new ArgumentException($"Unknown scenario choice {scenario}.", nameof(scenario)),
        };
        var agnostic = new List<CategoricalField>
        {
            "item_id", "item_brand_id", "item_city_id", "item_price_level", "item_sales_level", "item_collected_level", "item_pv_level",
            "user_id", "user_age_level", "user_occupation_id", "user_star_level",
            "shop_id", "shop_review_num_level", "shop_star_level",
        };
        if (scenario != IjcaiScenario.UserGender) agnostic.Insert(8, gender);
        return new DatasetSchema
        {
            Name = "ijcai18-" + scenario switch { IjcaiScenario.UserGender => "gender", IjcaiScenario.ContextPage => "page", _ => "category" },
            LabelColumn = "is_trade",
            Scenario = scen,
            ScenarioAware = aware,
            ScenarioAgnostic = agnostic,
            Numeric =
            [
                "shop_review_positive_rate", "shop_score_service", "shop_score_delivery", "shop_score_description",
                new NumericField("item_property_count", "item_property_list", countSeparator: ';'),
                new NumericField("predict_category_count", "predict_category_property", countSeparator: ';'),
            ],
            TimestampColumn = "context_timestamp",
            UserField = "user_id",
            ItemField = "item_id",
        };
    }

    /// <summary>Loads the training file (or one in the same format) from <paramref name="path"/>.</summary>
    public static LoadedDataset Load(string path, IjcaiOptions? options = null)
    {
        options ??= new IjcaiOptions();
        return DatasetLoader.Load(Schema(options.Scenario), options.Split, options.Encoding, new DataFile(path, ' '));
    }

    /// <summary>The default location, <c>data/downloads/round1_ijcai_18_train_20180301.txt</c>.</summary>
    public static string DefaultPath => Path.Combine(Platform.RepositoryPaths.Data, "downloads", FileName);
}
