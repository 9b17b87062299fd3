namespace MiDpg.Research.Data;

/// <summary>The two kinds of categorical field in multi-scenario modelling (MODELS.md, "Data view").</summary>
public enum FieldRole
{
    /// <summary>The scenario id itself and attributes that describe the scenario (category, page, ...): input of the generators.</summary>
    ScenarioAware,
    /// <summary>Everything else (user, item, brand, ...): shared by all scenarios.</summary>
    ScenarioAgnostic,
}

/// <summary>
/// Picks one element of a delimited list held in a single column, e.g. the second-level category of
/// IJCAI's <c>item_category_list</c> "a;b;c" is <c>new ListPart(';', 1)</c>. <see cref="Index"/> -1 takes the last element.
/// A list too short to hold the element gives a missing value (counted, never an error).
/// </summary>
public sealed record ListPart
{
    public char Separator { get; }
    public int Index { get; }

    public ListPart(char separator, int index)
    {
        if (index < -1) throw new ArgumentException($"Index must be >= 0, or -1 for the last element; got {index}.", nameof(index));
        Separator = separator;
        Index = index;
    }

    /// <summary>The chosen element of <paramref name="value"/>, or an empty span when the list is too short.</summary>
    public ReadOnlySpan<char> Pick(ReadOnlySpan<char> value)
    {
        if (Index == -1)
        {
            int last = value.LastIndexOf(Separator);
            return last < 0 ? value : value[(last + 1)..];
        }
        for (int i = 0; ; i++)
        {
            int next = value.IndexOf(Separator);
            if (i == Index) return next < 0 ? value : value[..next];
            if (next < 0) return ReadOnlySpan<char>.Empty;
            value = value[(next + 1)..];
        }
    }
}

/// <summary>
/// A categorical field: its name in the dataset, the column it is read from, optionally which list
/// element to take, and whether missing tokens are ordinary values for this field (e.g. IJCAI's
/// <c>user_gender_id</c> -1 = "unknown gender", a domain of its own when gender is the scenario).
/// </summary>
public sealed record CategoricalField
{
    public string Name { get; }
    public string Column { get; }
    public ListPart? Part { get; }
    public bool MissingIsValue { get; }

    public CategoricalField(string name, string? column = null, ListPart? part = null, bool missingIsValue = false)
    {
        MissingIsValue = missingIsValue;
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A field needs a non-empty name.", nameof(name));
        Name = name;
        Column = string.IsNullOrWhiteSpace(column) ? name : column;
        Part = part;
    }

    public static implicit operator CategoricalField(string column) => new(column);
}

/// <summary>
/// A numeric field, standardised with training statistics. With <see cref="CountSeparator"/> set the value is
/// the number of elements of a delimited list instead of a parsed number (e.g. how many properties an item lists).
/// </summary>
public sealed record NumericField
{
    public string Name { get; }
    public string Column { get; }
    public char? CountSeparator { get; }

    public NumericField(string name, string? column = null, char? countSeparator = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A field needs a non-empty name.", nameof(name));
        Name = name;
        Column = string.IsNullOrWhiteSpace(column) ? name : column;
        CountSeparator = countSeparator;
    }

    public static implicit operator NumericField(string column) => new(column);
}

/// <summary>
/// What a dataset file holds and how to read it: the label, the scenario, the scenario-aware and
/// scenario-agnostic categorical fields, the numeric fields, and optionally a timestamp (for splits by
/// time) and a column that already assigns rows to train/valid/test. The scenario field is always the
/// first scenario-aware field: models see the scenario id as one of the <c>x_aw</c> (MODELS.md).
/// </summary>
/// <remarks>
/// Categorical fields are laid out in this order in <see cref="EncodedDataset.Categorical"/>:
/// scenario, the other scenario-aware fields, then the scenario-agnostic fields (<see cref="CategoricalFields"/>).
/// </remarks>
public sealed record DatasetSchema
{
    /// <summary>Default tokens meaning "no value": empty, -1 and NaN (any case).</summary>
    public static readonly IReadOnlyList<string> DefaultMissingTokens = ["", "-1", "NaN", "nan", "NAN"];

    public required string Name { get; init; }
    public required string LabelColumn { get; init; }
    public LabelRule Label { get; init; } = LabelRule.Binary;
    /// <summary>The field whose values are the scenarios; becomes <see cref="EncodedDataset.Scenario"/>.</summary>
    public required CategoricalField Scenario { get; init; }
    /// <summary>
    /// The declared scenarios (raw value to scenario name, and what other values become), or null to take every value of
    /// the scenario column as a scenario. With a declaration, scenario ids follow the declared order (<see cref="Data.ScenarioValues"/>).
    /// </summary>
    public ScenarioValues? ScenarioValues { get; init; }
    /// <summary>Further scenario-aware fields (the scenario field itself is added in front; do not repeat it).</summary>
    public IReadOnlyList<CategoricalField> ScenarioAware { get; init; } = [];
    public IReadOnlyList<CategoricalField> ScenarioAgnostic { get; init; } = [];
    public IReadOnlyList<NumericField> Numeric { get; init; } = [];
    /// <summary>Column holding a time (unix seconds or an ISO date/time); needed by <see cref="SplitRule.ByTime"/>.</summary>
    public string? TimestampColumn { get; init; }
    /// <summary>Column assigning rows to a split (0/train, 1/valid|val|validation, 2/test); used by <see cref="SplitRule.Predefined"/>.</summary>
    public string? SplitColumn { get; init; }
    /// <summary>Field names used by summaries for "distinct users/items per scenario" (optional).</summary>
    public string? UserField { get; init; }
    public string? ItemField { get; init; }
    public IReadOnlyList<string> MissingTokens { get; init; } = DefaultMissingTokens;

    /// <summary>All categorical fields in encoded order: scenario, other scenario-aware, scenario-agnostic.</summary>
    public IReadOnlyList<(CategoricalField Field, FieldRole Role)> CategoricalFields =>
        new[] { (Scenario, FieldRole.ScenarioAware) }
            .Concat(ScenarioAware.Select(f => (f, FieldRole.ScenarioAware)))
            .Concat(ScenarioAgnostic.Select(f => (f, FieldRole.ScenarioAgnostic)))
            .ToList();

    /// <summary>Checks the declaration itself (names unique, scenario not repeated, ...); throws ArgumentException naming the property.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("The schema needs a name.", nameof(Name));
        if (string.IsNullOrWhiteSpace(LabelColumn)) throw new ArgumentException("The label column must be named.", nameof(LabelColumn));
        ArgumentNullException.ThrowIfNull(Scenario, nameof(Scenario));
        ArgumentNullException.ThrowIfNull(Label, nameof(Label));
        if (ScenarioAware.Any(f => f.Name == Scenario.Name))
            throw new ArgumentException($"Field '{Scenario.Name}' is the scenario field; it is added to the scenario-aware fields automatically, do not list it again.", nameof(ScenarioAware));
        var names = CategoricalFields.Select(f => f.Field.Name).Concat(Numeric.Select(n => n.Name)).ToList();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Field name '{duplicate.Key}' is declared more than once; every field name must be unique.", nameof(ScenarioAgnostic));
        if (UserField is not null && !names.Contains(UserField))
            throw new ArgumentException($"UserField '{UserField}' is not one of the declared fields.", nameof(UserField));
        if (ItemField is not null && !names.Contains(ItemField))
            throw new ArgumentException($"ItemField '{ItemField}' is not one of the declared fields.", nameof(ItemField));
        if (MissingTokens is null) throw new ArgumentException("MissingTokens must be a list (possibly empty).", nameof(MissingTokens));
    }

    /// <summary>
    /// Matches the declaration to a file's header: every declared column must be present exactly once.
    /// Throws <see cref="DataFormatException"/> naming the file and the missing column otherwise.
    /// </summary>
    public BoundSchema Bind(IReadOnlyList<string> header, string file)
    {
        Validate();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Count; i++)
            if (!index.TryAdd(header[i], i))
                throw new DataFormatException(file, 1, header[i], i + 1, $"the header names column '{header[i]}' twice (first at column {index[header[i]] + 1}).");

        int Find(string column, string role)
        {
            if (index.TryGetValue(column, out int i)) return i;
            throw new DataFormatException(file, 1, column, 0,
                $"the {role} column '{column}' declared by schema '{Name}' is not in the header. The header has {header.Count} columns: {string.Join(", ", header)}.");
        }

        return new BoundSchema(
            this,
            Find(LabelColumn, "label"),
            CategoricalFields.Select(f => Find(f.Field.Column, f.Role == FieldRole.ScenarioAware ? "scenario-aware" : "scenario-agnostic")).ToArray(),
            Numeric.Select(n => Find(n.Column, "numeric")).ToArray(),
            TimestampColumn is null ? -1 : Find(TimestampColumn, "timestamp"),
            SplitColumn is null ? -1 : Find(SplitColumn, "split"),
            header.ToArray());
    }
}

/// <summary>A schema matched to one file's header: the column index of each declared field.</summary>
public sealed record BoundSchema(
    DatasetSchema Schema,
    int LabelIndex,
    int[] CategoricalIndex,
    int[] NumericIndex,
    int TimestampIndex,
    int SplitIndex,
    string[] Header);
