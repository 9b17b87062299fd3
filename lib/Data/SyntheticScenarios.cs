using System.Globalization;
using System.Text;

namespace MiDpg.Research.Data;

/// <summary>
/// Settings of the synthetic multi-scenario CVR generator. Defaults: 100 k rows, 2,000 users, 1,000 items,
/// 10 scenarios in 3 groups that disagree on how features drive conversion, so a scenario-blind model
/// underperforms a scenario-aware one (measured: test AUC of the true probabilities 0.916, of the best
/// scenario-shared probabilities 0.754).
/// </summary>
public sealed record SyntheticConfig
{
    public int Rows { get; init; } = 100_000;
    public int Scenarios { get; init; } = 10;
    /// <summary>Scenarios come in this many groups; scenarios of one group share how features drive conversion.</summary>
    public int Groups { get; init; } = 3;
    public int Users { get; init; } = 2_000;
    public int Items { get; init; } = 1_000;
    public int Brands { get; init; } = 200;
    public int UserSegments { get; init; } = 20;
    /// <summary>Values of the scenario attribute "channel" (a scenario-aware field describing the scenario: channel = scenario mod Channels).</summary>
    public int Channels { get; init; } = 3;
    /// <summary>Exponent s of the Zipf law P(rank k) ~ 1/(k+1)^s for users and items.</summary>
    public double ZipfExponent { get; init; } = 1.05;
    /// <summary>Exponent of the Zipf law of scenario sizes (0 = equal sizes).</summary>
    public double ScenarioSizeExponent { get; init; } = 0.6;
    /// <summary>Dimension of the latent user and item vectors.</summary>
    public int LatentDim { get; init; } = 8;
    /// <summary>Share (0..1) of the interaction weights common to all groups; 0 = groups unrelated, 1 = no group structure.</summary>
    public double SharedFraction { get; init; } = 0.0;
    /// <summary>Size of each scenario's own deviation from its group's weights (relative to the group part).</summary>
    public double ScenarioNoise { get; init; } = 0.15;
    /// <summary>Standard deviation of the user-item interaction logit.</summary>
    public double InteractionScale { get; init; } = 1.5;
    /// <summary>Standard deviation of the per-group effect of each item on the logit (mixed with an effect shared by
    /// all groups in the proportion <see cref="SharedFraction"/>): an item converts better in some groups of scenarios
    /// than in others. Unlike the latent interaction, an MLP learns such effects from a few dozen rows per item.</summary>
    public double ItemEffectScale { get; init; } = 1.5;
    /// <summary>Scale of the numeric features' scenario-specific weights: the logit gets NumericEffectScale * w_s . x.</summary>
    public double NumericEffectScale { get; init; } = 2.0;
    /// <summary>Standard deviation of the per-group effect of each user segment on the logit.</summary>
    public double SegmentEffectScale { get; init; } = 0.8;
    /// <summary>Scenario base rates (conversion probability at zero interaction) are spread evenly over this range, in a seeded order.</summary>
    public double BaseRateMin { get; init; } = 0.03;
    public double BaseRateMax { get; init; } = 0.20;
    public long Seed { get; init; }

    /// <summary>Checks every value; throws ArgumentException naming the property and the constraint.</summary>
    public SyntheticConfig Validated()
    {
        static void Require(bool ok, string name, string rule, object value)
        {
            if (!ok) throw new ArgumentException($"{name} must be {rule}; got {value}.", name);
        }
        Require(Rows >= 1 && Rows <= 50_000_000, nameof(Rows), "in 1..50,000,000", Rows);
        Require(Scenarios >= 1 && Scenarios <= 10_000, nameof(Scenarios), "in 1..10,000", Scenarios);
        Require(Groups >= 1 && Groups <= Scenarios, nameof(Groups), $"in 1..Scenarios ({Scenarios})", Groups);
        Require(Users >= 1, nameof(Users), ">= 1", Users);
        Require(Items >= 1, nameof(Items), ">= 1", Items);
        Require(Brands >= 1, nameof(Brands), ">= 1", Brands);
        Require(UserSegments >= 1, nameof(UserSegments), ">= 1", UserSegments);
        Require(Channels >= 1, nameof(Channels), ">= 1", Channels);
        Require(ZipfExponent >= 0 && ZipfExponent <= 5, nameof(ZipfExponent), "in [0, 5]", ZipfExponent);
        Require(ScenarioSizeExponent >= 0 && ScenarioSizeExponent <= 5, nameof(ScenarioSizeExponent), "in [0, 5]", ScenarioSizeExponent);
        Require(LatentDim >= 1 && LatentDim <= 256, nameof(LatentDim), "in 1..256", LatentDim);
        Require(SharedFraction >= 0 && SharedFraction <= 1, nameof(SharedFraction), "in [0, 1]", SharedFraction);
        Require(ScenarioNoise >= 0 && ScenarioNoise <= 10, nameof(ScenarioNoise), "in [0, 10]", ScenarioNoise);
        Require(InteractionScale >= 0 && InteractionScale <= 20, nameof(InteractionScale), "in [0, 20]", InteractionScale);
        Require(ItemEffectScale >= 0 && ItemEffectScale <= 20, nameof(ItemEffectScale), "in [0, 20]", ItemEffectScale);
        Require(NumericEffectScale >= 0 && NumericEffectScale <= 20, nameof(NumericEffectScale), "in [0, 20]", NumericEffectScale);
        Require(SegmentEffectScale >= 0 && SegmentEffectScale <= 20, nameof(SegmentEffectScale), "in [0, 20]", SegmentEffectScale);
        Require(BaseRateMin > 0 && BaseRateMin < 1, nameof(BaseRateMin), "in (0, 1)", BaseRateMin);
        Require(BaseRateMax >= BaseRateMin && BaseRateMax < 1, nameof(BaseRateMax), "in [BaseRateMin, 1)", BaseRateMax);
        return this;
    }
}

/// <summary>A generated dataset with the truth behind it.</summary>
public sealed class SyntheticDataset
{
    public required SyntheticConfig Config { get; init; }
    /// <summary>The encoded rows (ids: Reserved + raw index; every id of the generator's universe has a row in the vocabularies).</summary>
    public required EncodedDataset Data { get; init; }
    /// <summary>Cosine similarity of the scenarios' true parameter vectors, S x S.</summary>
    public required double[,] TrueSimilarity { get; init; }
    /// <summary>Group of each scenario.</summary>
    public required int[] Group { get; init; }
    /// <summary>Conversion probability of each scenario at zero interaction.</summary>
    public required double[] BaseRate { get; init; }
    /// <summary>Unix seconds per row, increasing with the row index (for splits by time).</summary>
    public required long[] Timestamps { get; init; }
    /// <summary>The true conversion probability of each row (the Bayes-optimal prediction).</summary>
    public required float[] TrueProbability { get; init; }
    /// <summary>
    /// The probability of each row under one set of weights shared by all scenarios (the size-weighted mean
    /// of the scenarios' interaction and numeric weights, and of the groups' segment effects), keeping each
    /// scenario's base rate: a proxy for the best a scenario-blind model can do. The gap in log-loss between
    /// this and <see cref="TrueProbability"/> is how much scenario-specific modelling can gain.
    /// </summary>
    public required float[] SharedProbability { get; init; }

    /// <summary>
    /// The encoder behind <see cref="Data"/>: value "u17" of user_id has id Reserved + 17, and so on (the
    /// tokens are those written by <see cref="WriteCsv"/>); numeric fields pass through unchanged (mean 0,
    /// std 1). Encoding the written CSV with it reproduces <see cref="Data"/> exactly.
    /// </summary>
    public FieldEncoder Encoder => _encoder ??= BuildEncoder();
    FieldEncoder? _encoder;

    FieldEncoder BuildEncoder()
    {
        var c = Config;
        static IEnumerable<string> Tokens(string prefix, int n) => Enumerable.Range(0, n).Select(i => prefix + i.ToString(CultureInfo.InvariantCulture));
        var vocabularies = new[]
        {
            Vocabulary.FromTokens("scenario", Data.ScenarioNames),
            Vocabulary.FromTokens("channel", Tokens("c", c.Channels)),
            Vocabulary.FromTokens("user_id", Tokens("u", c.Users)),
            Vocabulary.FromTokens("item_id", Tokens("i", c.Items)),
            Vocabulary.FromTokens("brand", Tokens("b", c.Brands)),
            Vocabulary.FromTokens("user_segment", Tokens("g", c.UserSegments)),
        };
        return new FieldEncoder("synthetic", vocabularies, Data.Fields.Select(f => f.Role).ToArray(), Data.NumericFields, [0.0, 0.0], [1.0, 1.0]);
    }

    /// <summary>The generated rows split by <paramref name="rule"/>, in the same shape as a dataset read from files.</summary>
    public LoadedDataset Load(SplitRule rule)
    {
        var report = new ReadReport();
        report.AddRowsRead("(generated)", Data.Rows);
        return new LoadedDataset
        {
            Schema = SyntheticScenarios.Schema,
            Encoder = Encoder,
            All = Data,
            Split = DataSplit.Make(rule, Data.Rows, Data.Scenario, Timestamps),
            Report = report,
            Timestamps = Timestamps,
        };
    }

    /// <summary>Train/valid/test of the generated rows.</summary>
    public (EncodedDataset Train, EncodedDataset Valid, EncodedDataset Test, DataSplit Split) Split(SplitRule rule)
    {
        var split = DataSplit.Make(rule, Data.Rows, Data.Scenario, Timestamps);
        return (Data.Select(split.Train, "synthetic/train"), Data.Select(split.Valid, "synthetic/valid"), Data.Select(split.Test, "synthetic/test"), split);
    }

    /// <summary>Writes the rows as CSV in the layout of <see cref="SyntheticScenarios.Schema"/> (header, LF line ends).</summary>
    public void WriteCsv(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.Write("label,scenario,channel,user_id,item_id,brand,user_segment,price_score,user_activity,timestamp\n");
        var d = Data;
        int F = d.FieldCount, N = d.NumericCount;
        Span<char> buf = stackalloc char[32];
        void Id(StreamWriter w, string prefix, long id, Span<char> buf)
        {
            w.Write(prefix);
            (id - Vocabulary.Reserved).TryFormat(buf, out int n, default, CultureInfo.InvariantCulture);
            w.Write(buf[..n]);
            w.Write(',');
        }
        for (int r = 0; r < d.Rows; r++)
        {
            long o = (long)r * F;
            w.Write(d.Labels[r] == 1f ? "1," : "0,");
            w.Write(d.ScenarioNames[d.Scenario[r]]); w.Write(',');
            Id(w, "c", d.Categorical[o + 1], buf);
            Id(w, "u", d.Categorical[o + 2], buf);
            Id(w, "i", d.Categorical[o + 3], buf);
            Id(w, "b", d.Categorical[o + 4], buf);
            Id(w, "g", d.Categorical[o + 5], buf);
            for (int n = 0; n < N; n++)
            {
                d.Numeric[(long)r * N + n].TryFormat(buf, out int k, "R", CultureInfo.InvariantCulture);
                w.Write(buf[..k]); w.Write(',');
            }
            Timestamps[r].TryFormat(buf, out int t, default, CultureInfo.InvariantCulture);
            w.Write(buf[..t]);
            w.Write('\n');
        }
    }
}

/// <summary>
/// The embedded default dataset: synthetic multi-scenario conversion data with known structure.
/// </summary>
/// <remarks>
/// Generative model. Scenario s belongs to group g(s) (contiguous blocks). Users u and items i are
/// drawn from Zipf laws and carry latent vectors a_u, b_i ~ N(0, I_d) and numeric features x (price of the
/// item, activity of the user). The logit is
/// <code>
/// logit(p) = logit(base_s) + (c/d) a_u^T M_s b_i + k w_s . x + beta_brand(i) + gamma_{g(s), segment(u)} + delta_{g(s), i}
/// M_s = sqrt(rho) M_shared + sqrt(1 - rho) M_g(s) + sigma E_s ,   w_s likewise
/// delta_{g, i} = sqrt(rho) delta_shared,i + sqrt(1 - rho) delta'_{g, i}
/// </code>
/// (c = InteractionScale, k = NumericEffectScale, rho = SharedFraction; gamma and delta have standard deviations
/// SegmentEffectScale and ItemEffectScale), so scenarios of one group share how features drive conversion, groups
/// differ, and each scenario has its own base rate. The defaults make the groups disagree (rho = 0) and put much of
/// the signal where a scenario-conditioned model can learn it from 100 k rows: the numeric slopes k w_s (a product
/// of a continuous feature and the scenario, which a weighting matrix expresses directly) and the per-group item
/// and segment effects; the latent interaction is the hard part (an MLP learns dot products poorly).
/// The true similarity of two scenarios is the cosine of their parameter vectors [vec M_s, w_s, gamma_g(s),
/// delta_g(s)], returned as <see cref="SyntheticDataset.TrueSimilarity"/>. All draws come from one
/// <see cref="SeededRandom"/>: a seed gives identical data on every run.
/// </remarks>
public static class SyntheticScenarios
{
    /// <summary>The schema of the CSV written by <see cref="SyntheticDataset.WriteCsv"/>.</summary>
    public static DatasetSchema Schema { get; } = new()
    {
        Name = "synthetic",
        LabelColumn = "label",
        Scenario = "scenario",
        ScenarioAware = ["channel"],
        ScenarioAgnostic = ["user_id", "item_id", "brand", "user_segment"],
        Numeric = ["price_score", "user_activity"],
        TimestampColumn = "timestamp",
        UserField = "user_id",
        ItemField = "item_id",
    };

    /// <summary>Generates a dataset; identical for identical configs.</summary>
    public static SyntheticDataset Generate(SyntheticConfig? config = null)
    {
        var c = (config ?? new SyntheticConfig()).Validated();
        var rng = new SeededRandom(c.Seed);
        int S = c.Scenarios, G = c.Groups, d = c.LatentDim;

        // Structure: groups, base rates, weights.
        var group = Enumerable.Range(0, S).Select(s => (int)((long)s * G / S)).ToArray();
        var rates = Enumerable.Range(0, S).Select(s => S == 1 ? c.BaseRateMin : c.BaseRateMin + (c.BaseRateMax - c.BaseRateMin) * s / (S - 1)).ToArray();
        rng.Shuffle<double>(rates);
        double[] Gaussian(int n, double scale = 1) { var v = new double[n]; for (int k = 0; k < n; k++) v[k] = scale * rng.NextGaussian(); return v; }
        int P = d * d + 2;                             // interaction matrix + numeric weights
        var shared = Gaussian(P);
        var groupParams = Enumerable.Range(0, G).Select(_ => Gaussian(P)).ToArray();
        var groupSegment = Enumerable.Range(0, G).Select(_ => Gaussian(c.UserSegments, c.SegmentEffectScale)).ToArray();
        double a = Math.Sqrt(c.SharedFraction), b = Math.Sqrt(1 - c.SharedFraction);
        // Per-group item effects: sqrt(rho) * shared + sqrt(1 - rho) * group part, each N(0, ItemEffectScale^2).
        var sharedItemEffect = Gaussian(c.Items, c.ItemEffectScale);
        var groupItem = Enumerable.Range(0, G).Select(_ =>
        {
            var own = Gaussian(c.Items, c.ItemEffectScale);
            for (int k = 0; k < c.Items; k++) own[k] = a * sharedItemEffect[k] + b * own[k];
            return own;
        }).ToArray();
        var theta = new double[S][];
        for (int s = 0; s < S; s++)
        {
            var own = Gaussian(P);
            theta[s] = new double[P];
            for (int k = 0; k < P; k++) theta[s][k] = a * shared[k] + b * groupParams[group[s]][k] + c.ScenarioNoise * own[k];
        }

        // Users and items.
        var userLatent = Gaussian(c.Users * d);
        var itemLatent = Gaussian(c.Items * d);
        var userActivity = Gaussian(c.Users);
        var itemPrice = Gaussian(c.Items);
        var itemBrand = Enumerable.Range(0, c.Items).Select(_ => rng.NextInt(c.Brands)).ToArray();
        var userSegment = Enumerable.Range(0, c.Users).Select(_ => rng.NextInt(c.UserSegments)).ToArray();
        var brandEffect = Gaussian(c.Brands, 0.3);
        var userCdf = ZipfCdf(c.Users, c.ZipfExponent);
        var itemCdf = ZipfCdf(c.Items, c.ZipfExponent);
        var scenarioCdf = ZipfCdf(S, c.ScenarioSizeExponent);

        // The scenario-shared proxy: size-weighted means of the scenario parameters (index S below).
        var sizeWeight = Enumerable.Range(0, S).Select(s => scenarioCdf[s] - (s == 0 ? 0 : scenarioCdf[s - 1])).ToArray();
        var pooled = new double[P];
        var pooledSegment = new double[c.UserSegments];
        var pooledItem = new double[c.Items];
        for (int s = 0; s < S; s++)
        {
            for (int k = 0; k < P; k++) pooled[k] += sizeWeight[s] * theta[s][k];
            for (int k = 0; k < c.UserSegments; k++) pooledSegment[k] += sizeWeight[s] * groupSegment[group[s]][k];
            for (int k = 0; k < c.Items; k++) pooledItem[k] += sizeWeight[s] * groupItem[group[s]][k];
        }
        theta = [.. theta, pooled];

        // Precompute M_s b_i / d * scale for every (scenario, item): the per-row cost is then one d-dot.
        var msb = new float[(long)(S + 1) * c.Items * d];
        for (int s = 0; s <= S; s++)
            for (int i = 0; i < c.Items; i++)
                for (int j = 0; j < d; j++)
                {
                    double acc = 0;
                    for (int k = 0; k < d; k++) acc += theta[s][j * d + k] * itemLatent[i * d + k];
                    msb[((long)s * c.Items + i) * d + j] = (float)(acc * c.InteractionScale / d);
                }

        // Rows.
        int R = c.Rows, F = 6;
        var cat = new long[(long)R * F];
        var num = new float[(long)R * 2];
        var labels = new float[R];
        var scenario = new int[R];
        var time = new long[R];
        var prob = new float[R];
        var sharedProb = new float[R];
        long t0 = 1_600_000_000;
        var baseLogit = rates.Select(p => Math.Log(p / (1 - p))).ToArray();
        for (int r = 0; r < R; r++)
        {
            int s = Sample(scenarioCdf, rng.NextDouble());
            int u = Sample(userCdf, rng.NextDouble());
            int i = Sample(itemCdf, rng.NextDouble());
            float price = (float)itemPrice[i], activity = (float)userActivity[u];
            double Logit(int t, double segmentEffect, double itemEffect)
            {
                double logit = baseLogit[s];
                long m = ((long)t * c.Items + i) * d;
                for (int j = 0; j < d; j++) logit += userLatent[u * d + j] * msb[m + j];
                logit += (theta[t][d * d] * price + theta[t][d * d + 1] * activity) * c.NumericEffectScale;
                return logit + brandEffect[itemBrand[i]] + segmentEffect + itemEffect;
            }
            double p = 1 / (1 + Math.Exp(-Logit(s, groupSegment[group[s]][userSegment[u]], groupItem[group[s]][i])));
            sharedProb[r] = (float)(1 / (1 + Math.Exp(-Logit(S, pooledSegment[userSegment[u]], pooledItem[i]))));
            long o = (long)r * F;
            cat[o] = Vocabulary.Reserved + s;
            cat[o + 1] = Vocabulary.Reserved + s % c.Channels;
            cat[o + 2] = Vocabulary.Reserved + u;
            cat[o + 3] = Vocabulary.Reserved + i;
            cat[o + 4] = Vocabulary.Reserved + itemBrand[i];
            cat[o + 5] = Vocabulary.Reserved + userSegment[u];
            num[2L * r] = price;
            num[2L * r + 1] = activity;
            scenario[r] = s;
            prob[r] = (float)p;
            labels[r] = rng.NextDouble() < p ? 1f : 0f;
            time[r] = t0 + 10L * r + rng.NextInt(10);
        }

        var names = Enumerable.Range(0, S).Select(s => "s" + s.ToString(S > 100 ? "D4" : "D2", CultureInfo.InvariantCulture)).ToArray();
        FieldInfo Field(string name, int size, FieldRole role) => new(name, Vocabulary.Reserved + size, role);
        var fields = new[]
        {
            Field("scenario", S, FieldRole.ScenarioAware),
            Field("channel", c.Channels, FieldRole.ScenarioAware),
            Field("user_id", c.Users, FieldRole.ScenarioAgnostic),
            Field("item_id", c.Items, FieldRole.ScenarioAgnostic),
            Field("brand", c.Brands, FieldRole.ScenarioAgnostic),
            Field("user_segment", c.UserSegments, FieldRole.ScenarioAgnostic),
        };
        var data = new EncodedDataset("synthetic", cat, num, labels, scenario, fields, ["price_score", "user_activity"], names);

        // Truth: cosine similarity of [theta_s, gamma_g(s), itemEffect_g(s)].
        var vectors = Enumerable.Range(0, S).Select(s => theta[s].Concat(groupSegment[group[s]]).Concat(groupItem[group[s]]).ToArray()).ToArray();
        var sim = new double[S, S];
        for (int x = 0; x < S; x++)
            for (int y = 0; y < S; y++)
                sim[x, y] = Cosine(vectors[x], vectors[y]);

        return new SyntheticDataset
        {
            Config = c, Data = data, TrueSimilarity = sim, Group = group, BaseRate = rates, Timestamps = time, TrueProbability = prob, SharedProbability = sharedProb,
        };
    }

    /// <summary>Cumulative probabilities of P(k) ~ 1/(k+1)^s, k = 0..n-1.</summary>
    static double[] ZipfCdf(int n, double s)
    {
        var cdf = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++) { total += Math.Pow(k + 1, -s); cdf[k] = total; }
        for (int k = 0; k < n; k++) cdf[k] /= total;
        cdf[n - 1] = 1.0;
        return cdf;
    }

    static int Sample(double[] cdf, double u)
    {
        int i = Array.BinarySearch(cdf, u);
        if (i < 0) i = ~i;
        return Math.Min(i, cdf.Length - 1);
    }

    static double Cosine(double[] x, double[] y)
    {
        double xy = 0, xx = 0, yy = 0;
        for (int k = 0; k < x.Length; k++) { xy += x[k] * y[k]; xx += x[k] * x[k]; yy += y[k] * y[k]; }
        return xy / Math.Sqrt(xx * yy);
    }
}
