using System.Text.Json;

namespace MiDpg.Research.Data;

/// <summary>Which part of a split a row or a file belongs to.</summary>
public enum SplitPart { Train = 0, Valid = 1, Test = 2 }

/// <summary>How rows are assigned to train/valid/test.</summary>
public enum SplitKind
{
    /// <summary>A seeded random permutation, cut by the fractions.</summary>
    Random,
    /// <summary>Rows sorted by timestamp (ties by row order): the earliest go to train, the latest to test.</summary>
    ByTime,
    /// <summary>The assignment the data already carries (a split column, or one file per part).</summary>
    Predefined,
}

/// <summary>
/// The rule of a split: kind, fractions (test gets the rest), seed, and whether to apply the rule within
/// each scenario separately (stratification: every scenario then appears in each part in proportion).
/// Recorded with the split so an experiment can be reproduced.
/// </summary>
public sealed record SplitRule
{
    public SplitKind Kind { get; }
    public double TrainFraction { get; }
    public double ValidFraction { get; }
    public double TestFraction => Math.Max(0, 1 - TrainFraction - ValidFraction);
    public int Seed { get; }
    public bool StratifyByScenario { get; }

    public SplitRule(SplitKind kind, double trainFraction = 0.8, double validFraction = 0.1, int seed = 0, bool stratifyByScenario = false)
    {
        if (!(trainFraction > 0 && trainFraction <= 1))
            throw new ArgumentException($"trainFraction must be in (0, 1]; got {trainFraction}.", nameof(trainFraction));
        if (!(validFraction >= 0 && validFraction < 1))
            throw new ArgumentException($"validFraction must be in [0, 1); got {validFraction}.", nameof(validFraction));
        if (trainFraction + validFraction > 1 + 1e-12)
            throw new ArgumentException($"trainFraction + validFraction must be <= 1; got {trainFraction} + {validFraction}.", nameof(validFraction));
        Kind = kind;
        TrainFraction = trainFraction;
        ValidFraction = validFraction;
        Seed = seed;
        StratifyByScenario = stratifyByScenario;
    }

    public static SplitRule Random(double train = 0.8, double valid = 0.1, int seed = 0, bool stratifyByScenario = false) =>
        new(SplitKind.Random, train, valid, seed, stratifyByScenario);
    public static SplitRule ByTime(double train = 0.8, double valid = 0.1, bool stratifyByScenario = false) =>
        new(SplitKind.ByTime, train, valid, 0, stratifyByScenario);
    public static SplitRule Predefined() => new(SplitKind.Predefined, 1, 0);

    public override string ToString() => Kind switch
    {
        SplitKind.Predefined => "predefined",
        SplitKind.ByTime => $"by time {TrainFraction:0.###}/{ValidFraction:0.###}/{TestFraction:0.###}{(StratifyByScenario ? " per scenario" : "")}",
        _ => $"random {TrainFraction:0.###}/{ValidFraction:0.###}/{TestFraction:0.###} seed {Seed}{(StratifyByScenario ? " per scenario" : "")}",
    };
}

/// <summary>
/// A split of a dataset's rows into train, valid and test (row indices, each part in ascending order),
/// with the rule that made it. <see cref="ToJson"/> gives the record an experiment stores.
/// </summary>
public sealed record DataSplit(SplitRule Rule, int[] Train, int[] Valid, int[] Test)
{
    public int Rows => Train.Length + Valid.Length + Test.Length;

    /// <summary>The part's row indices.</summary>
    public int[] Part(SplitPart part) => part switch { SplitPart.Train => Train, SplitPart.Valid => Valid, _ => Test };

    /// <summary>Rule, seed and sizes as JSON, for the results store.</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        rule = Rule.Kind.ToString(),
        description = Rule.ToString(),
        seed = Rule.Seed,
        trainFraction = Rule.TrainFraction,
        validFraction = Rule.ValidFraction,
        stratifyByScenario = Rule.StratifyByScenario,
        sizes = new { train = Train.Length, valid = Valid.Length, test = Test.Length },
    });

    public override string ToString() => $"{Rule}: train {Train.Length}, valid {Valid.Length}, test {Test.Length}";

    /// <summary>
    /// Splits <paramref name="rows"/> rows by <paramref name="rule"/>. <paramref name="scenario"/> is needed
    /// for stratification, <paramref name="timestamps"/> for <see cref="SplitKind.ByTime"/>,
    /// <paramref name="predefined"/> for <see cref="SplitKind.Predefined"/>.
    /// </summary>
    public static DataSplit Make(SplitRule rule, int rows, ReadOnlySpan<int> scenario = default,
        ReadOnlySpan<long> timestamps = default, ReadOnlySpan<byte> predefined = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Kind == SplitKind.Predefined)
        {
            if (predefined.Length != rows)
                throw new ArgumentException("A predefined split needs the data's own assignment (a split column or one file per part); this data has none.", nameof(predefined));
            var parts = new List<int>[] { new(), new(), new() };
            for (int r = 0; r < rows; r++) parts[predefined[r]].Add(r);
            return new DataSplit(rule, parts[0].ToArray(), parts[1].ToArray(), parts[2].ToArray());
        }
        if (rule.Kind == SplitKind.ByTime && timestamps.Length != rows)
            throw new ArgumentException("A split by time needs a timestamp per row; declare the schema's TimestampColumn.", nameof(timestamps));
        if (rule.StratifyByScenario && scenario.Length != rows)
            throw new ArgumentException("A stratified split needs the scenario of every row.", nameof(scenario));

        // Groups: one per scenario when stratified, else one group of all rows.
        List<int[]> groups;
        if (rule.StratifyByScenario)
        {
            int s = 0;
            foreach (var v in scenario) s = Math.Max(s, v + 1);
            var lists = Enumerable.Range(0, s).Select(_ => new List<int>()).ToArray();
            for (int r = 0; r < rows; r++) lists[scenario[r]].Add(r);
            groups = lists.Select(l => l.ToArray()).ToList();
        }
        else groups = [Enumerable.Range(0, rows).ToArray()];

        var train = new List<int>(); var valid = new List<int>(); var test = new List<int>();
        var times = timestamps.ToArray();
        for (int g = 0; g < groups.Count; g++)
        {
            var order = groups[g];
            if (rule.Kind == SplitKind.Random)
                SeededRandom.For(rule.Seed, g).Shuffle<int>(order);
            else
                order = order.OrderBy(r => times[r]).ThenBy(r => r).ToArray();
            int n = order.Length;
            int nTrain = (int)Math.Round(n * rule.TrainFraction);
            int nValid = Math.Min(n - nTrain, (int)Math.Round(n * rule.ValidFraction));
            train.AddRange(order.AsSpan(0, nTrain));
            valid.AddRange(order.AsSpan(nTrain, nValid));
            test.AddRange(order.AsSpan(nTrain + nValid));
        }
        return new DataSplit(rule, Sorted(train), Sorted(valid), Sorted(test));
    }

    static int[] Sorted(List<int> rows) { var a = rows.ToArray(); Array.Sort(a); return a; }

    /// <summary>The split of an encoded dataset (scenario taken from it; no timestamps).</summary>
    public static DataSplit Make(SplitRule rule, EncodedDataset data) => Make(rule, data.Rows, data.Scenario);
}
