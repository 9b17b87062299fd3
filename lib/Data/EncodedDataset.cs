namespace MiDpg.Research.Data;

/// <summary>One categorical field as a model sees it: its name, how many embedding rows it needs (reserved ids included), its role.</summary>
public sealed record FieldInfo(string Name, int VocabularySize, FieldRole Role);

/// <summary>
/// What every model consumes: the encoded samples <c>(x_ag, x_aw, scenario, y)</c> held as contiguous
/// arrays. Row r's categorical ids are <c>Categorical[r * FieldCount .. (r + 1) * FieldCount)</c>,
/// in the order of <see cref="Fields"/>; its numeric values (standardised) are
/// <c>Numeric[r * NumericCount ..]</c>; its label (0/1) is <c>Labels[r]</c> and its scenario index
/// (0..S-1, naming <c>ScenarioNames[s]</c>) is <c>Scenario[r]</c>.
/// </summary>
/// <remarks>
/// The scenario id is itself a scenario-aware categorical field (field <see cref="ScenarioField"/>, the
/// first), with id <c>Vocabulary.Reserved + Scenario[r]</c>, so the scenario embedding is part of <c>e_aw</c>.
/// </remarks>
public sealed class EncodedDataset
{
    /// <summary>Short name used in summaries and logs.</summary>
    public string Name { get; }
    public int Rows { get; }
    /// <summary>Row-major ids, Rows x FieldCount.</summary>
    public long[] Categorical { get; }
    /// <summary>Row-major standardised numeric values, Rows x NumericCount.</summary>
    public float[] Numeric { get; }
    /// <summary>Binary labels, 0 or 1.</summary>
    public float[] Labels { get; }
    /// <summary>Scenario index per row, 0..ScenarioCount-1.</summary>
    public int[] Scenario { get; }
    public IReadOnlyList<FieldInfo> Fields { get; }
    public IReadOnlyList<string> NumericFields { get; }
    public IReadOnlyList<string> ScenarioNames { get; }

    public int FieldCount => Fields.Count;
    public int NumericCount => NumericFields.Count;
    public int ScenarioCount => ScenarioNames.Count;
    /// <summary>Index of the scenario field in <see cref="Fields"/> (always 0).</summary>
    public int ScenarioField => 0;

    public EncodedDataset(string name, long[] categorical, float[] numeric, float[] labels, int[] scenario,
        IReadOnlyList<FieldInfo> fields, IReadOnlyList<string> numericFields, IReadOnlyList<string> scenarioNames)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(numericFields);
        ArgumentNullException.ThrowIfNull(scenarioNames);
        int rows = labels.Length;
        if (fields.Count == 0) throw new ArgumentException("A dataset needs at least the scenario field.", nameof(fields));
        if (fields[0].Role != FieldRole.ScenarioAware || fields[0].VocabularySize != Vocabulary.Reserved + scenarioNames.Count)
            throw new ArgumentException("Field 0 must be the scenario field: scenario-aware, with Reserved + ScenarioCount ids.", nameof(fields));
        if (categorical.LongLength != (long)rows * fields.Count)
            throw new ArgumentException($"Categorical must hold Rows x FieldCount = {rows} x {fields.Count} ids; it holds {categorical.LongLength}.", nameof(categorical));
        if (numeric.LongLength != (long)rows * numericFields.Count)
            throw new ArgumentException($"Numeric must hold Rows x NumericCount = {rows} x {numericFields.Count} values; it holds {numeric.LongLength}.", nameof(numeric));
        if (scenario.Length != rows)
            throw new ArgumentException($"Scenario must hold one index per row ({rows}); it holds {scenario.Length}.", nameof(scenario));
        int f = fields.Count;
        for (int r = 0; r < rows; r++)
        {
            if ((uint)scenario[r] >= (uint)scenarioNames.Count)
                throw new ArgumentException($"Row {r} has scenario index {scenario[r]}, outside 0..{scenarioNames.Count - 1}.", nameof(scenario));
            if (categorical[(long)r * f] != Vocabulary.Reserved + scenario[r])
                throw new ArgumentException($"Row {r}: the scenario field id {categorical[(long)r * f]} does not match scenario index {scenario[r]}.", nameof(categorical));
            if (labels[r] is not (0f or 1f))
                throw new ArgumentException($"Row {r} has label {labels[r]}; labels must be 0 or 1.", nameof(labels));
        }
        Name = name;
        Rows = rows;
        Categorical = categorical;
        Numeric = numeric;
        Labels = labels;
        Scenario = scenario;
        Fields = fields;
        NumericFields = numericFields;
        ScenarioNames = scenarioNames;
    }

    /// <summary>The rows at the given indices (in that order, repeats allowed) as a new dataset sharing the same fields.</summary>
    public EncodedDataset Select(ReadOnlySpan<int> rows, string? name = null)
    {
        int f = FieldCount, n = NumericCount;
        var cat = new long[(long)rows.Length * f];
        var num = new float[(long)rows.Length * n];
        var lab = new float[rows.Length];
        var sc = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(rows), $"Row index {r} is outside 0..{Rows - 1}.");
            Array.Copy(Categorical, (long)r * f, cat, (long)i * f, f);
            if (n > 0) Array.Copy(Numeric, (long)r * n, num, (long)i * n, n);
            lab[i] = Labels[r];
            sc[i] = Scenario[r];
        }
        return new EncodedDataset(name ?? Name, cat, num, lab, sc, Fields, NumericFields, ScenarioNames);
    }

    /// <inheritdoc cref="Select(ReadOnlySpan{int}, string?)"/>
    public EncodedDataset Select(int[] rows, string? name = null) => Select(rows.AsSpan(), name);

    /// <summary>Indices into <see cref="Fields"/> of the fields with the given role.</summary>
    public int[] FieldIndices(FieldRole role) => Enumerable.Range(0, FieldCount).Where(i => Fields[i].Role == role).ToArray();

    /// <summary>Index of the field with the given name; throws when absent.</summary>
    public int FieldIndex(string name)
    {
        for (int i = 0; i < FieldCount; i++) if (Fields[i].Name == name) return i;
        throw new ArgumentException($"Dataset '{Name}' has no categorical field '{name}'; it has {string.Join(", ", Fields.Select(x => x.Name))}.", nameof(name));
    }

    /// <summary>The id of field <paramref name="field"/> in row <paramref name="row"/>.</summary>
    public long Id(int row, int field) => Categorical[(long)row * FieldCount + field];

    /// <summary>Rows per scenario.</summary>
    public int[] ScenarioCounts()
    {
        var c = new int[ScenarioCount];
        foreach (var s in Scenario) c[s]++;
        return c;
    }

    /// <summary>Share of rows with label 1.</summary>
    public double PositiveRate => Rows == 0 ? double.NaN : Labels.Sum(x => (double)x) / Rows;

    public override string ToString() =>
        $"{Name}: {Rows} rows, {FieldCount} categorical ({FieldIndices(FieldRole.ScenarioAware).Length} scenario-aware), {NumericCount} numeric, {ScenarioCount} scenarios, positive rate {PositiveRate:F4}";
}
