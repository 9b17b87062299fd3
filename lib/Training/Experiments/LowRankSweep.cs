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
/// </summary>
public sealed record LowRankSweep
{
    public IReadOnlyList<DwmVariant> Variants { get; init; } = [DwmVariant.RC, DwmVariant.R, DwmVariant.C];
    public IReadOnlyList<int> RankKs { get; init; } = [1, 2, 4];
    public IReadOnlyList<int> RowDivisors { get; init; } = [1, 2, 4, 8];
    public IReadOnlyList<int> ColumnDivisors { get; init; } = [1, 2, 4, 8];
    /// <summary>Sweep MI-DPG (MIR on) or DPG.</summary>
    public bool WithMir { get; init; } = true;
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
    /// APG at matched budgets: for every point, the APG rank whose parameter count is closest to the point's
    /// (<see cref="ApgAlignment.RankForBudget"/>); one APG configuration per distinct rank, named "apg k&lt;rank&gt;".
    /// </summary>
    public static IReadOnlyList<(string Name, ApgConfig Config, IReadOnlyDictionary<string, long> Parameters)> ApgMatches(
        FeatureSpec features, IEnumerable<SweepPoint> points, ApgConfig template)
    {
        var ranks = points.Select(p => ApgAlignment.RankForBudget(features, template, p.Parameters["total"])).Distinct().Order();
        return ranks.Select(k =>
        {
            var config = ApgAlignment.WithRank(template, k);
            return ($"apg k{k}", config, ApgModel.Formula(features, config));
        }).ToList();
    }
}
