namespace MiDpg.Research.Data;

/// <summary>What a row whose scenario value is not among the declared <see cref="ScenarioValues"/> becomes.</summary>
public enum OtherScenarioValues
{
    /// <summary>Stop with a <see cref="DataFormatException"/> naming file, line, column and the value (default).</summary>
    Error,
    /// <summary>Skip the row and count it in the <see cref="ReadReport"/> (<see cref="HandlingReason.UndeclaredScenarioSkipped"/>).</summary>
    Skip,
}

/// <summary>
/// The scenarios a dataset defines, declared rather than taken from whatever values a column holds: each raw value of
/// the scenario column that is a scenario, and the scenario's name. Several raw values may share one name, which is how a
/// scenario groups values: Scenario-Wise-Rec's MovieLens-1M scenarios are three groups of the <c>age</c> codes
/// ({1, 18}, {25}, {35, 45, 50, 56}). A value outside the declaration is an error by default (the benchmark's
/// <c>mapping[x]</c> fails on it) or, with <see cref="OtherScenarioValues.Skip"/>, a counted skip (the benchmark's
/// KuaiRand-1K keeps only the rows of five <c>tab</c> values). Scenario ids follow the order of first declaration, so the
/// ids are the benchmark's <c>domain_indicator</c> when the values are declared in its order.
/// </summary>
public sealed record ScenarioValues
{
    /// <summary>Raw value to scenario name, in declaration order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Map { get; }
    public OtherScenarioValues Other { get; }
    /// <summary>The distinct scenario names in order of first declaration: the order of the scenario ids.</summary>
    public IReadOnlyList<string> Names { get; }
    /// <summary>True when some raw value gets a name other than itself (the schema file then writes the object form).</summary>
    public bool Renames => Map.Any(kv => kv.Key != kv.Value);

    readonly Dictionary<string, string> _byValue;
    readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Raw values to names; a raw value may be declared once, a name many times. Values and names are trimmed, never empty.</summary>
    public ScenarioValues(IEnumerable<KeyValuePair<string, string>> map, OtherScenarioValues other = OtherScenarioValues.Error)
    {
        ArgumentNullException.ThrowIfNull(map);
        var list = new List<KeyValuePair<string, string>>();
        _byValue = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (rawValue, rawName) in map)
        {
            var value = rawValue?.Trim() ?? "";
            var name = rawName?.Trim() ?? "";
            if (value.Length == 0) throw new ArgumentException("A declared scenario value cannot be empty (an empty value is missing).", nameof(map));
            if (name.Length == 0) throw new ArgumentException($"The scenario name of value '{value}' cannot be empty.", nameof(map));
            if (!_byValue.TryAdd(value, name))
                throw new ArgumentException($"The scenario value '{value}' is declared twice (as '{_byValue[value]}' and as '{name}').", nameof(map));
            list.Add(KeyValuePair.Create(value, name));
        }
        if (list.Count == 0) throw new ArgumentException("Declare at least one scenario value.", nameof(map));
        if (!Enum.IsDefined(other)) throw new ArgumentException($"Unknown policy {other} for other scenario values.", nameof(other));
        Map = list;
        Other = other;
        Names = list.Select(kv => kv.Value).Distinct(StringComparer.Ordinal).ToArray();
        _lookup = _byValue.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The listed values are the scenarios, each named as written.</summary>
    public static ScenarioValues Of(IEnumerable<string> values, OtherScenarioValues other = OtherScenarioValues.Error) =>
        new(values.Select(v => KeyValuePair.Create(v, v)), other);

    /// <summary>The scenario name of <paramref name="value"/> (trimmed), or false when it is not declared.</summary>
    public bool TryMap(ReadOnlySpan<char> value, out string name) => _lookup.TryGetValue(value.Trim(), out name!);

    /// <summary>The declaration in a line: <c>1, 18 -> under-25; 25 -> 25-34</c>, or the plain list when nothing is renamed.</summary>
    public string Describe() => Renames
        ? string.Join("; ", Names.Select(n => $"{string.Join(", ", Map.Where(kv => kv.Value == n).Select(kv => kv.Key))} -> {n}"))
        : string.Join(", ", Map.Select(kv => kv.Key));

    public bool Equals(ScenarioValues? other) =>
        other is not null && Other == other.Other && Map.SequenceEqual(other.Map);

    public override int GetHashCode() => HashCode.Combine(Other, Map.Count, Map[0].Key);

    public override string ToString() => $"{Describe()}{(Other == OtherScenarioValues.Skip ? " (other values skipped)" : " (other values are errors)")}";
}
