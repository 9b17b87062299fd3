namespace MiDpg.Research.Data;

/// <summary>What to do with a row whose scenario was not seen in training, or whose scenario value is missing.</summary>
public enum UnknownScenarioPolicy
{
    /// <summary>Stop with a <see cref="DataFormatException"/> naming file, line and column (default: a model has no weights for it).</summary>
    Error,
    /// <summary>Skip the row and count it in the <see cref="ReadReport"/>.</summary>
    Skip,
}

/// <summary>
/// How raw values become ids and standardised numbers. Vocabularies are built on the training split:
/// values seen fewer than <see cref="MinCount"/> times there map to the out-of-vocabulary id; fields in
/// <see cref="HashBuckets"/> are hashed instead (the scenario field cannot be hashed).
/// </summary>
public sealed record EncodingOptions
{
    readonly int _minCount = 1;
    readonly IReadOnlyDictionary<string, int> _hashBuckets = new Dictionary<string, int>();

    /// <summary>Minimum count in the training split for a value to get its own id (>= 1).</summary>
    public int MinCount
    {
        get => _minCount;
        init => _minCount = value >= 1 ? value : throw new ArgumentException($"MinCount must be >= 1; got {value}.", nameof(MinCount));
    }

    /// <summary>Fields to hash, with their bucket counts (each > 0).</summary>
    public IReadOnlyDictionary<string, int> HashBuckets
    {
        get => _hashBuckets;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(HashBuckets));
            var bad = value.FirstOrDefault(kv => kv.Value <= 0);
            if (bad.Key is not null) throw new ArgumentException($"HashBuckets['{bad.Key}'] must be positive; got {bad.Value}.", nameof(HashBuckets));
            _hashBuckets = value;
        }
    }

    public UnknownScenarioPolicy UnknownScenario { get; init; } = UnknownScenarioPolicy.Error;

    /// <summary>Standardise numeric fields with training mean and standard deviation (default true).</summary>
    public bool StandardiseNumeric { get; init; } = true;

    public static EncodingOptions Default { get; } = new();
}
