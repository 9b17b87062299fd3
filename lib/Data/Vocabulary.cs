using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiDpg.Research.Data;

/// <summary>
/// The map from a categorical field's values to embedding rows. Two ids are reserved in every field:
/// <see cref="OutOfVocabularyId"/> (0) for values unseen in training or rarer than the min-count, and
/// <see cref="MissingId"/> (1) for missing values (-1, empty, NaN). Known values follow from id 2, most
/// frequent first. For huge vocabularies a field can instead be hashed into a fixed number of buckets
/// (<see cref="Hashed"/>): no table is kept and every value has an id, at the price of collisions.
/// Serialisable (<see cref="ToJson"/>/<see cref="FromJson"/>) so a trained model is saved with its vocabularies.
/// </summary>
public sealed class Vocabulary
{
    public const long OutOfVocabularyId = 0;
    public const long MissingId = 1;
    /// <summary>Number of reserved ids in front of the known values.</summary>
    public const int Reserved = 2;

    readonly Dictionary<string, int> _index;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Name of the field this vocabulary encodes.</summary>
    public string Field { get; }
    /// <summary>Known values; value <c>Tokens[i]</c> has id <c>Reserved + i</c>. Empty for a hashed field.</summary>
    public IReadOnlyList<string> Tokens { get; }
    /// <summary>Number of hash buckets, or null for a table vocabulary.</summary>
    public int? HashBuckets { get; }
    /// <summary>Embedding rows needed: reserved ids plus known values (or buckets).</summary>
    public int Size => Reserved + (HashBuckets ?? Tokens.Count);

    Vocabulary(string field, IReadOnlyList<string> tokens, int? hashBuckets)
    {
        if (string.IsNullOrWhiteSpace(field)) throw new ArgumentException("A vocabulary needs its field's name.", nameof(field));
        if (hashBuckets is <= 0) throw new ArgumentException($"hashBuckets must be positive; got {hashBuckets}.", nameof(hashBuckets));
        Field = field;
        Tokens = tokens;
        HashBuckets = hashBuckets;
        _index = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
            if (!_index.TryAdd(tokens[i], i))
                throw new ArgumentException($"Token '{tokens[i]}' appears twice in the vocabulary of '{field}'.", nameof(tokens));
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>A table vocabulary over the given values, in the given order.</summary>
    public static Vocabulary FromTokens(string field, IEnumerable<string> tokens) => new(field, tokens.ToArray(), null);

    /// <summary>A hashed field: id = Reserved + (stable hash of the value) mod buckets.</summary>
    public static Vocabulary Hashed(string field, int buckets) => new(field, [], buckets);

    /// <summary>
    /// Builds a vocabulary from value counts (counted on the training split): values seen at least
    /// <paramref name="minCount"/> times, most frequent first, ties in ordinal order.
    /// </summary>
    public static Vocabulary Build(string field, IEnumerable<KeyValuePair<string, long>> counts, int minCount = 1)
    {
        if (minCount < 1) throw new ArgumentException($"minCount must be >= 1; got {minCount}.", nameof(minCount));
        var kept = counts.Where(kv => kv.Value >= minCount)
                         .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                         .Select(kv => kv.Key);
        return FromTokens(field, kept);
    }

    /// <summary>The id of a (non-missing) value: its row, its hash bucket, or <see cref="OutOfVocabularyId"/>.</summary>
    public long IdOf(ReadOnlySpan<char> value)
    {
        if (HashBuckets is int buckets) return Reserved + (long)(StableHash(value) % (ulong)buckets);
        return _lookup.TryGetValue(value, out int i) ? Reserved + i : OutOfVocabularyId;
    }

    /// <summary>Whether the value has its own id (always true for a hashed field).</summary>
    public bool Contains(ReadOnlySpan<char> value) => HashBuckets is not null || _lookup.ContainsKey(value);

    /// <summary>The value an id stands for ("&lt;oov&gt;", "&lt;missing&gt;", "#bucket" for hashed fields).</summary>
    public string TokenOf(long id) => id switch
    {
        OutOfVocabularyId => "<oov>",
        MissingId => "<missing>",
        _ when id < 0 || id >= Size => throw new ArgumentOutOfRangeException(nameof(id), $"Id {id} is outside the vocabulary of '{Field}' (size {Size})."),
        _ => HashBuckets is null ? Tokens[(int)(id - Reserved)] : $"#{id - Reserved}",
    };

    /// <summary>FNV-1a over the UTF-16 code units: stable across runs and runtimes (string.GetHashCode is not).</summary>
    public static ulong StableHash(ReadOnlySpan<char> value)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in value)
        {
            h = (h ^ (byte)c) * 1099511628211UL;
            h = (h ^ (byte)(c >> 8)) * 1099511628211UL;
        }
        return h;
    }

    sealed record Dto(string Field, string[] Tokens, int? HashBuckets, int Reserved);

    static readonly JsonSerializerOptions Json = new() { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(new Dto(Field, Tokens.ToArray(), HashBuckets, Reserved), Json);

    public static Vocabulary FromJson(string json)
    {
        var dto = JsonSerializer.Deserialize<Dto>(json, Json) ?? throw new ArgumentException("Empty vocabulary JSON.", nameof(json));
        if (dto.Reserved != Reserved)
            throw new ArgumentException($"Vocabulary JSON uses {dto.Reserved} reserved ids; this library uses {Reserved}.", nameof(json));
        return new Vocabulary(dto.Field, dto.Tokens ?? [], dto.HashBuckets);
    }
}
