using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;

namespace MiDpg.Research.Training.Experiments;

/// <summary>One configuration of the low-rank sweep: its name in the results store, its DPG config and parameter counts.</summary>
public sealed record SweepPoint(string Name, DwmVariant Variant, int RankK, int RowDivisor, int ColumnDivisor,
    DpgConfig Config, IReadOnlyDictionary<string, long> Parameters);

/// <summary>A configuration of the grid that cannot be built, and why (e.g. d_k &gt; min(d_r, d_c)).</summary>
public sealed record SweepSkip(string Name, string Reason);

/// <summary>
/// The low-rank sweep of paper section 3.5.1: for each DWM variant with a low-rank decomposition (RC, R, C),
/// d_k over {1, 2, 4}, d_r = d_m / r_div and d_c = d_n / c_div over r_div, c_div in {1, 2, 4, 8}. Every
/// point carries its parameter counts by component (the paper's claim is accuracy at low parameter cost);
/// configurations that violate a constraint are listed with the reason instead of being dropped silently.
/// The paper's sweep is of DPG without the MIR ("the analysis here is based on DPG without mutual information
/// regularization"), so <see cref="WithMir"/> is off by default; variant Non, which has no sizes to sweep, is the
/// full-matrix reference point (<see cref="NonReference"/>).
/// </summary>
public sealed record LowRankSweep
{
    public IReadOnlyList<DwmVariant> Variants { get; init; } = [DwmVariant.RC, DwmVariant.R, DwmVariant.C];
    public IReadOnlyList<int> RankKs { get; init; } = [1, 2, 4];
    public IReadOnlyList<int> RowDivisors { get; init; } = [1, 2, 4, 8];
    public IReadOnlyList<int> ColumnDivisors { get; init; } = [1, 2, 4, 8];
    /// <summary>Sweep MI-DPG (MIR on) instead of DPG (the paper's section 3.5.1 sweeps DPG).</summary>
    public bool WithMir { get; init; }
    /// <summary>Everything else (embedding size, hidden sizes, generator width ...).</summary>
    public DpgConfig Template { get; init; } = new();

    /// <summary>Store name of a point, e.g. "midpg-r k2 r4 c8".</summary>
    public string PointName(DwmVariant v, int k, int r, int c) =>
        $"{(WithMir ? "midpg" : "dpg")}-{v.ToString().ToLowerInvariant()} k{k} r{r} c{c}";

    /// <summary>The grid for the given features: buildable points and the skipped ones with reasons.</summary>
    public (IReadOnlyList<SweepPoint> Points, IReadOnlyList<SweepSkip> Skipped) Grid(FeatureSpec features)
    {
        if (Variants.Contains(DwmVariant.Non)) throw new ArgumentException("Variant Non has no low-rank decomposition to sweep.", nameof(Variants));
        var points = new List<SweepPoint>();
        var skipped = new List<SweepSkip>();
        foreach (var v in Variants)
            foreach (var k in RankKs)
                foreach (var r in RowDivisors)
                    foreach (var c in ColumnDivisors)
                    {
                        var name = PointName(v, k, r, c);
                        var config = Template with { Variant = v, RankK = k, RowDivisor = r, ColumnDivisor = c, RowSize = null, ColumnSize = null, UseMir = WithMir };
                        var problems = config.Problems(features);
                        if (problems.Count > 0) { skipped.Add(new SweepSkip(name, string.Join("; ", problems))); continue; }
                        points.Add(new SweepPoint(name, v, k, r, c, config, ParameterCount.Formula(features, config)));
                    }
        return (points, skipped);
    }

    /// <summary>
    /// Variant Non with the template's other settings: the weighting matrix generated whole (d_m x d_n per sample),
    /// the point every low-rank configuration is measured against. Named "dpg-non" (or "midpg-non").
    /// </summary>
    public SweepPoint NonReference(FeatureSpec features)
    {
        var config = Template with { Variant = DwmVariant.Non, RowSize = null, ColumnSize = null, UseMir = WithMir };
        var problems = config.Problems(features);
        if (problems.Count > 0) throw new ArgumentException($"variant Non cannot be built here: {string.Join("; ", problems)}");
        return new SweepPoint($"{(WithMir ? "midpg" : "dpg")}-non", DwmVariant.Non, 0, 1, 1, config, ParameterCount.Formula(features, config));
    }

    /// <summary>
    /// APG at matched budgets: for every point, the APG rank whose parameter count is closest to the point's
    /// (<see cref="ApgAlignment.RankForBudget"/>); one APG configuration per distinct rank, named "apg k&lt;rank&gt;".
    /// </summary>
    public static IReadOnlyList<(string Name, ApgConfig Config, IReadOnlyDictionary<string, long> Parameters)> ApgMatches(
        FeatureSpec features, IEnumerable<SweepPoint> points, ApgConfig template)
    {
        var ranks = points.Select(p => ApgMatchRank(features, p, template)).Distinct().Order();
        return ranks.Select(k =>
        {
            var config = ApgAlignment.WithRank(template, k);
            return (ApgName(k), config, ApgModel.Formula(features, config));
        }).ToList();
    }

    /// <summary>The APG rank <see cref="ApgMatches"/> pairs with <paramref name="point"/> (the closest total parameter count).</summary>
    public static int ApgMatchRank(FeatureSpec features, SweepPoint point, ApgConfig template) =>
        ApgAlignment.RankForBudget(features, template, point.Parameters["total"]);

    /// <summary>Store name of APG with rank k in the sweep, e.g. "apg k19".</summary>
    public static string ApgName(int rank) => $"apg k{rank}";
}
