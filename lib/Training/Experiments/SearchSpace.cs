using System.Globalization;
using MiDpg.Research.Models;

namespace MiDpg.Research.Training.Experiments;

/// <summary>
/// One hyperparameter of a model's search space: a name, its candidate values (as text, the way the report prints them;
/// the first is the default the registry builds) and how a value edits the model config and/or the trainer config.
/// </summary>
public sealed record Hyperparameter(
    string Name,
    IReadOnlyList<string> Values,
    Func<string, ConfigEdit>? Model = null,
    Func<TrainerConfig, string, TrainerConfig>? Trainer = null)
{
    /// <summary>A hyperparameter of <typeparamref name="TConfig"/> configs.</summary>
    public static Hyperparameter Of<TConfig>(string name, IReadOnlyList<string> values, Func<TConfig, string, TConfig> edit)
        where TConfig : ModelConfig =>
        new(name, values, Model: value => new ConfigEdit(typeof(TConfig), c => edit((TConfig)c, value)));

    /// <summary>Adam's learning rate (TrainerConfig.LearningRate), part of every model's space.</summary>
    public static Hyperparameter LearningRate(IReadOnlyList<double> values) =>
        new("lr", values.Select(Text).ToArray(), Trainer: (t, v) => t with { LearningRate = Number(v) });

    public static string Text(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
    public static double Number(string value) => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>One value per hyperparameter: a point of a <see cref="SearchSpace"/>.</summary>
/// <param name="Index">The point's position in the space's grid order (row-major, first hyperparameter slowest).</param>
public sealed record Candidate(int Index, IReadOnlyList<KeyValuePair<string, string>> Values)
{
    /// <summary>"lr=0.001, lambda=0.1": the key the results store and the report use.</summary>
    public string Key => string.Join(", ", Values.Select(v => $"{v.Key}={v.Value}"));

    public override string ToString() => Key;
}

/// <summary>How a tuning run picks the candidates it trains.</summary>
public enum SearchStrategy
{
    /// <summary>The default point, then further distinct points drawn with the tuning seed as a Latin hypercube over the discrete
    /// values: each hyperparameter's values (non-default ones first) are spread as evenly as the budget allows over the
    /// draws and shuffled independently, so no value is left out by chance and no two hyperparameters move together (the whole
    /// grid when it has no more points than the budget).</summary>
    Random,
    /// <summary>The default point, then the grid in order until the budget is spent.</summary>
    Grid,
}

/// <summary>
/// The hyperparameters a model is tuned over: the Cartesian product of their values. The first value of each is the
/// model's default, so <see cref="Default"/> is the configuration the registry builds (and the paper's where it gives it).
/// </summary>
public sealed record SearchSpace(string Model, IReadOnlyList<Hyperparameter> Parameters)
{
    /// <summary>Number of points of the grid.</summary>
    public int Size => Parameters.Aggregate(1, (n, p) => checked(n * p.Values.Count));

    /// <summary>The point of grid index <paramref name="index"/> (row-major, the last hyperparameter fastest).</summary>
    public Candidate At(int index)
    {
        if (index < 0 || index >= Size) throw new ArgumentOutOfRangeException(nameof(index), $"{Model}: grid index {index} outside 0..{Size - 1}.");
        var values = new KeyValuePair<string, string>[Parameters.Count];
        int rest = index;
        for (int i = Parameters.Count - 1; i >= 0; i--)
        {
            var n = Parameters[i].Values.Count;
            values[i] = new(Parameters[i].Name, Parameters[i].Values[rest % n]);
            rest /= n;
        }
        return new Candidate(index, values);
    }

    /// <summary>The default configuration (every hyperparameter at its first value): grid index 0.</summary>
    public Candidate Default => At(0);

    /// <summary>
    /// The candidates a tuning run with <paramref name="budget"/> trainings visits: always the default first, then
    /// further points by <paramref name="strategy"/>; the same (budget, strategy, seed) gives the same list.
    /// </summary>
    public IReadOnlyList<Candidate> Candidates(int budget, SearchStrategy strategy, int seed)
    {
        if (budget < 1) throw new ArgumentOutOfRangeException(nameof(budget), $"A tuning budget must be at least 1; got {budget}.");
        int size = Size, take = Math.Min(budget, size);
        if (strategy == SearchStrategy.Grid || take == size)
            return Enumerable.Range(0, take).Select(At).ToArray();
        var random = new Random(seed);
        int draws = take - 1;
        // Latin hypercube over the discrete values: column p holds values (1, 2, ..., n_p - 1, 0, 1, ...) cut to the number of
        // draws, shuffled on its own; rows are the points. Redrawn when a point repeats or equals the default.
        for (int attempt = 0; attempt < 200; attempt++)
        {
            var columns = Parameters.Select(p =>
            {
                var column = Enumerable.Range(0, draws).Select(i => (i + 1) % p.Values.Count).ToArray();
                random.Shuffle(column);
                return column;
            }).ToArray();
            var indices = Enumerable.Range(0, draws).Select(row =>
                columns.Select((column, p) => (column[row], p)).Aggregate(0, (index, c) => index * Parameters[c.p].Values.Count + c.Item1)).ToArray();
            if (indices.Distinct().Count() == draws && !indices.Contains(0))
                return new[] { 0 }.Concat(indices).Select(At).ToArray();
        }
        // Fallback (spaces where a balanced draw keeps colliding): distinct points uniformly without replacement.
        var rest = Enumerable.Range(1, size - 1).ToArray();
        random.Shuffle(rest);
        return new[] { 0 }.Concat(rest.Take(draws)).Select(At).ToArray();
    }

    /// <summary>The model settings and trainer config of a candidate, on top of the experiment's.</summary>
    public (ModelSettings Settings, TrainerConfig Trainer) Apply(Candidate candidate, ModelSettings settings, TrainerConfig trainer)
    {
        foreach (var (name, value) in candidate.Values)
        {
            var parameter = Parameters.FirstOrDefault(p => p.Name == name)
                ?? throw new ArgumentException($"{Model}: the candidate names '{name}', which is not a hyperparameter of this space ({string.Join(", ", Parameters.Select(p => p.Name))}).");
            if (!parameter.Values.Contains(value))
                throw new ArgumentException($"{Model}: {name}={value} is not among its values ({string.Join(", ", parameter.Values)}).");
            if (parameter.Model is { } edit) settings = settings with { Edits = [.. settings.Edits ?? [], edit(value)] };
            if (parameter.Trainer is { } t) trainer = t(trainer, value);
        }
        return (settings, trainer);
    }
}
