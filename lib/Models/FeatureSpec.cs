// The model-side view of the input features (MODELS.md "Data view shared by every model").
// A sample is (x_ag, x_aw, scenario, y): scenario-agnostic and scenario-aware categorical fields,
// optional numeric fields and the scenario index. Models only see this record and per-batch
// tensors; the data layer's EncodedDataset is adapted to it by the caller.
using System.Text.Json.Serialization;

namespace MiDpg.Research.Models;

/// <summary>One categorical field: its name, its vocabulary size (row 0 is the out-of-vocabulary row,
/// so ids are 0..VocabularySize-1) and whether it describes the scenario (x_aw) or not (x_ag).</summary>
public sealed record FieldSpec(string Name, long VocabularySize, bool ScenarioAware);

/// <summary>
/// The fields a model is built for. Column f of the batch's <c>categorical</c> tensor holds the ids of
/// <c>Fields[f]</c>; <c>numeric</c> has <see cref="NumericCount"/> columns (may be 0); <c>scenario</c> holds
/// 0..<see cref="ScenarioCount"/>-1.
/// </summary>
public sealed record FeatureSpec(IReadOnlyList<FieldSpec> Fields, int NumericCount, int ScenarioCount)
{
    /// <summary>Builds a spec from (name, vocabulary size, scenario-aware) tuples.</summary>
    public static FeatureSpec From(IEnumerable<(string Name, long VocabularySize, bool ScenarioAware)> fields, int numericCount, int scenarioCount) =>
        new(fields.Select(f => new FieldSpec(f.Name, f.VocabularySize, f.ScenarioAware)).ToArray(), numericCount, scenarioCount);

    [JsonIgnore]
    public int FieldCount => Fields.Count;
    [JsonIgnore]
    public int AwareFieldCount => Fields.Count(f => f.ScenarioAware);
    [JsonIgnore]
    public int AgnosticFieldCount => Fields.Count(f => !f.ScenarioAware);

    /// <summary>Column indices (into <c>categorical</c>) of the scenario-aware fields, in order.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> AwareIndices => Enumerable.Range(0, Fields.Count).Where(i => Fields[i].ScenarioAware).ToArray();

    /// <summary>Column indices (into <c>categorical</c>) of the scenario-agnostic fields, in order.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> AgnosticIndices => Enumerable.Range(0, Fields.Count).Where(i => !Fields[i].ScenarioAware).ToArray();

    /// <summary>Problems with the spec itself (empty when valid).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Fields.Count == 0) problems.Add("FeatureSpec needs at least one categorical field; got none");
        if (AwareFieldCount == 0) problems.Add("FeatureSpec needs at least one scenario-aware field (e_aw feeds the generators and the discriminators); got none");
        foreach (var f in Fields)
            if (f.VocabularySize < 2)
                problems.Add($"field '{f.Name}' needs VocabularySize >= 2 (row 0 is the out-of-vocabulary row); got {f.VocabularySize}");
        var duplicates = Fields.GroupBy(f => f.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (duplicates.Length > 0) problems.Add($"field names must be unique; duplicated: {string.Join(", ", duplicates)}");
        if (NumericCount < 0) problems.Add($"NumericCount must be >= 0; got {NumericCount}");
        if (ScenarioCount < 1) problems.Add($"ScenarioCount must be >= 1; got {ScenarioCount}");
        return problems;
    }

    /// <summary>Structural equality (the record's own Equals compares the field list by reference).</summary>
    public bool SameAs(FeatureSpec other) =>
        NumericCount == other.NumericCount && ScenarioCount == other.ScenarioCount && Fields.SequenceEqual(other.Fields);
}
